#include "glimpse/eval/object_mention_ban.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "glimpse/core/error.h"
#include "glimpse/text/tokenizer.h"

namespace glimpse::eval {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Whether `words` ends with `part`.
bool ends_with_ids(const std::vector<int32_t>& words, const int32_t* part, size_t n) {
  return n <= words.size() && std::equal(part, part + n, words.end() - static_cast<std::ptrdiff_t>(n));
}

}  // namespace

std::string describe(const ObjectMentionRules& rules) {
  std::string out;
  if (rules.no_repeats) out += ", no object named twice";
  if (rules.min_presence > 0.0f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(rules.min_presence));
    out += std::string(", no object seen below ") + buf;
  }
  return out;
}

ObjectMentionBan::ObjectMentionBan(const ObjectLexicon& lexicon, const text::Vocabulary& vocabulary,
                                   ObjectMentionRules rules)
    : lexicon_(&lexicon), vocabulary_(&vocabulary), rules_(rules) {
  check(rules.min_presence >= 0.0f && rules.min_presence <= 1.0f, "ObjectMentionBan",
        "the least object presence must be in [0, 1], got " + std::to_string(rules.min_presence));
  auto tables = std::make_shared<Tables>();
  const auto& objects = lexicon.objects();
  // By phrase text, so that the order (and nothing else) does not follow the hash map's.
  const std::map<std::string, std::vector<std::string>> sorted(lexicon.phrases().begin(), lexicon.phrases().end());
  for (const auto& [phrase, named] : sorted) {
    const std::vector<std::string> tokens = text::tokenize(phrase);
    if (tokens.empty() || (tokens.size() == 1 && lexicon.is_colour_word(tokens[0]))) continue;
    Phrase p;
    for (const std::string& t : tokens) {
      if (!vocabulary.contains(t)) break;
      p.ids.push_back(vocabulary.id(t));
    }
    if (p.ids.size() != tokens.size()) continue;
    p.objects = named;
    for (const std::string& o : named)
      p.classes.push_back(1 + (std::lower_bound(objects.begin(), objects.end(), o) - objects.begin()));
    tables->phrases.push_back(std::move(p));
  }
  for (size_t i = 0; i < tables->phrases.size(); ++i) {
    const auto& ids = tables->phrases[i].ids;
    for (size_t n = 1; n < ids.size(); ++n)
      tables->prefixes[std::vector<int32_t>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n))]
          .extensions.push_back(i);
  }
  tables_ = std::move(tables);
}

ObjectMentionBan ObjectMentionBan::for_images(Tensor presence) const {
  const int64_t classes = 1 + static_cast<int64_t>(lexicon_->objects().size());
  check(presence.shape().size() == 2 && presence.shape()[1] == classes, "ObjectMentionBan",
        "object presence must have one column per catalogue object and one for background (" +
            std::to_string(classes) + ")");
  ObjectMentionBan out = *this;
  out.presence_ = std::move(presence);
  return out;
}

void ObjectMentionBan::ban(int64_t image, const std::vector<int32_t>& words, float* logprobs) const {
  const bool unseen_rule = rules_.min_presence > 0.0f;
  if (unseen_rule)
    check(!presence_.shape().empty() && image >= 0 && image < presence_.shape()[0], "ObjectMentionBan",
          "no object presence for image " + std::to_string(image) + " (for_images() first)");
  std::vector<Mention> named;
  if (rules_.no_repeats) {
    std::vector<std::string> tokens;
    tokens.reserve(words.size());
    for (int32_t id : words) tokens.push_back(vocabulary_->token(id));
    named = lexicon_->find_mentions(tokens);
    // A mention that ends the words so far is not settled when the next word may still make
    // it a longer phrase ("a teddy" -> "a teddy bear") or, for a colour word that is also an
    // object ("an orange"), a colour: the next choice is what it is for.
    if (!named.empty() && static_cast<size_t>(named.back().last) + 1 == words.size()) {
      const std::vector<int32_t> span(words.begin() + named.back().first, words.end());
      if (tables_->prefixes.count(span) > 0 || (span.size() == 1 && lexicon_->is_colour_word(tokens.back())))
        named.pop_back();
    }
  }
  if (named.empty() && !unseen_rule) return;

  const auto& phrases = tables_->phrases;
  const float* presence = unseen_rule ? presence_.data() + image * presence_.shape()[1] : nullptr;
  // 1 banned, 0 allowed, -1 not known yet.
  std::vector<int8_t> banned(phrases.size(), -1);
  auto is_banned = [&](size_t i) {
    if (banned[i] < 0) {
      const Phrase& p = phrases[i];
      const bool repeats = std::any_of(named.begin(), named.end(), [&](const Mention& m) {
        return std::includes(m.candidates.begin(), m.candidates.end(), p.objects.begin(), p.objects.end());
      });
      const bool unseen = presence != nullptr && std::all_of(p.classes.begin(), p.classes.end(), [&](int64_t c) {
                            return presence[c] < rules_.min_presence;
                          });
      banned[i] = repeats || unseen;
    }
    return banned[i] == 1;
  };
  auto only_banned = [&](const Prefix& p) { return std::all_of(p.extensions.begin(), p.extensions.end(), is_banned); };

  // For each next token that would finish a phrase, the longest such phrase (the one
  // find_mentions reads: "a hot" + "dog" is the hot dog, not the dog) and whether it is banned;
  // and the longest allowed phrase it would go on with ("a wine" + "glass" may still become a
  // longer phrase that is allowed).
  struct Reading {
    size_t finished = 0;  // tokens of the longest phrase the token finishes
    bool banned = false;
    size_t going_on = 0;  // tokens of the longest allowed prefix the token makes
  };
  std::map<int32_t, Reading> next;
  for (size_t i = 0; i < phrases.size(); ++i) {
    const auto& ids = phrases[i].ids;
    if (!ends_with_ids(words, ids.data(), ids.size() - 1)) continue;
    Reading& r = next[ids.back()];
    if (ids.size() > r.finished) r = {ids.size(), is_banned(i), r.going_on};
  }
  for (const auto& [ids, prefix] : tables_->prefixes)
    if (ends_with_ids(words, ids.data(), ids.size() - 1) && !only_banned(prefix)) {
      Reading& r = next[ids.back()];
      r.going_on = std::max(r.going_on, ids.size());
    }
  for (const auto& [token, r] : next)
    if (r.banned && r.going_on < r.finished) logprobs[token] = kNegInf;
}

}  // namespace glimpse::eval
