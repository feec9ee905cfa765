// Cross-entropy over logits with an ignored target id (padding) and label smoothing, as
// torch.nn.functional.cross_entropy(logits, targets, ignore_index=..., label_smoothing=...,
// reduction='mean'): the mean is over the targets that are not ignored.
#pragma once

#include <cstdint>

#include "glimpse/core/tensor.h"

namespace glimpse {

class CrossEntropyLoss {
 public:
  explicit CrossEntropyLoss(int32_t ignore_index = -100, float label_smoothing = 0.0f);

  // logits: [n, V]; targets: n ids in [0, V) or ignore_index. Returns the mean loss (0 when
  // every target is ignored). Saves the log-probabilities for backward.
  float forward(const Tensor& logits, const int32_t* targets, int64_t n);
  // d_logits = d_loss * dL/dlogits; ignored rows get 0.
  void backward(const int32_t* targets, float d_loss, Tensor& d_logits) const;

  int64_t counted() const { return counted_; }  // targets that were not ignored

 private:
  int32_t ignore_index_;
  float smoothing_;
  Tensor log_probs_;
  int64_t counted_ = 0;
};

}  // namespace glimpse
