// Which training sample goes where: the data order of a run as a pure function of
// (seed, global sample position). Position g = step * batch + j lies in epoch g / N (N images)
// at slot g % N of that epoch's shuffled order; its context text and its target caption are
// drawn from a stream seeded by (seed, g). So a run resumed at step s sees exactly the samples
// an uninterrupted run would, and MPI ranks each take their own slice of a step's positions
// without talking to each other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/vision/caption_dataset.h"

namespace glimpse::train {

// One training sample: an image, the context text fed to the context encoder (possibly empty)
// and the caption the decoder must produce given it.
struct Sample {
  size_t image = 0;  // index into CaptionDataset::images
  std::string context;
  std::string caption;
};

class SamplePlan {
 public:
  // `data` must outlive the plan and hold at least one image. With `use_contexts` false every
  // sample has the empty context and one of the image's plain captions.
  SamplePlan(const vision::CaptionDataset& data, uint64_t seed, bool use_contexts = true);

  // The sample at global position g. The context is drawn uniformly from {empty} ∪ the image's
  // context entries; the caption uniformly from the targets given that context.
  Sample at(uint64_t position) const;
  size_t images() const { return data_.images.size(); }

 private:
  const std::vector<uint32_t>& order(uint64_t epoch) const;

  const vision::CaptionDataset& data_;
  uint64_t seed_;
  bool use_contexts_;
  // The shuffled order of the last epoch asked for (a run walks epochs in sequence).
  mutable uint64_t cached_epoch_ = ~uint64_t{0};
  mutable std::vector<uint32_t> cached_order_;
};

// splitmix64 of (a, b): independent streams from one seed.
uint64_t mix_seed(uint64_t a, uint64_t b);

}  // namespace glimpse::train
