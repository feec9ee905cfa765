#include "glimpse/eval/object_mention_ban.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "glimpse/core/error.h"
#include "glimpse/text/tokenizer.h"

namespace glimpse::eval {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

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
  const auto& objects = lexicon.object_names();
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
    tables->finishing[std::vector<int32_t>(ids.begin(), ids.end() - 1)].push_back(i);
    tables->longest_head = std::max(tables->longest_head, ids.size() - 1);
    for (size_t n = 1; n < ids.size(); ++n) tables->prefixes.emplace(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n));
  }
  for (const std::vector<int32_t>& prefix : tables->prefixes) {
    GoingOn g{prefix.back(), {}};
    for (size_t i = 0; i < tables->phrases.size(); ++i) {
      const auto& ids = tables->phrases[i].ids;
      if (ids.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), ids.begin())) g.extensions.push_back(i);
    }
    tables->going_on[std::vector<int32_t>(prefix.begin(), prefix.end() - 1)].push_back(std::move(g));
  }
  tables_ = std::move(tables);
}

ObjectMentionBan ObjectMentionBan::for_images(Tensor presence) const {
  const int64_t classes = 1 + static_cast<int64_t>(lexicon_->object_names().size());
  check(presence.shape().size() == 2 && presence.shape()[1] == classes, "ObjectMentionBan",
        "object presence must have one column per catalogue object and one for background (" +
            std::to_string(classes) + ")");
  ObjectMentionBan out = *this;
  const auto& phrases = tables_->phrases;
  out.images_ = presence.shape()[0];
  out.unseen_.assign(static_cast<size_t>(out.images_) * phrases.size(), 0);
  for (int64_t i = 0; i < out.images_; ++i) {
    const float* seen = presence.data() + i * classes;
    for (size_t p = 0; p < phrases.size(); ++p)
      out.unseen_[static_cast<size_t>(i) * phrases.size() + p] =
          std::all_of(phrases[p].classes.begin(), phrases[p].classes.end(),
                      [&](int64_t c) { return seen[c] < rules_.min_presence; });
  }
  return out;
}

bool ObjectMentionBan::repeats(const Phrase& phrase, const std::vector<Mention>& named) const {
  return std::any_of(named.begin(), named.end(), [&](const Mention& m) {
    return std::includes(m.candidates.begin(), m.candidates.end(), phrase.objects.begin(), phrase.objects.end());
  });
}

void ObjectMentionBan::ban(int64_t image, const std::vector<int32_t>& words, float* logprobs) const {
  const bool unseen_rule = rules_.min_presence > 0.0f;
  if (unseen_rule)
    check(image >= 0 && image < images_, "ObjectMentionBan",
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
  const uint8_t* unseen = unseen_rule ? unseen_.data() + static_cast<size_t>(image) * phrases.size() : nullptr;
  auto is_banned = [&](size_t i) { return (unseen != nullptr && unseen[i] != 0) || repeats(phrases[i], named); };
  // The words' last n tokens: the head a phrase or prefix must have for the next token to
  // complete it.
  auto head = [&](size_t n) { return std::vector<int32_t>(words.end() - static_cast<std::ptrdiff_t>(n), words.end()); };
  const size_t longest = std::min(tables_->longest_head, words.size());

  // For each next token that would finish a phrase, the longest such phrase (the one
  // find_mentions reads: "a hot" + "dog" is the hot dog, not the dog) and whether it is
  // banned: longest heads first, and a token keeps its first reading. One-token phrases come
  // last and nothing shorter can overrule them, so only their banned readings are kept.
  struct Reading {
    size_t finished = 0;  // tokens of the longest phrase the token finishes; 0: none yet
    bool banned = false;
  };
  // By token id (a flat table: with the unseen rule most one-token phrases are banned, and a
  // tree of several hundred readings per call cost more than the decoder step).
  std::vector<Reading> next(static_cast<size_t>(vocabulary_->size()));
  std::vector<int32_t> read;  // the tokens with a reading
  for (size_t n = longest + 1; n-- > 0;) {
    const auto found = tables_->finishing.find(head(n));
    if (found == tables_->finishing.end()) continue;
    for (size_t i : found->second) {
      const int32_t token = phrases[i].ids.back();
      Reading& r = next[static_cast<size_t>(token)];
      if (r.finished > 0) continue;
      const bool banned = is_banned(i);
      if (banned || n > 0) {
        r = {n + 1, banned};
        read.push_back(token);
      }
    }
  }
  // A banned reading stands unless the token also goes on with an allowed phrase at least as
  // long ("a wine" + "glass" may still become a longer phrase that is allowed).
  for (size_t n = 0; n <= longest; ++n) {
    const auto found = tables_->going_on.find(head(n));
    if (found == tables_->going_on.end()) continue;
    for (const GoingOn& g : found->second) {
      Reading& r = next[static_cast<size_t>(g.last)];
      if (r.banned && r.finished <= n + 1 && !std::all_of(g.extensions.begin(), g.extensions.end(), is_banned))
        r.banned = false;
    }
  }
  for (int32_t token : read)
    if (next[static_cast<size_t>(token)].banned) logprobs[token] = kNegInf;
}

}  // namespace glimpse::eval
