#include "glimpse/core/dropout.h"

#include <algorithm>

#include "glimpse/core/error.h"

namespace glimpse {

Dropout::Dropout(float p, uint64_t seed) : p_(p), rng_(seed) {
  check(p >= 0.0f && p < 1.0f, "Dropout", "p must be in [0, 1), got " + std::to_string(p));
}

void Dropout::forward(const Tensor& x, Tensor& y, bool training) {
  y.resize(x.shape());
  active_ = training && p_ > 0.0f;
  const int64_t n = x.size();
  if (!active_) {
    if (&y != &x) std::copy(x.data(), x.data() + n, y.data());
    return;
  }
  // The mask is drawn serially from one stream: the same seed gives the same mask whatever
  // the thread count.
  mask_.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - p_);
  for (int64_t i = 0; i < n; ++i) mask_[i] = rng_.uniform() < p_ ? 0.0f : keep_scale;
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * mask_[i];
}

void Dropout::backward(const Tensor& dy, Tensor& dx) const {
  dx.resize(dy.shape());
  const int64_t n = dy.size();
  if (!active_) {
    if (&dx != &dy) std::copy(dy.data(), dy.data() + n, dx.data());
    return;
  }
  check(mask_.shape() == dy.shape(), "Dropout.backward",
        "grad " + shape_str(dy.shape()) + " does not match the mask " + shape_str(mask_.shape()));
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * mask_[i];
}

}  // namespace glimpse
