// gemm_bf16 and the per-thread switch that routes a training step's large products to it
// (glimpse/core/gemm.h says which products and why).
//
// How: A and B are rounded to bf16 into per-thread buffers in the orientation they are stored
// in (compacted: leading dimension = row length), and a oneDNN matmul reads them through
// strides, so op(X) = X^T costs no transposing copy; alpha is the matmul's output scale and
// beta a sum post-op, so C is written once. Rounding is O(MK + KN) against the O(MKN)
// products. A primitive is made per shape and kept per thread (a training step has a few
// dozen distinct shapes); each thread brings its own scratchpad, so nothing is shared.
#include <omp.h>

#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "bf16_round.h"
#include "glimpse/core/error.h"
#include "glimpse/core/gemm.h"
#include "glimpse/core/precision.h"
#include "onednn_runtime.h"

namespace glimpse {
namespace {

using dnnl::memory;
using dt = dnnl::memory::data_type;

thread_local bool t_bf16_gemm = false;

// What identifies a primitive. Leading dimensions of A and B are not part of it: their bf16
// copies are compact.
struct ShapeKey {
  bool ta, tb;
  int64_t M, N, K, ldc;
  float alpha, beta;
  bool operator==(const ShapeKey& o) const {
    return ta == o.ta && tb == o.tb && M == o.M && N == o.N && K == o.K && ldc == o.ldc &&
           std::memcmp(&alpha, &o.alpha, sizeof alpha) == 0 && std::memcmp(&beta, &o.beta, sizeof beta) == 0;
  }
};

struct ShapeKeyHash {
  size_t operator()(const ShapeKey& k) const {
    size_t h = static_cast<size_t>(k.ta) | static_cast<size_t>(k.tb) << 1;
    for (int64_t v : {k.M, k.N, k.K, k.ldc}) h = h * 1000003u ^ static_cast<size_t>(v);
    uint32_t a, b;
    std::memcpy(&a, &k.alpha, sizeof a);
    std::memcpy(&b, &k.beta, sizeof b);
    return (h * 1000003u ^ a) * 1000003u ^ b;
  }
};

struct Plan {
  dnnl::matmul prim;
  memory src, weights, dst, scratch;  // re-pointed per call
  size_t scratch_bytes = 0;
  std::string impl;
};

Plan make_plan(const ShapeKey& k) {
  dnnl::engine& eng = detail::cpu_engine();
  // op(A) [M,K]: A is stored [M,K] (row length K) or, transposed, [K,M] (row length M).
  const memory::desc src_md({k.M, k.K}, dt::bf16, k.ta ? memory::dims{1, k.M} : memory::dims{k.K, 1});
  // op(B) [K,N]: B is stored [K,N] (row length N) or, transposed, [N,K] (row length K).
  const memory::desc w_md({k.K, k.N}, dt::bf16, k.tb ? memory::dims{1, k.K} : memory::dims{k.N, 1});
  const memory::desc dst_md({k.M, k.N}, dt::f32, memory::dims{k.ldc, 1});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (k.alpha != 1.0f) attr.set_output_scales(0, {k.alpha});
  if (k.beta != 0.0f) {
    dnnl::post_ops ops;
    ops.append_sum(k.beta);
    attr.set_post_ops(ops);
  }
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, w_md, dst_md), attr, eng);
  Plan p;
  p.prim = dnnl::matmul(pd);
  p.src = memory(src_md, eng, nullptr);
  p.weights = memory(w_md, eng, nullptr);
  p.dst = memory(dst_md, eng, nullptr);
  p.scratch = memory(pd.scratchpad_desc(), eng, nullptr);
  p.scratch_bytes = pd.scratchpad_desc().get_size();
  p.impl = pd.impl_info_str();
  return p;
}

Plan& thread_plan(const ShapeKey& key) {
  thread_local std::unordered_map<ShapeKey, Plan, ShapeKeyHash> plans;
  auto it = plans.find(key);
  if (it != plans.end()) return it->second;
  if (plans.size() >= 256) plans.clear();
  return plans.emplace(key, make_plan(key)).first->second;
}

// rows x cols floats with leading dimension ld -> compact bf16 (row length cols). Split over
// the OpenMP threads when there is enough of it to pay for the fork.
void round_rows(const float* x, int64_t rows, int64_t cols, int64_t ld, uint16_t* y) {
  // cppcheck-suppress unreadVariable
  const bool parallel = rows * cols >= (int64_t{1} << 16) && omp_get_max_threads() > 1;  // read by the pragma's if()
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < rows; ++r) detail::round_to_bf16(x + r * ld, cols, y + r * cols);
}

}  // namespace

Bf16GemmScope::Bf16GemmScope(bool enable) : previous_(t_bf16_gemm) {
  if (enable) resolve_precision(PrecisionRequest::Bf16);  // a clear error without bf16
  t_bf16_gemm = enable;
}

Bf16GemmScope::~Bf16GemmScope() { t_bf16_gemm = previous_; }

bool bf16_gemm_enabled() { return t_bf16_gemm; }

void gemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
               int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  resolve_precision(PrecisionRequest::Bf16);
  check(K >= 0 && ldc >= N, "gemm_bf16", "bad sizes");
  if (K == 0) {
    // oneDNN refuses an empty reduction; the product is zero.
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
    return;
  }
  thread_local std::vector<uint16_t> a16, b16;
  thread_local std::vector<uint8_t> scratch;
  const int64_t a_rows = trans_a ? K : M, a_cols = trans_a ? M : K;
  const int64_t b_rows = trans_b ? N : K, b_cols = trans_b ? K : N;
  a16.resize(static_cast<size_t>(a_rows * a_cols));
  b16.resize(static_cast<size_t>(b_rows * b_cols));
  round_rows(A, a_rows, a_cols, lda, a16.data());
  round_rows(B, b_rows, b_cols, ldb, b16.data());

  Plan& p = thread_plan(ShapeKey{trans_a, trans_b, M, N, K, ldc, alpha, beta});
  if (scratch.size() < p.scratch_bytes) scratch.resize(p.scratch_bytes);
  p.src.set_data_handle(a16.data());
  p.weights.set_data_handle(b16.data());
  p.dst.set_data_handle(C);
  p.scratch.set_data_handle(p.scratch_bytes ? scratch.data() : nullptr);
  dnnl::stream& s = detail::thread_stream();
  p.prim.execute(s, {{DNNL_ARG_SRC, p.src},
                     {DNNL_ARG_WEIGHTS, p.weights},
                     {DNNL_ARG_DST, p.dst},
                     {DNNL_ARG_SCRATCHPAD, p.scratch}});
  s.wait();
}

std::string bf16_gemm_implementation(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K) {
  resolve_precision(PrecisionRequest::Bf16);
  return thread_plan(ShapeKey{trans_a, trans_b, M, N, K, N, 1.0f, 0.0f}).impl;
}

}  // namespace glimpse
