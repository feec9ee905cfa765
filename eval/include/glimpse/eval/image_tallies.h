// One image's counts and scores behind every metric of an EvalReport, kept so that a
// resample of the images (bootstrap.h) sums them into the resample's metrics without
// re-decoding or re-scoring any text. Summing every image's tallies gives the report's own
// totals; metric_value() reads one metric from such a sum.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "glimpse/eval/context_following.h"
#include "glimpse/eval/mention_scores.h"
#include "glimpse/eval/optional_ratio.h"
#include "glimpse/eval/pointing_game.h"
#include "glimpse/text/metrics.h"

namespace glimpse::eval {

// Mean image and context share over generated words (their predicted steps).
struct ShareMeans {
  int64_t words = 0;
  double image_sum = 0.0;
  std::optional<double> image() const;
  std::optional<double> context() const;  // 1 - image
  ShareMeans& operator+=(const ShareMeans& other);
};

struct ImageTallies {
  int64_t images = 0;                   // how many images were summed
  text::ImageCaptionScores captions;    // empty context against the plain references
  MentionCounts mentions;               // empty context
  int64_t hallucinating_captions = 0;   // empty-context captions naming an absent object
  int64_t repeating_captions = 0;       // empty-context captions naming an object twice
  PointingResult pointing;              // empty context
  ShareMeans shares;                    // empty context
  ShareMeans distractor_shares;         // with distractor contexts
  int64_t distractor_captions = 0;
  int64_t distractor_hallucinating = 0;
  std::map<std::string, FollowTally> following;  // by context_kind_key, kinds with a rule only

  ImageTallies& operator+=(const ImageTallies& other);
};

// A metric a sum of tallies yields; none where it is undefined for that sum (a zero
// denominator).
struct TalliedMetric {
  std::string key;
  std::function<std::optional<double>(const ImageTallies&)> value;
};

// Every metric of the report, in report order, keyed "bleu_1".."bleu_4", "meteor", "rouge_l",
// "cider_d", "object_precision", "object_recall", "object_f1", "hallucination_rate", "no_repeat_rate",
// "distractor_hallucination_rate", "<kind>_followed" (followed_context_kinds()),
// "image_share", "context_share", "image_share_distractor", "context_share_distractor",
// "pointing_<predicted|input>_<all|layer_N|chance>" (N = 1..layers).
std::vector<TalliedMetric> tallied_metrics(size_t layers);

}  // namespace glimpse::eval
