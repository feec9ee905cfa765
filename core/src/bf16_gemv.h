// One-row bf16 matmul (y = x W^T + b, one input row) as a hand-written AVX512-BF16 GEMV, used by
// PackedLinear::apply for rows == 1 in bf16. Private to core/.
//
// Why: a batch-1 decode step is 18 one-row matmuls whose cost is streaming the weights; oneDNN
// streams them no faster, and its per-call dispatch was ~15 us of a ~205 us bf16 step.
//
// Layout: W rounded to bf16 and packed once as [out/16][in/2][16][2] (out padded to a multiple
// of 16, in to even, with zeros), so one 64-byte load feeds one vdpbf16ps for 16 outputs x 2
// inputs against a broadcast pair of x. Arithmetic is oneDNN's: bf16 inputs, exact products,
// fp32 accumulation and epilogue (only the order of the sums differs).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "glimpse/core/packed_linear.h"

namespace glimpse::detail {

// Whether this CPU (and OS) runs the kernel: AVX512-BF16.
bool bf16_gemv_supported();

class Bf16Gemv {
 public:
  Bf16Gemv() = default;
  // weight [out, in] row-major, as bf16 bit patterns. Call only when bf16_gemv_supported().
  Bf16Gemv(const uint16_t* weight, int64_t out, int64_t in);

  bool empty() const { return !packed_; }
  // x: in bf16 values followed by a zero when in is odd (padded_in() values); bias [out] or
  // null; y [out] is overwritten (added to with Accumulate). Const, thread safe. With
  // num_threads() > 1 and a large enough W the output blocks are split over OpenMP threads,
  // the same split every call (each core keeps its share of W in its own L2).
  void apply(const uint16_t* x, const float* bias, LinearEpilogue epilogue, float* y) const;
  int64_t padded_in() const { return pairs_ * 2; }

 private:
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  int64_t out_ = 0, pairs_ = 0, blocks_ = 0;
  std::unique_ptr<uint16_t[], Free> packed_;  // 64-byte aligned
};

}  // namespace glimpse::detail
