// Seeded random numbers for initialisation and dropout. One generator type everywhere, so a
// seed fixes every draw the engine makes (libstdc++'s mt19937_64 is specified bit-for-bit;
// the distributions below are written out so they do not depend on the standard library).
#pragma once

#include <cstdint>
#include <random>

namespace glimpse {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0x9e3779b97f4a7c15ULL) : engine_(seed) {}

  // Uniform in [0, 1) with 24 random bits.
  float uniform() { return static_cast<float>(engine_() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Standard normal (Box-Muller; draws two uniforms per call, keeps no state between calls).
  float normal();
  uint64_t next() { return engine_(); }

  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace glimpse
