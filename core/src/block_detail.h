// Internal helpers shared by the transformer blocks.
#pragma once

#include <cstdint>

#include "glimpse/core/eigen_maps.h"

namespace glimpse::block_detail {

// Distinct, reproducible dropout streams for the sites of one block.
inline uint64_t site_seed(uint64_t seed, uint64_t site) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (site + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// y = a + b
inline void add(const Tensor& a, const Tensor& b, Tensor& y) {
  y.resize(a.shape());
  as_vector(y) = as_vector(a) + as_vector(b);
}

}  // namespace glimpse::block_detail
