// Inverted dropout: in training each element is zeroed with probability p and the survivors
// scaled by 1/(1-p); in evaluation it is the identity. Seeded, so a run is reproducible.
#pragma once

#include <cstdint>

#include "glimpse/core/random.h"
#include "glimpse/core/tensor.h"

namespace glimpse {

// Training runs that must resume bit-exactly (glimpse train --resume) number their steps with
// set_dropout_step(): from then on every Dropout reseeds its stream from (its own seed, step)
// at its first training forward of a step, so the masks of step s depend on s alone and not
// on how many steps this process has run. Without a call, each Dropout keeps one stream.
void set_dropout_step(uint64_t step);
void clear_dropout_step();

class Dropout {
 public:
  explicit Dropout(float p = 0.0f, uint64_t seed = 0);

  // Saves the mask when training and p > 0.
  void forward(const Tensor& x, Tensor& y, bool training);
  // dx = dy * mask (identity when the last forward did not drop).
  void backward(const Tensor& dy, Tensor& dx) const;

  float p() const { return p_; }
  void reseed(uint64_t seed) { rng_ = Rng(seed); seed_ = seed; }
  Rng& rng() { return rng_; }
  // True when the last forward applied a mask.
  bool active() const { return active_; }
  const Tensor& mask() const { return mask_; }

 private:
  float p_;
  uint64_t seed_;
  uint64_t seen_step_;  // the set_dropout_step() value the stream was last reseeded for
  Rng rng_;
  Tensor mask_;  // 0 or 1/(1-p)
  bool active_ = false;
};

}  // namespace glimpse
