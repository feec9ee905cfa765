// The pointing game (Zhang et al., "Top-down neural attention by excitation backprop"): does
// the patch a word attends to most lie on the object the word names?
//
// Trials. Every generated word that completes an object mention (the mention's last token:
// "apple" in "red apple", "scissors" in "pair of scissors") whose candidates include an
// object of the scene is one trial, in each of two steps:
//   * predicted: the decode step that chose the word (steps[i] for word i);
//   * input: the next step, where the word is the decoder's input (steps[i + 1]; absent for
//     the last word of a caption cut at the length limit, which then has no input trial).
// Mentions of absent objects (hallucinations) are not trials.
//
// Pointing. For each decoder layer l, the argmax patch of the head-mean image attention at l;
// and "all": the argmax of the layer- and head-mean map. Ties go to the lowest patch index.
//
// Hit. The centre of the argmax patch's box (PatchGrid::boxes, original-image pixels) lies
// inside the box of any copy of a matched scene object (in the scene and among the mention's
// candidates) grown by the tolerance on each side, edges included. The tolerance is a
// fraction of the image's longer side: 1/16 by default, Zhang et al.'s 15 px at 224 px. A
// patch with an empty box (wholly letterbox padding) never hits.
//
// Chance. For reference, each trial's chance rate is the fraction of the patches that show
// some of the picture (non-empty box) whose centre would hit; PointingTally::chance is its
// mean over the trials: the accuracy of pointing at a uniformly random picture patch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/model/decoding.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::eval {

struct PointingOptions {
  float tolerance = 1.0f / 16.0f;  // fraction of the image's longer side, each side of the box
};

struct PointingTally {
  int64_t hits = 0, trials = 0;
  double chance_sum = 0.0;  // sum of the trials' chance rates

  std::optional<double> accuracy() const;  // nullopt without trials
  std::optional<double> chance() const;
  PointingTally& operator+=(const PointingTally& other);
};

// The trials of one step kind (predicted or input).
struct PointingStep {
  std::vector<PointingTally> by_layer;  // one per decoder layer
  PointingTally all;                    // the layer- and head-mean map
};

struct PointingResult {
  PointingStep predicted, input;
};

class PointingGame {
 public:
  // `layers` and `heads` of the decoder whose step records will be added.
  PointingGame(int layers, int heads, PointingOptions options = {});

  // Adds the trials of one caption: `words` one token per decoded word, `steps` its decode
  // steps (steps[i] predicted words[i]), `grid` its patch boxes, `objects` the scene's boxes,
  // `mentions` lexicon.find_mentions(words).
  void add(const std::vector<std::string>& words, const std::vector<model::StepRecord>& steps,
           const vision::PatchGrid& grid, const std::vector<vision::ObjectBox>& objects,
           const std::vector<Mention>& mentions);

  const PointingResult& result() const { return result_; }
  int layers() const { return layers_; }

 private:
  void add_trial(const model::StepRecord& step, const vision::PatchGrid& grid,
                 const std::vector<vision::PixelBox>& targets, double chance, PointingStep& into) const;

  int layers_, heads_;
  PointingOptions options_;
  PointingResult result_;
};

// The boxes a mention's pointing hits: every copy in `objects` of one of its candidates, grown
// by `tolerance` (a fraction of the picture's longer side) on each side. Empty for a mention
// of an absent object.
std::vector<vision::PixelBox> pointing_targets(const Mention& mention,
                                               const std::vector<vision::ObjectBox>& objects,
                                               const vision::PatchGrid& grid, float tolerance);

// True when the centre of `patch` lies in one of `targets` (already grown by the tolerance).
bool patch_hits(const vision::PixelBox& patch, const std::vector<vision::PixelBox>& targets);

// The argmax patch of the head-mean map of `layer` (or of the layer- and head-mean map when
// layer < 0) in `image` attention [layers, heads, N].
int64_t pointed_patch(const std::vector<float>& image, int layers, int heads, int64_t N, int layer);

}  // namespace glimpse::eval
