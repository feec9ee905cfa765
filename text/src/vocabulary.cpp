#include "glimpse/text/vocabulary.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"
#include "glimpse/text/tokenizer.h"

namespace glimpse::text {
namespace {

constexpr const char* kFormat = "glimpse-vocabulary";
constexpr int kVersion = 1;

bool has_whitespace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

bool is_special(std::string_view token) {
  const auto& specials = Vocabulary::special_tokens();
  return std::find(specials.begin(), specials.end(), token) != specials.end();
}

// Quotes a token for an error message, escaping control bytes so the message stays one line.
std::string quote_token(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[(c >> 4) & 0xF];
      out += kHex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

const std::vector<std::string>& Vocabulary::special_tokens() {
  static const std::vector<std::string> kSpecials = {"<pad>", "<bos>", "<eos>", "<unk>"};
  return kSpecials;
}

Vocabulary::Vocabulary(const std::vector<std::string>& words) : tokens_(special_tokens()) {
  tokens_.insert(tokens_.end(), words.begin(), words.end());
  check(tokens_.size() < static_cast<size_t>(INT32_MAX), "Vocabulary",
        "too many words (" + std::to_string(words.size()) + ")");
  ids_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const std::string& t = tokens_[i];
    const std::string where = "Vocabulary: token " + std::to_string(i);
    check(!t.empty(), where, "is empty");
    check(!has_whitespace(t), where, quote_token(t) + " contains whitespace");
    check(i < static_cast<size_t>(kNumSpecial) || !is_special(t), where,
          quote_token(t) + " is a special token outside ids 0.." + std::to_string(kNumSpecial - 1));
    const auto [it, inserted] = ids_.emplace(t, static_cast<int32_t>(i));
    check(inserted, where,
          quote_token(t) + " duplicates token " + std::to_string(it->second));
  }
}

int32_t Vocabulary::id(std::string_view token) const {
  const auto it = ids_.find(std::string(token));
  return it == ids_.end() ? kUnk : it->second;
}

bool Vocabulary::contains(std::string_view token) const {
  return ids_.find(std::string(token)) != ids_.end();
}

const std::string& Vocabulary::token(int32_t id) const {
  check(id >= 0 && id < size(), "Vocabulary::token",
        "id " + std::to_string(id) + " is outside [0, " + std::to_string(size()) + ")");
  return tokens_[static_cast<size_t>(id)];
}

EncodedText Vocabulary::encode(std::string_view text, int64_t max_len, bool add_bos_eos) const {
  return encode_tokens(tokenize(text), max_len, add_bos_eos);
}

EncodedText Vocabulary::encode_tokens(const std::vector<std::string>& tokens, int64_t max_len,
                                      bool add_bos_eos) const {
  const int64_t frame = add_bos_eos ? 2 : 0;
  check(max_len >= frame, "Vocabulary::encode",
        "max_len " + std::to_string(max_len) + " leaves no room" +
            (add_bos_eos ? " for <bos> and <eos> (needs >= 2)" : " (needs >= 0)"));
  const int64_t room = max_len - frame;
  const int64_t n = static_cast<int64_t>(tokens.size());
  const int64_t kept = std::min(n, room);

  EncodedText out;
  out.dropped_tokens = n - kept;
  out.ids.reserve(static_cast<size_t>(kept + frame));
  if (add_bos_eos) out.ids.push_back(kBos);
  for (int64_t i = 0; i < kept; ++i) {
    const std::string& t = tokens[static_cast<size_t>(i)];
    // Text cannot inject control tokens: a word spelling "<eos>" is just an unknown word.
    out.ids.push_back(is_special(t) ? kUnk : id(t));
  }
  if (add_bos_eos) out.ids.push_back(kEos);
  return out;
}

std::vector<std::string> Vocabulary::decode_tokens(const std::vector<int32_t>& ids) const {
  std::vector<std::string> words;
  for (int32_t token_id : ids) {
    check(token_id >= 0 && token_id < size(), "Vocabulary::decode",
          "id " + std::to_string(token_id) + " is outside [0, " + std::to_string(size()) + ")");
    if (token_id == kEos) break;
    if (token_id == kPad || token_id == kBos) continue;
    words.push_back(tokens_[static_cast<size_t>(token_id)]);
  }
  return words;
}

std::string Vocabulary::decode(const std::vector<int32_t>& ids) const {
  return join_tokens(decode_tokens(ids));
}

std::string Vocabulary::to_json() const {
  nlohmann::json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["tokens"] = tokens_;
  return j.dump();
}

Vocabulary Vocabulary::from_json(std::string_view json, const std::string& what) {
  const std::string where = "vocabulary (" + what + ")";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw Error(where + ": malformed JSON: " + e.what());
  }
  check(j.is_object(), where, "expected a JSON object");
  check(j.contains("format") && j["format"].is_string() &&
            j["format"].get<std::string>() == kFormat,
        where, std::string("field 'format' must be \"") + kFormat + "\"");
  check(j.contains("version") && j["version"].is_number_integer(), where,
        "field 'version' must be an integer");
  check(j["version"].get<int64_t>() == kVersion, where,
        "unsupported version " + j["version"].dump() + " (this build reads version " +
            std::to_string(kVersion) + ")");
  check(j.contains("tokens") && j["tokens"].is_array(), where,
        "field 'tokens' must be an array of strings");

  const nlohmann::json& entries = j["tokens"];
  std::vector<std::string> words;
  const auto& specials = special_tokens();
  for (size_t i = 0; i < entries.size(); ++i) {
    check(entries[i].is_string(), where,
          "tokens[" + std::to_string(i) + "] is " + entries[i].type_name() + ", not a string");
    std::string t = entries[i].get<std::string>();
    if (i < specials.size()) {
      check(t == specials[i], where,
            "tokens[" + std::to_string(i) + "] is " + quote_token(t) + ", expected the special token " +
                specials[i]);
    } else {
      words.push_back(std::move(t));
    }
  }
  check(entries.size() >= specials.size(), where,
        "has " + std::to_string(entries.size()) +
            " tokens; the special tokens <pad> <bos> <eos> <unk> are missing");
  try {
    return Vocabulary(words);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
}

void VocabularyBuilder::add_text(std::string_view text) { add_tokens(tokenize(text)); }

void VocabularyBuilder::add_tokens(const std::vector<std::string>& tokens) {
  for (const std::string& t : tokens) ++counts_[t];
}

Vocabulary VocabularyBuilder::build(int64_t min_count) const {
  check(min_count >= 1, "VocabularyBuilder::build",
        "min_count must be >= 1, got " + std::to_string(min_count));
  std::vector<std::pair<std::string, int64_t>> kept;
  for (const auto& [token, count] : counts_) {
    if (count >= min_count && !is_special(token)) kept.emplace_back(token, count);
  }
  // counts_ is already in byte-wise order, so a stable sort by count keeps ties alphabetical.
  std::stable_sort(kept.begin(), kept.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> words;
  words.reserve(kept.size());
  for (auto& [token, count] : kept) words.push_back(token);
  return Vocabulary(words);
}

}  // namespace glimpse::text
