// PackedLinear: y = x W^T + b for a Linear layer whose weights no longer change (inference),
// run as a oneDNN matmul primitive with W reordered once into the primitive's preferred
// (blocked) layout, in fp32 or bf16, with the bias and an optional GELU (erf) or residual add
// fused as post-ops.
//
// Why: re-packing W inside every sgemm call is a large share of a batch-1 encoder GEMM
// (M = 64 rows); a primitive with pre-packed weights skips it, and in bf16 it runs the
// AVX512-BF16 / AMX dot-product instructions (source rounded to bf16 per call, fp32
// accumulation, fp32 output). One bf16 row (a batch-1 decode step) skips oneDNN for a
// hand-written AVX512-BF16 GEMV on its own packed copy (core/src/bf16_gemv.h says why).
//
// The pack is a snapshot: it copies W and b when constructed and never reads the Linear again.
// Whoever changes the weights afterwards must rebuild it (CaptionModel drops its pack on every
// training forward/backward, see caption_model.h).
//
// Thread safety: apply() is const and may run on many threads at once. A primitive is created
// per row count M (the blocked weight layout brgemm picks does not depend on M, so every M
// shares one packed copy when the layouts agree) in a small mutex-guarded cache; each call
// brings its own scratchpad (scratchpad_mode::user) and stream, so no state is shared between
// concurrent calls. Each thread keeps its memory objects per primitive and only re-points them:
// building them per call cost about as much as a one-row decode-step matmul.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "glimpse/core/precision.h"
#include "glimpse/core/tensor.h"

namespace glimpse {

// What the matmul does after y = x W^T + b.
enum class LinearEpilogue {
  None,
  GeluErf,     // y = gelu_erf(x W^T + b)
  GeluTanh,    // y = gelu_tanh(x W^T + b) (GeluKind::Tanh models)
  Accumulate,  // y += x W^T + b (a residual add: y holds the residual on entry)
};

// How a bf16 pack holds W (fp32 packs ignore it).
//   Rounded  W rounded to bf16 (8 significant bits): the fastest, and both operands are rounded.
//   HiLo     W = hi + lo, two bf16 terms (hi = bf16(W), lo = bf16(W - hi): 16 significant bits),
//            one matmul over twice the reduction, [x16 | x16] . [hi | lo]: only the source is
//            rounded, so the error per product is about halved, for twice the multiply-adds.
//            Worth it where bf16 arithmetic is much faster than fp32 (AMX tiles); the image
//            encoder uses it there (CaptionModel::prepare_inference says why).
enum class Bf16Weights { Rounded, HiLo };
const char* bf16_weights_name(Bf16Weights w);

// Whether fp32 packs run Glimpse's own panel kernel (core/src/fp32_panel_gemm.h) rather than
// oneDNN: on CPUs where oneDNN has no brgemm matmul (no AVX-512, or ONEDNN_MAX_CPU_ISA below
// avx512_core). Its rows do not depend on the batch they are in, which oneDNN's gemm:jit there
// does not promise.
bool fp32_packs_use_panel_kernel();

class PackedLinear {
 public:
  // weight [out, in] row-major (torch.nn.Linear's layout), bias [out] or null.
  PackedLinear(const float* weight, const float* bias, int64_t out_features, int64_t in_features,
               Precision precision, LinearEpilogue epilogue = LinearEpilogue::None,
               Bf16Weights bf16_weights = Bf16Weights::Rounded);
  ~PackedLinear();
  PackedLinear(PackedLinear&&) noexcept;
  PackedLinear& operator=(PackedLinear&&) noexcept;

  // x [rows, in] -> y [rows, out]; rows may be 0. With Accumulate, y must already be
  // [rows, out] (it is not resized).
  void apply(const float* x, int64_t rows, float* y) const;
  void apply(const Tensor& x, Tensor& y) const;

  int64_t in_features() const;
  int64_t out_features() const;
  Precision precision() const;
  Bf16Weights bf16_weights() const;
  // The implementation that runs `rows` rows: oneDNN's choice (e.g. "brg:avx512_core_bf16";
  // "... hi+lo weights" for Bf16Weights::HiLo), or "glimpse avx512_bf16 gemv" for one bf16 row
  // with rounded weights where the CPU has AVX512-BF16 (bf16_gemv.h).
  std::string implementation(int64_t rows) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace glimpse
