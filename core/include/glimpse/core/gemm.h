// Matrix multiply on row-major buffers: the one place the engine's FLOPs go through.
//
//   C[M,N] = alpha * op(A) * op(B) + beta * C      op(X) = X or X^T
//
// Two backends compute it: Eigen's GEMM (default; threaded with OpenMP) and OpenBLAS's
// cblas_sgemm. The benchmark compares both at the model's shapes; GLIMPSE_GEMM=blas (or
// set_gemm_backend) switches at run time.
#pragma once

#include <cstdint>

namespace glimpse {

enum class GemmBackend { Eigen, Blas };

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
