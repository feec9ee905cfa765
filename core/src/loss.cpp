#include "glimpse/core/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "glimpse/core/activations.h"
#include "glimpse/core/error.h"
#include "simd_math.h"

namespace glimpse {

CrossEntropyLoss::CrossEntropyLoss(int32_t ignore_index, float label_smoothing)
    : ignore_index_(ignore_index), smoothing_(label_smoothing) {
  check(label_smoothing >= 0.0f && label_smoothing <= 1.0f, "CrossEntropyLoss",
        "label_smoothing must be in [0, 1], got " + std::to_string(label_smoothing));
}

float CrossEntropyLoss::forward(const Tensor& logits, const int32_t* targets, int64_t n) {
  check(logits.rank() == 2 && logits.dim(0) == n && logits.dim(1) > 0, "CrossEntropyLoss",
        "logits have shape " + shape_str(logits.shape()) + ", expected [" + std::to_string(n) +
            ", V>0]");
  check_finite(logits, "CrossEntropyLoss", "logits");
  const int64_t V = logits.dim(1);
  log_probs_.resize(logits.shape());
  counted_ = 0;
  double nll = 0.0, smooth = 0.0;
  for (int64_t r = 0; r < n; ++r) {
    const int32_t t = targets[r];
    if (t == ignore_index_) continue;
    check(t >= 0 && t < V, "CrossEntropyLoss",
          "target " + std::to_string(t) + " at row " + std::to_string(r) + " is outside [0, " +
              std::to_string(V) + ")");
    const float* z = logits.data() + r * V;
    float* lp = log_probs_.data() + r * V;
    // The target check above means V >= 1.
    const float log_sum = log_sum_exp_row(z, V);
    double row_sum_lp = 0.0;
#pragma omp simd reduction(+ : row_sum_lp)
    for (int64_t j = 0; j < V; ++j) {
      lp[j] = z[j] - log_sum;
      row_sum_lp += static_cast<double>(lp[j]);
    }
    nll -= lp[t];
    smooth -= row_sum_lp / static_cast<double>(V);
    ++counted_;
  }
  if (counted_ == 0) return 0.0f;
  const double c = static_cast<double>(counted_);
  return static_cast<float>((1.0 - smoothing_) * nll / c + smoothing_ * smooth / c);
}

void CrossEntropyLoss::backward(const int32_t* targets, float d_loss, Tensor& d_logits) const {
  const int64_t n = log_probs_.rows(), V = log_probs_.cols();
  d_logits.resize(log_probs_.shape());
  if (counted_ == 0) {
    d_logits.zero();
    return;
  }
  // d/dz of (1-e)(-lp[t]) + e * mean_j(-lp[j]) = softmax(z) - (1-e) onehot(t) - e/V
  const float scale = d_loss / static_cast<float>(counted_);
  const float uniform = smoothing_ / static_cast<float>(V);
  for (int64_t r = 0; r < n; ++r) {
    const int32_t t = targets[r];
    float* g = d_logits.data() + r * V;
    if (t == ignore_index_) {  // every other row is written in full below: no zero pass
      std::fill(g, g + V, 0.0f);
      continue;
    }
    const float* lp = log_probs_.data() + r * V;
#pragma omp simd
    for (int64_t j = 0; j < V; ++j) g[j] = scale * (simd::fast_exp(lp[j]) - uniform);
    g[t] -= scale * (1.0f - smoothing_);
  }
}

}  // namespace glimpse
