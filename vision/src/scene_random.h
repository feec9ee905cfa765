// Small draws on glimpse::Rng that the scene generator shares. Written out (not
// std::uniform_int_distribution) so that a seed gives the same scenes with any standard library.
#pragma once

#include <cstdint>
#include <vector>

#include "glimpse/core/random.h"

namespace glimpse::vision::scene_random {

// Uniform in [0, n), n >= 1 (multiply-shift on 32 random bits).
inline int below(Rng& rng, int n) {
  return static_cast<int>(((rng.next() >> 32) * static_cast<uint64_t>(n)) >> 32);
}

// True with probability p.
inline bool chance(Rng& rng, float p) { return rng.uniform() < p; }

// Index drawn with probability proportional to weights[i].
inline int weighted(Rng& rng, const std::vector<float>& weights) {
  float total = 0.0f;
  for (const float w : weights) total += w;
  float u = rng.uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (u < weights[i]) return static_cast<int>(i);
    u -= weights[i];
  }
  return static_cast<int>(weights.size()) - 1;
}

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& items) {
  return items[static_cast<size_t>(below(rng, static_cast<int>(items.size())))];
}

// Fisher-Yates.
template <typename T>
void shuffle(Rng& rng, std::vector<T>& items) {
  for (int i = static_cast<int>(items.size()) - 1; i > 0; --i) {
    const int j = below(rng, i + 1);
    std::swap(items[static_cast<size_t>(i)], items[static_cast<size_t>(j)]);
  }
}

}  // namespace glimpse::vision::scene_random
