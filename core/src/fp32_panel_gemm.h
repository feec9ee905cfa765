// fp32 matmul over pre-packed weights (y = x W^T + b, then the PackedLinear epilogue) as a
// hand-written AVX2/FMA kernel, used by PackedLinear for fp32 packs on CPUs where oneDNN has no
// brgemm matmul (below avx512_core in oneDNN 2.7). Private to core/.
//
// Why: there oneDNN's fp32 matmul is its gemm:jit driver, whose order of summation depends on
// the row count and the thread count (it splits the reduction between threads). A caption then
// changed in its last digits with the batch it was decoded in, or when several threads shared
// one model (measured on an AMD EPYC Zen 2, AVX2 only: CaptionBatch and PackedLinear tests
// differed by 4e-7). Here every output is one chain of FMAs over k = 0 .. in-1 in that order,
// whatever the row count, the row's place in the batch or the threads: a row's result depends on
// that row and the weights alone, as with oneDNN's brgemm on AVX-512 CPUs.
//
// Layout: W packed once as [out/16][in][16] (out padded to a multiple of 16 with zeros), so two
// 256-bit loads give 16 outputs' weights for one input; up to 6 rows share them (12
// accumulators), each row's x[k] broadcast. Bias is kept padded to the same width.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "glimpse/core/packed_linear.h"

namespace glimpse::detail {

// Whether PackedLinear should use this kernel for fp32: oneDNN's effective ISA (which
// ONEDNN_MAX_CPU_ISA can lower) has no avx512_core, so its fp32 matmul is not brgemm.
bool fp32_panel_gemm_preferred();

class Fp32PanelGemm {
 public:
  Fp32PanelGemm() = default;
  // weight [out, in] row-major, bias [out] or null.
  Fp32PanelGemm(const float* weight, const float* bias, int64_t out, int64_t in);

  bool empty() const { return !packed_; }
  // x [rows, in] -> y [rows, out], overwritten, or added to with Accumulate. Const, thread
  // safe. With num_threads() > 1 and enough work the output columns are split over OpenMP
  // threads in 16-wide panels, the same split every call; the split never changes a result.
  void apply(const float* x, int64_t rows, LinearEpilogue epilogue, float* y) const;

 private:
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  int64_t out_ = 0, in_ = 0, panels_ = 0;
  std::unique_ptr<float[], Free> packed_;  // [panels][in][16], 64-byte aligned
  std::unique_ptr<float[], Free> bias_;    // [panels * 16], zeros past out; null without bias
};

}  // namespace glimpse::detail
