// fp32 -> bf16 rounding, shared by everything in core/ that makes bf16 values (checkpoint
// files, packed inference weights and inputs, the bf16 training GEMM). Private to core/.
//
// Round to nearest even, as vcvtneps2bf16 and PyTorch do; a NaN stays a (quiet) NaN instead of
// rounding into an infinity. The one-value form is integer operations, so that it works on
// every CPU; the array form picks vcvtne2ps2bf16 at run time where the CPU has AVX512-BF16
// (the same bits, 1.4-2x faster: it rounds every input of a bf16 training matmul;
// except that the instruction reads subnormal inputs, below 1.2e-38, as zero, as oneDNN's own
// bf16 conversions do).
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

// The float a bf16 bit pattern stands for (exact).
inline float bf16_to_float(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// y[i] = round_to_bf16(x[i]) for i < n (bf16_round.cpp); a subnormal x[i] may give a signed zero.
void round_to_bf16(const float* x, int64_t n, uint16_t* y);

// Whether the CPU runs AVX512-BF16 instructions (with AVX512 F/BW/VL): what the array form and
// the one-row GEMV (bf16_gemv.h) need, read from cpuid once.
bool cpu_has_avx512_bf16_instructions();

// The portable loop behind it, for the test that compares the two.
void round_to_bf16_portable(const float* x, int64_t n, uint16_t* y);

}  // namespace glimpse::detail
