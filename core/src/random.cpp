#include "glimpse/core/random.h"

#include <cmath>

namespace glimpse {

float Rng::normal() {
  // Box-Muller on (0, 1] x [0, 1): u1 never 0, so log(u1) is finite.
  float u1 = 1.0f - uniform();
  float u2 = uniform();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.28318530717958647692f * u2);
}

}  // namespace glimpse
