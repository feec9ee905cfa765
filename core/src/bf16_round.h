// fp32 -> bf16 rounding, shared by everything in core/ that makes bf16 values (checkpoint
// files, packed inference weights and inputs, the bf16 training GEMM). Private to core/.
//
// Round to nearest even, as vcvtneps2bf16 and PyTorch do; a NaN stays a (quiet) NaN instead of
// rounding into an infinity. Written with integer operations so that the loop vectorises on
// every CPU (the converting instruction exists only with AVX512-BF16).
#pragma once

#include <cstdint>
#include <cstring>

namespace glimpse::detail {

inline uint16_t round_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

inline void round_to_bf16(const float* x, int64_t n, uint16_t* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = round_to_bf16(x[i]);
}

}  // namespace glimpse::detail
