#include "glimpse/core/dropout.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "glimpse/core/error.h"
#include "simd_math.h"

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
  // One draw from the stream keys this forward's mask; element i's random bits are a hash of
  // (key, i) (simd_math.h), so the mask loop vectorises, blocks of it can run on any thread,
  // and the same seed gives the same mask whatever the thread count. Element i is dropped when
  // its top 24 bits, read as u in [0, 1), are below p: the rule of Rng::uniform() < p.
  const uint64_t key = rng_.next();
  const uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  const auto threshold = static_cast<int32_t>(std::ceil(static_cast<double>(p_) * 16777216.0));
  mask_.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - p_);
  const float* xp = x.data();
  float* yp = y.data();
  float* mp = mask_.data();
  constexpr int64_t kBlock = int64_t{1} << 16;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n > 4 * kBlock)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t at = blk * kBlock;
    const int64_t len = std::min(kBlock, n - at);
    // Counters are 32-bit: the block number past 2^32 elements goes into the second key.
    const uint32_t kb1 = k1 + static_cast<uint32_t>(at >> 32) * 0x9e3779b9u;
    const auto base = static_cast<uint32_t>(at);
    const float* xb = xp + at;
    float* yb = yp + at;
    float* mb = mp + at;
    for (int64_t i = 0; i < len; ++i) {
      const uint32_t h = simd::counter_hash(base + static_cast<uint32_t>(i), k0, kb1);
      const float m = static_cast<int32_t>(h >> 8) < threshold ? 0.0f : keep_scale;
      mb[i] = m;
      yb[i] = xb[i] * m;
    }
  }
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
  const float* dyp = dy.data();
  const float* mp = mask_.data();
  float* dxp = dx.data();
  for (int64_t i = 0; i < n; ++i) dxp[i] = dyp[i] * mp[i];
}

}  // namespace glimpse
