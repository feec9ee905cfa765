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

}  // namespace glimpse
