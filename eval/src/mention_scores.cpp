#include "glimpse/eval/mention_scores.h"

#include <algorithm>
#include <set>

#include "glimpse/eval/optional_ratio.h"


namespace glimpse::eval {
namespace {

std::optional<double> ratio(int64_t num, int64_t den) {
  return optional_ratio(static_cast<double>(num), static_cast<double>(den));
}

}  // namespace

std::optional<double> MentionCounts::precision() const {
  return ratio(true_positives, true_positives + false_positives);
}

std::optional<double> MentionCounts::recall() const { return ratio(recalled, scene_objects); }

std::optional<double> MentionCounts::f1() const {
  const auto p = precision(), r = recall();
  if (!r) return std::nullopt;
  if (!p) return 0.0;  // objects to name and no mentions at all: nothing recalled
  return *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0.0;
}

MentionCounts& MentionCounts::operator+=(const MentionCounts& o) {
  true_positives += o.true_positives;
  false_positives += o.false_positives;
  scene_objects += o.scene_objects;
  recalled += o.recalled;
  return *this;
}

std::vector<std::string> scene_object_names(const std::vector<vision::ObjectBox>& objects) {
  std::set<std::string> names;
  for (const auto& o : objects) names.insert(o.name);
  return {names.begin(), names.end()};
}

bool mention_in_scene(const Mention& mention, const std::vector<std::string>& scene) {
  return std::any_of(mention.candidates.begin(), mention.candidates.end(), [&](const std::string& c) {
    return std::binary_search(scene.begin(), scene.end(), c);
  });
}

CaptionMentions score_mentions(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens,
                               const std::vector<std::string>& scene) {
  CaptionMentions out;
  out.mentions = lexicon.find_mentions(tokens);
  std::set<std::vector<std::string>> present_sets, absent_sets, repeated;
  std::set<std::string> recalled;
  for (const Mention& m : out.mentions) {
    std::vector<std::string> present;
    for (const std::string& c : m.candidates)
      if (std::binary_search(scene.begin(), scene.end(), c)) present.push_back(c);
    if (present.empty()) {
      if (!absent_sets.insert(m.candidates).second) repeated.insert(m.candidates);
    } else {
      recalled.insert(present.begin(), present.end());
      if (!present_sets.insert(present).second) repeated.insert(present);
    }
  }
  out.recalled.assign(recalled.begin(), recalled.end());
  out.hallucinated.assign(absent_sets.begin(), absent_sets.end());
  out.repeated.assign(repeated.begin(), repeated.end());
  out.counts.true_positives = static_cast<int64_t>(present_sets.size());
  out.counts.false_positives = static_cast<int64_t>(absent_sets.size());
  out.counts.scene_objects = static_cast<int64_t>(scene.size());
  out.counts.recalled = static_cast<int64_t>(recalled.size());
  return out;
}

}  // namespace glimpse::eval
