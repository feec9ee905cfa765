// Helpers shared by the engine tests: seeded random tensors and error measures.
#pragma once

#include <algorithm>
#include <cmath>

#include "glimpse/core/random.h"
#include "glimpse/core/tensor.h"

namespace glimpse::testing {

inline Tensor random_tensor(const Shape& shape, Rng& rng, float scale = 1.0f) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = scale * rng.normal();
  return t;
}

inline float max_abs(const Tensor& t) {
  float m = 0.0f;
  for (int64_t i = 0; i < t.size(); ++i) m = std::max(m, std::fabs(t[i]));
  return m;
}

inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  float m = 0.0f;
  for (int64_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

// max |a - b| / max |b|: the error relative to the reference tensor's scale. Used for every
// parity comparison (an element-wise relative error is meaningless for entries near zero).
inline float relative_error(const Tensor& actual, const Tensor& reference) {
  return max_abs_diff(actual, reference) / std::max(max_abs(reference), 1e-12f);
}

}  // namespace glimpse::testing
