#include "glimpse/text/tokenizer.h"

#include <array>

namespace glimpse::text {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters that become tokens of their own (subject to the number and clitic rules).
bool is_split_char(char c) {
  switch (c) {
    case '.': case ',': case ';': case ':': case '!': case '?': case '\'': case '"':
    case '(': case ')': case '[': case ']': case '{': case '}':
      return true;
    default:
      return false;
  }
}

// PTB's clitics after the apostrophe: 's 'm 'd 'll 're 've ("n't" is handled apart because
// its apostrophe sits inside the clitic).
bool is_apostrophe_clitic(std::string_view letters) {
  static constexpr std::array<std::string_view, 6> kClitics = {"s", "m", "d", "ll", "re", "ve"};
  for (std::string_view c : kClitics) {
    if (letters == c) return true;
  }
  return false;
}

// The length of the well-formed UTF-8 sequence at the start of `s` (1-4 bytes), or 0 when it
// is ill-formed; `*bad` then gets the length of its maximal ill-formed prefix (at least 1),
// which Unicode's "U+FFFD substitution of maximal subparts" replaces by one U+FFFD.
size_t utf8_sequence(std::string_view s, size_t* bad) {
  const unsigned char lead = static_cast<unsigned char>(s[0]);
  if (lead < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range (Unicode Table 3-7)
  if (lead >= 0xC2 && lead <= 0xDF) len = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;  // no overlong forms
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *bad = 1;  // a continuation byte without a lead, C0, C1, F5..FF
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    const unsigned char c = k < s.size() ? static_cast<unsigned char>(s[k]) : 0;
    const bool ok = k == 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xBF;
    if (!ok) {
      *bad = k;
      return 0;
    }
  }
  return len;
}

// Lowercases ASCII, maps typographic single/double quotes (U+2018/2019, U+201C/201D) to their
// ASCII forms, so that "dog’s" splits like "dog's", and replaces every ill-formed UTF-8
// sequence by U+FFFD, so every token is valid UTF-8 (the vocabulary and the JSON outputs
// need that; nlohmann::json refuses to write invalid UTF-8).
std::string normalise(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t bad = 0;
    const size_t len = utf8_sequence(text.substr(i), &bad);
    if (len == 0) {
      out += kReplacement;
      i += bad;
      continue;
    }
    if (len == 3 && static_cast<unsigned char>(text[i]) == 0xE2 &&
        static_cast<unsigned char>(text[i + 1]) == 0x80) {
      const unsigned char third = static_cast<unsigned char>(text[i + 2]);
      if (third == 0x98 || third == 0x99 || third == 0x9C || third == 0x9D) {
        out += third <= 0x99 ? '\'' : '"';
        i += 3;
        continue;
      }
    }
    if (len == 1) out += to_lower(text[i]);
    else out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

// Splits one whitespace-free chunk into tokens, appending them to `out`.
void split_chunk(std::string_view s, std::vector<std::string>& out) {
  std::string word;
  auto flush = [&] {
    if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  };
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (!is_split_char(c)) {
      word += c;
      ++i;
      continue;
    }
    const bool next_is_digit = i + 1 < s.size() && is_digit(s[i + 1]);
    // "3.5", "1,000", "10:30": the separator stays inside the number.
    if ((c == '.' || c == ',' || c == ':') && !word.empty() && is_digit(word.back()) &&
        next_is_digit) {
      word += c;
      ++i;
      continue;
    }
    // ".5" at the start of a word is a number too.
    if (c == '.' && word.empty() && next_is_digit) {
      word += c;
      ++i;
      continue;
    }
    if (c == '.') {  // "." or an ellipsis "..."
      flush();
      size_t j = i;
      while (j < s.size() && s[j] == '.') ++j;
      out.emplace_back(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '\'') {
      size_t j = i + 1;
      while (j < s.size() && is_letter(s[j])) ++j;
      const std::string_view letters = s.substr(i + 1, j - i - 1);
      const bool letters_end_word = j == s.size() || is_split_char(s[j]);
      if (letters_end_word && is_apostrophe_clitic(letters)) {  // dog's -> dog 's
        flush();
        // Appended, not "'" + std::string(letters): GCC 12 at -O3 warns, falsely, -Wrestrict
        // on that operator+(const char*, string&&) once inlined.
        out.emplace_back("'").append(letters);
        i = j;
        continue;
      }
      if (letters_end_word && letters == "t" && !word.empty() && word.back() == 'n') {
        word.pop_back();  // don't -> do n't
        // What precedes n't is split as a chunk of its own: with the n gone, "can'dn't" leaves
        // "can'd" and "n'n't" leaves "n'", which tokenising the tokens again would split
        // further (tokens must tokenise to themselves).
        const std::string before = std::move(word);
        word.clear();
        split_chunk(before, out);
        out.emplace_back("n't");
        i = j;
        continue;
      }
      if (!word.empty() && !letters.empty()) {  // o'clock
        word += c;
        ++i;
        continue;
      }
    }
    flush();
    out.emplace_back(1, c);
    ++i;
  }
  flush();
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  const std::string normalised = normalise(text);
  const std::string_view s = normalised;
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) split_chunk(s.substr(i, j - i), tokens);
    i = j;
  }
  return tokens;
}

bool is_punctuation_token(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (!is_split_char(c) && c != '-' && c != '`') return false;
  }
  return true;
}

std::vector<std::string> tokenize_for_scoring(std::string_view text) {
  std::vector<std::string> tokens = tokenize(text);
  std::erase_if(tokens, [](const std::string& t) { return is_punctuation_token(t); });
  return tokens;
}

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    out += tokens[i];
  }
  return out;
}

}  // namespace glimpse::text
