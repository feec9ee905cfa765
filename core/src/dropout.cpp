#include "glimpse/core/dropout.h"

#include <algorithm>
#include <atomic>

#include "glimpse/core/error.h"

namespace glimpse {

namespace {
constexpr uint64_t kNoStep = ~uint64_t{0};
std::atomic<uint64_t> g_dropout_step{kNoStep};

uint64_t mix(uint64_t seed, uint64_t step) {
  uint64_t z = seed ^ (0x9e3779b97f4a7c15ULL * (step + 1));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

void set_dropout_step(uint64_t step) {
  check(step != kNoStep, "set_dropout_step", "step out of range");
  g_dropout_step.store(step);
}
void clear_dropout_step() { g_dropout_step.store(kNoStep); }

Dropout::Dropout(float p, uint64_t seed) : p_(p), seed_(seed), seen_step_(kNoStep), rng_(seed) {
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
  const uint64_t step = g_dropout_step.load();
  if (step != kNoStep && step != seen_step_) {
    rng_ = Rng(mix(seed_, step));
    seen_step_ = step;
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
