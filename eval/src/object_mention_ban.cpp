#include "glimpse/eval/object_repeat_ban.h"

#include <algorithm>
#include <limits>
#include <set>

#include "glimpse/text/tokenizer.h"

namespace glimpse::eval {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Whether `words` ends with `part`.
bool ends_with(const std::vector<int32_t>& words, const int32_t* part, size_t n) {
  return n <= words.size() && std::equal(part, part + n, words.end() - static_cast<std::ptrdiff_t>(n));
}

}  // namespace

ObjectRepeatBan::ObjectRepeatBan(const ObjectLexicon& lexicon, const text::Vocabulary& vocabulary)
    : lexicon_(lexicon), vocabulary_(vocabulary) {
  // By phrase text, so that the order (and nothing else) does not follow the hash map's.
  const std::map<std::string, std::vector<std::string>> sorted(lexicon.phrases().begin(), lexicon.phrases().end());
  std::set<std::vector<int32_t>> whole;
  for (const auto& [phrase, objects] : sorted) {
    const std::vector<std::string> tokens = text::tokenize(phrase);
    if (tokens.empty() || (tokens.size() == 1 && lexicon.is_colour_word(tokens[0]))) continue;
    Phrase p;
    for (const std::string& t : tokens) {
      if (!vocabulary.contains(t)) break;
      p.ids.push_back(vocabulary.id(t));
    }
    if (p.ids.size() != tokens.size()) continue;
    p.objects = objects;
    whole.insert(p.ids);
    phrases_.push_back(std::move(p));
  }
  for (size_t i = 0; i < phrases_.size(); ++i) {
    const auto& ids = phrases_[i].ids;
    for (size_t n = 1; n < ids.size(); ++n)
      prefixes_[std::vector<int32_t>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n))].extensions.push_back(i);
  }
  for (auto& [ids, prefix] : prefixes_)
    prefix.stands_alone = whole.count(ids) > 0 || lexicon.is_colour_word(vocabulary.token(ids[0]));
}

void ObjectRepeatBan::ban(const std::vector<int32_t>& words, float* logprobs) const {
  std::vector<std::string> tokens;
  tokens.reserve(words.size());
  for (int32_t id : words) tokens.push_back(vocabulary_.token(id));
  std::vector<Mention> named = lexicon_.find_mentions(tokens);
  // A mention that ends the words so far is not settled when the next word may still make it
  // a longer phrase ("a teddy" -> "a teddy bear") or, for a colour word that is also an
  // object ("an orange"), a colour: the next choice is what it is for.
  if (!named.empty() && static_cast<size_t>(named.back().last) + 1 == words.size()) {
    const Mention& last = named.back();
    const std::vector<int32_t> span(words.begin() + last.first, words.end());
    if (prefixes_.count(span) > 0 || (span.size() == 1 && lexicon_.is_colour_word(tokens.back())))
      named.pop_back();
  }
  if (named.empty()) return;

  // 1 banned, 0 allowed, -1 not known yet.
  std::vector<int8_t> banned(phrases_.size(), -1);
  auto is_banned = [&](size_t i) {
    if (banned[i] < 0) {
      const auto& objects = phrases_[i].objects;
      banned[i] = std::any_of(named.begin(), named.end(), [&](const Mention& m) {
        return std::includes(m.candidates.begin(), m.candidates.end(), objects.begin(), objects.end());
      });
    }
    return banned[i] == 1;
  };
  auto only_banned = [&](const Prefix& p) { return std::all_of(p.extensions.begin(), p.extensions.end(), is_banned); };

  // The last token of a banned phrase, unless a longer phrase that is allowed goes on from it.
  for (size_t i = 0; i < phrases_.size(); ++i) {
    const auto& ids = phrases_[i].ids;
    if (!ends_with(words, ids.data(), ids.size() - 1) || !is_banned(i)) continue;
    const auto longer = prefixes_.find(ids);
    if (longer == prefixes_.end() || only_banned(longer->second)) logprobs[ids.back()] = kNegInf;
  }
  // A token that would begin or go on with banned phrases only, and is no phrase itself.
  for (const auto& [ids, prefix] : prefixes_) {
    if (prefix.stands_alone || !ends_with(words, ids.data(), ids.size() - 1)) continue;
    if (only_banned(prefix)) logprobs[ids.back()] = kNegInf;
  }
}

}  // namespace glimpse::eval
