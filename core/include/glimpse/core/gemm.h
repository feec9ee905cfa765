// Matrix multiply on row-major buffers: the one place the engine's FLOPs go through.
//
//   C[M,N] = alpha * op(A) * op(B) + beta * C      op(X) = X or X^T
//
// Three backends compute it:
//   dnnl   oneDNN's dnnl_sgemm (default): JIT kernels generated for the CPU found at run time
//          (AVX-512, AVX2 or SSE4.1), so no build-time or environment choice of kernel. At the
//          model's shapes it measured 1.2-1.9x OpenBLAS's best kernel at batch 1 and 1.0-1.1x
//          at training shapes (docs/performance.md). One-row products (a decode step at batch
//          1) go to Eigen's GEMV, which streams B once and measured fastest there.
//   eigen  Eigen's GEMM (threaded with OpenMP).
//   blas   OpenBLAS's cblas_sgemm, on the kernel OpenBLAS picked when it loaded.
// GLIMPSE_GEMM=dnnl|eigen|blas (or set_gemm_backend) switches at run time; the benchmark
// compares them at the model's shapes in one run.
#pragma once

#include <cstdint>
#include <string>

namespace glimpse {

enum class GemmBackend { Dnnl, Eigen, Blas };
inline constexpr GemmBackend kAllGemmBackends[] = {GemmBackend::Dnnl, GemmBackend::Eigen,
                                                   GemmBackend::Blas};

void set_gemm_backend(GemmBackend backend);
GemmBackend gemm_backend();
const char* gemm_backend_name(GemmBackend backend);

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Same, with an explicit backend (used by the benchmark to compare both in one run).
void gemm_with(GemmBackend backend, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
               float alpha, const float* A, int64_t lda, const float* B, int64_t ldb, float beta,
               float* C, int64_t ldc);

// bf16 arithmetic for training (mixed precision: the weights, gradients, optimiser state and
// every other operation stay fp32). While a Bf16GemmScope(true) is open on a thread, that
// thread's gemm() calls with the dnnl backend and at least kBf16GemmMinMacs multiply-adds run
// as gemm_bf16: A and B rounded to bf16, exact products, fp32 accumulation, C in fp32. That is
// every projection of a training step (forward, input and weight gradients); the per-head
// attention products (at most 64 x 64 x 48 here) stay fp32, where bf16 would buy nothing
// against the cost of rounding their inputs. Scopes nest; opening one with `true` on a CPU
// without AVX512-BF16 or AMX-BF16 throws Error.
inline constexpr int64_t kBf16GemmMinMacs = int64_t{1} << 20;

class Bf16GemmScope {
 public:
  explicit Bf16GemmScope(bool enable);
  ~Bf16GemmScope();
  Bf16GemmScope(const Bf16GemmScope&) = delete;
  Bf16GemmScope& operator=(const Bf16GemmScope&) = delete;

 private:
  bool previous_;
};
// Whether a scope with `true` is open on this thread.
bool bf16_gemm_enabled();

// C = alpha * op(A) * op(B) + beta * C with A and B rounded to bf16 (oneDNN matmul; the
// implementation it picked is bf16_gemm_implementation's answer). Any size, any strides.
// Throws Error on a CPU without bf16.
void gemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
               int64_t ldc);
// oneDNN's name for the kernel gemm_bf16 runs at this shape ("brg:avx512_core_bf16", ...).
std::string bf16_gemm_implementation(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K);

}  // namespace glimpse
