// Object-mention precision and recall of a caption against the objects in its scene.
//
// Rule (per caption, after find_mentions):
//   * a mention is a true positive when any of its candidate objects is in the scene; the
//     scene objects among its candidates count as recalled;
//   * otherwise it is a false positive: a hallucinated object;
//   * duplicates count once: true positives are the distinct sets of in-scene candidates
//     ("an apple ... the red apple" with a red apple in the scene is one), false positives the
//     distinct candidate sets ("a bike and a bicycle" is one);
//   * the scene's objects are its distinct object names (two cats are one "cat");
//   * an object is named twice when two mentions denote the same set (the in-scene candidates
//     of a true positive, the candidates of a false positive): "a tent ... and a tent at the
//     top right" repeats {tent}; "two tents" is one mention and no repeat.
// Over a corpus the counts are summed (micro-average): precision = TP / (TP + FP),
// recall = recalled / scene objects, F1 = their harmonic mean. A ratio with a zero denominator
// is undefined ("n/a"): a corpus without mentions has no precision, one without objects (user
// photos without boxes) no recall and no F1; with objects but no mentions F1 is 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::eval {

struct MentionCounts {
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  int64_t scene_objects = 0;  // distinct object names in the scenes
  int64_t recalled = 0;       // of those, how many the captions named

  std::optional<double> precision() const;
  std::optional<double> recall() const;
  std::optional<double> f1() const;
  MentionCounts& operator+=(const MentionCounts& other);
};

struct CaptionMentions {
  std::vector<Mention> mentions;
  std::vector<std::string> recalled;                   // scene objects named, sorted
  std::vector<std::vector<std::string>> hallucinated;  // distinct candidate sets of absent objects
  std::vector<std::vector<std::string>> repeated;      // sets named by more than one mention
  MentionCounts counts;
};

// The distinct object names of a scene, sorted.
std::vector<std::string> scene_object_names(const std::vector<vision::ObjectBox>& objects);

// `scene`: distinct object names (scene_object_names).
CaptionMentions score_mentions(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens,
                               const std::vector<std::string>& scene);

// True when `mention` names an object of `scene` (sorted names).
bool mention_in_scene(const Mention& mention, const std::vector<std::string>& scene);

}  // namespace glimpse::eval
