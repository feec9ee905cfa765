#include "glimpse/core/gemm.h"

#include <cblas.h>
#include <dnnl.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"

namespace glimpse {
namespace {

GemmBackend backend_from_env() {
  const char* env = std::getenv("GLIMPSE_GEMM");
  if (env && std::strcmp(env, "blas") == 0) return GemmBackend::Blas;
  if (env && std::strcmp(env, "eigen") == 0) return GemmBackend::Eigen;
  return GemmBackend::Dnnl;
}

std::atomic<GemmBackend>& backend_slot() {
  static std::atomic<GemmBackend> slot{backend_from_env()};
  return slot;
}

// op(X) as an Eigen expression over a row-major buffer with leading dimension ld.
ConstStridedMatMap view(const float* p, int64_t rows, int64_t cols, int64_t ld) {
  return ConstStridedMatMap(p, rows, cols, Eigen::OuterStride<>(ld));
}

void gemm_eigen(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  StridedMatMap c(C, M, N, Eigen::OuterStride<>(ldc));
  if (beta == 0.0f) {
    c.setZero();
  } else if (beta != 1.0f) {
    c *= beta;
  }
  if (K == 0) return;
  // A is stored [M,K] (or [K,M] when transposed); B is [K,N] (or [N,K]).
  auto a = view(A, ta ? K : M, ta ? M : K, lda);
  auto b = view(B, tb ? N : K, tb ? K : N, ldb);
  if (M == 1) {
    // One row (a decode step at batch 1): a compile-time row vector makes Eigen run a GEMV,
    // which streams B once instead of packing it as a GEMM would.
    auto c0 = c.row(0);
    if (!ta && !tb) c0.noalias() += alpha * a.row(0) * b;
    else if (!ta && tb) c0.noalias() += alpha * a.row(0) * b.transpose();
    else if (ta && !tb) c0.noalias() += alpha * a.col(0).transpose() * b;
    else c0.noalias() += alpha * a.col(0).transpose() * b.transpose();
    return;
  }
  if (!ta && !tb) c.noalias() += alpha * a * b;
  else if (!ta && tb) c.noalias() += alpha * a * b.transpose();
  else if (ta && !tb) c.noalias() += alpha * a.transpose() * b;
  else c.noalias() += alpha * a.transpose() * b.transpose();
}

}  // namespace

void set_gemm_backend(GemmBackend backend) { backend_slot().store(backend); }
GemmBackend gemm_backend() { return backend_slot().load(); }
const char* gemm_backend_name(GemmBackend backend) {
  switch (backend) {
    case GemmBackend::Dnnl: return "onednn";
    case GemmBackend::Blas: return "openblas";
    case GemmBackend::Eigen: break;
  }
  return "eigen";
}

void gemm_with(GemmBackend backend, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
               float alpha, const float* A, int64_t lda, const float* B, int64_t ldb, float beta,
               float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (backend == GemmBackend::Blas) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(M), static_cast<int>(N),
                static_cast<int>(K), alpha, A, static_cast<int>(lda), B, static_cast<int>(ldb),
                beta, C, static_cast<int>(ldc));
  } else if (backend == GemmBackend::Dnnl && M > 1 && K > 0) {
    const dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, alpha,
                                        A, lda, B, ldb, beta, C, ldc);
    if (st != dnnl_success)
      throw Error("gemm: oneDNN dnnl_sgemm failed (status " + std::to_string(static_cast<int>(st)) +
                  ") for M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" + std::to_string(K));
  } else {
    gemm_eigen(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc) {
  const GemmBackend backend = gemm_backend();
  if (backend == GemmBackend::Dnnl && bf16_gemm_enabled() && M * N * K >= kBf16GemmMinMacs) {
    gemm_bf16(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  gemm_with(backend, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace glimpse
