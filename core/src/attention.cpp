#include "glimpse/core/attention.h"

#include <algorithm>
#include <cmath>

#include "glimpse/core/activations.h"
#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"
#include "glimpse/core/gemm.h"

namespace glimpse {
namespace {

// y[n, out] = x[n, in] W^T + b, with W and b pointing into a larger packed parameter.
void project_rows(const Tensor& x, const float* w, const float* b, int64_t out, Tensor& y) {
  const int64_t n = x.rows(), in = x.cols();
  y.resize({n, out});
  as_matrix(y).rowwise() = ConstRowVecMap(b, out);
  gemm(false, true, n, out, in, 1.0f, x.data(), in, w, in, 1.0f, y.data(), out);
}

// Accumulates dW += dy^T x and db += colsum(dy); writes dx = dy W when dx is non-null.
void project_rows_backward(const Tensor& x, const Tensor& dy, const float* w, float* dw, float* db,
                           Tensor* dx) {
  const int64_t n = x.rows(), in = x.cols(), out = dy.cols();
  if (n == 0) {  // an empty memory adds nothing; its null data must not reach Eigen's blocks
    if (dx) dx->resize(x.shape());
    return;
  }
  gemm(true, false, out, in, n, 1.0f, dy.data(), out, x.data(), in, 1.0f, dw, in);
  RowVecMap(db, out) += as_matrix(dy).colwise().sum();
  if (dx) {
    dx->resize(x.shape());
    gemm(false, false, n, in, out, 1.0f, dy.data(), out, w, in, 0.0f, dx->data(), in);
  }
}

// Keys a query row may attend to under the causal mask: j < limit.
int64_t causal_limit(const AttentionMask& mask, int64_t i, int64_t len_k) {
  if (!mask.causal) return len_k;
  return std::clamp<int64_t>(mask.query_offset + i + 1, 0, len_k);
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(int64_t d_model, int64_t num_heads)
    : d_(d_model), heads_(num_heads) {
  check(d_model > 0 && num_heads > 0 && d_model % num_heads == 0, "MultiHeadAttention",
        "d_model " + std::to_string(d_model) + " must be a positive multiple of num_heads " +
            std::to_string(num_heads));
  in_proj_weight = Parameter({3 * d_model, d_model}, true);
  in_proj_bias = Parameter({3 * d_model}, false);
  out_proj_weight = Parameter({d_model, d_model}, true);
  out_proj_bias = Parameter({d_model}, false);
}

void MultiHeadAttention::init(Rng& rng) {
  init_xavier_uniform(in_proj_weight, rng);
  in_proj_bias.value.zero();
  init_uniform(out_proj_weight, rng, 1.0f / std::sqrt(static_cast<float>(d_)));
  out_proj_bias.value.zero();
}

void MultiHeadAttention::project(const Tensor& x_q, const Tensor& x_kv) {
  const float* w = in_proj_weight.value.data();
  const float* b = in_proj_bias.value.data();
  if (self_) {
    project_rows(x_q, w, b, 3 * d_, qkv_);
  } else {
    project_rows(x_q, w, b, d_, q_);
    project_rows(x_kv, w + d_ * d_, b + d_, 2 * d_, kv_);
  }
}

AttentionOperands packed_qkv_operands(const float* qkv, int64_t batch, int64_t len, int64_t d_model,
                                      int64_t heads) {
  return {qkv, qkv + d_model, qkv + 2 * d_model, 3 * d_model, 3 * d_model, batch, heads, len, len,
          d_model / heads};
}

void scaled_dot_product_attention(const AttentionOperands& in, const AttentionMask& mask, Tensor& probs,
                                  Tensor& context) {
  const int64_t B = in.batch, H = in.heads, Lq = in.len_q, Lk = in.len_k, dk = in.head_dim, d = H * dk;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
  probs.resize({B, H, Lq, Lk});
  context.resize({B * Lq, d});
  if (Lk == 0) {  // nothing to attend to: zero probabilities, zero context
    context.zero();
    return;
  }
  // Per (batch, head): S = scale Q K^T (the scale rides in the GEMM's alpha), the masked
  // softmax in place, C = P V written straight into the head's columns of the context.
#pragma omp parallel for schedule(static) if (B * H > 1 && Lq * Lk * dk > 4096)
  for (int64_t bh = 0; bh < B * H; ++bh) {
    const int64_t b = bh / H, h = bh % H, at_q = in.q_offset(b, h), at_kv = in.kv_offset(b, h);
    float* p = probs.data() + bh * Lq * Lk;
    gemm(false, true, Lq, Lk, dk, scale, in.q + at_q, in.ldq, in.k + at_kv, in.ldkv, 0.0f, p, Lk);
    const uint8_t* pad = mask.key_padding ? mask.key_padding + b * Lk : nullptr;
    for (int64_t i = 0; i < Lq; ++i) masked_softmax_row(p + i * Lk, Lk, pad, causal_limit(mask, i, Lk));
    gemm(false, false, Lq, dk, Lk, 1.0f, p, Lk, in.v + at_kv, in.ldkv, 0.0f, context.data() + b * Lq * d + h * dk,
         d);
  }
}

AttentionOperands MultiHeadAttention::operands() const {
  if (self_) return packed_qkv_operands(qkv_.data(), batch_, len_q_, d_, heads_);
  // Cross-attention over an empty memory (no context tokens) has no K/V storage: null plus
  // an offset is undefined, so V stays null there like K (nothing reads either at length 0).
  return {q_.data(), kv_.data(), kv_.data() ? kv_.data() + d_ : nullptr, d_, 2 * d_, batch_, heads_, len_q_,
          len_k_, head_dim()};
}

void MultiHeadAttention::forward(const Tensor& x_q, const Tensor& x_kv, int64_t batch,
                                 int64_t len_q, int64_t len_k, const AttentionMask& mask,
                                 Tensor& out) {
  const std::string where = "MultiHeadAttention(d=" + std::to_string(d_) +
                            ", heads=" + std::to_string(heads_) + ")";
  check(batch > 0 && len_q > 0 && len_k >= 0, where,
        "batch " + std::to_string(batch) + " and query length " + std::to_string(len_q) +
            " must be positive, key length " + std::to_string(len_k) + " non-negative");
  check_shape(x_q, {batch * len_q, d_}, where, "query input");
  check_shape(x_kv, {batch * len_k, d_}, where, "key/value input");
  self_ = &x_q == &x_kv;
  check(!self_ || len_q == len_k, where, "self-attention needs len_q == len_k");
  batch_ = batch;
  len_q_ = len_q;
  len_k_ = len_k;
  project(x_q, x_kv);
  scaled_dot_product_attention(operands(), mask, probs_, context_);
  d_probs_extra_.resize({0});
  project_rows(context_, out_proj_weight.value.data(), out_proj_bias.value.data(), d_, out);
}

void MultiHeadAttention::backward(const Tensor& x_q, const Tensor& x_kv, const Tensor& d_out,
                                  Tensor* d_x_q, Tensor* d_x_kv) {
  const std::string where = "MultiHeadAttention.backward";
  const int64_t B = batch_, H = heads_, Lq = len_q_, Lk = len_k_, dk = head_dim();
  check_shape(d_out, {B * Lq, d_}, where, "output grad");
  check_shape(x_q, {B * Lq, d_}, where, "query input");
  check_shape(x_kv, {B * Lk, d_}, where, "key/value input");
  check((&x_q == &x_kv) == self_, where, "inputs differ from the last forward's");
  check(!(self_ && d_x_kv), where, "self-attention returns its whole input grad in d_x_q");
  const bool extra = !d_probs_extra_.empty();
  if (extra) check_shape(d_probs_extra_, {B, H, Lq, Lk}, where, "probability grad");

  // out = context Wo^T + bo
  project_rows_backward(context_, d_out, out_proj_weight.value.data(), out_proj_weight.grad.data(),
                        out_proj_bias.grad.data(), &d_context_);

  const AttentionOperands heads = operands();
  Tensor* dq_buf = self_ ? &d_qkv_ : &d_q_;
  Tensor* dkv_buf = self_ ? &d_qkv_ : &d_kv_;
  if (self_) {
    d_qkv_.resize({B * Lq, 3 * d_});
  } else {
    d_q_.resize({B * Lq, d_});
    d_kv_.resize({B * Lk, 2 * d_});
    d_kv_.zero();  // stays zero when Lk == 0 or every key is padding
  }
  float* dQ = dq_buf->data();
  float* dK = self_ ? d_qkv_.data() + d_ : d_kv_.data();
  float* dV = self_ ? d_qkv_.data() + 2 * d_ : (d_kv_.data() ? d_kv_.data() + d_ : nullptr);  // empty memory: null
  const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
  d_scores_.resize({B, H, Lq, Lk});

  if (Lk == 0) {
    d_q_.zero();
  } else {
#pragma omp parallel for schedule(static) if (B * H > 1 && Lq * Lk * dk > 4096)
    for (int64_t bh = 0; bh < B * H; ++bh) {
      const int64_t b = bh / H, h = bh % H, at_q = heads.q_offset(b, h), at_kv = heads.kv_offset(b, h);
      const float* q = heads.q + at_q;
      const float* k = heads.k + at_kv;
      const float* v = heads.v + at_kv;
      const float* p = probs_.data() + bh * Lq * Lk;
      const float* dctx = d_context_.data() + b * Lq * d_ + h * dk;
      float* ds = d_scores_.data() + bh * Lq * Lk;
      float* dq = dQ + at_q;
      float* dkm = dK + at_kv;
      float* dv = dV + at_kv;

      gemm(true, false, Lk, dk, Lq, 1.0f, p, Lk, dctx, d_, 0.0f, dv, heads.ldkv);  // dV = P^T dC
      gemm(false, true, Lq, Lk, dk, 1.0f, dctx, d_, v, heads.ldkv, 0.0f, ds, Lk);  // dP = dC V^T
      if (extra) {
        const float* g = d_probs_extra_.data() + bh * Lq * Lk;
#pragma omp simd
        for (int64_t j = 0; j < Lq * Lk; ++j) ds[j] += g[j];
      }
      // dS = scale * P * (dP - rowsum(dP * P)), one fused pass per row. Masked keys have
      // P = 0 and so get dS = 0.
      for (int64_t i = 0; i < Lq; ++i) {
        const float* pr = p + i * Lk;
        float* row = ds + i * Lk;
        float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
        for (int64_t j = 0; j < Lk; ++j) dot += pr[j] * row[j];
#pragma omp simd
        for (int64_t j = 0; j < Lk; ++j) row[j] = scale * pr[j] * (row[j] - dot);
      }
      gemm(false, false, Lq, dk, Lk, 1.0f, ds, Lk, k, heads.ldkv, 0.0f, dq, heads.ldq);  // dQ = dS K
      gemm(true, false, Lk, dk, Lq, 1.0f, ds, Lk, q, heads.ldq, 0.0f, dkm, heads.ldkv);  // dK = dS^T Q
    }
  }

  float* dw = in_proj_weight.grad.data();
  float* db = in_proj_bias.grad.data();
  const float* w = in_proj_weight.value.data();
  if (self_) {
    project_rows_backward(x_q, d_qkv_, w, dw, db, d_x_q);
  } else {
    project_rows_backward(x_q, *dq_buf, w, dw, db, d_x_q);
    project_rows_backward(x_kv, *dkv_buf, w + d_ * d_, dw + d_ * d_, db + d_, d_x_kv);
  }
}

void MultiHeadAttention::project_key_values(const Tensor& x, Tensor& kv) const {
  check_shape(x, {-1, d_}, "MultiHeadAttention.project_key_values", "memory");
  project_rows(x, in_proj_weight.value.data() + d_ * d_, in_proj_bias.value.data() + d_, 2 * d_, kv);
}

void MultiHeadAttention::project_qkv(const Tensor& x, Tensor& qkv) const {
  check_shape(x, {-1, d_}, "MultiHeadAttention.project_qkv", "input");
  project_rows(x, in_proj_weight.value.data(), in_proj_bias.value.data(), 3 * d_, qkv);
}

void MultiHeadAttention::project_queries(const Tensor& x, Tensor& q) const {
  check_shape(x, {-1, d_}, "MultiHeadAttention.project_queries", "input");
  project_rows(x, in_proj_weight.value.data(), in_proj_bias.value.data(), d_, q);
}

void MultiHeadAttention::attend_step(const float* q, int64_t ld_q, int64_t n,
                                     const KeyValueView* views, AttentionStepScratch& scratch,
                                     Tensor& out, float* const* probs) const {
  attend_step_context(q, ld_q, n, views, scratch, probs);
  project_rows(scratch.context, out_proj_weight.value.data(), out_proj_bias.value.data(), d_, out);
}

void MultiHeadAttention::attend_step_context(const float* q, int64_t ld_q, int64_t n,
                                             const KeyValueView* views, AttentionStepScratch& scratch,
                                             float* const* probs) const {
  const int64_t H = heads_, dk = head_dim();
  int64_t max_len = 0;
  for (int64_t b = 0; b < n; ++b) max_len = std::max(max_len, views[b].len);
  scratch.scores.resize({n, H, std::max<int64_t>(1, max_len)});
  scratch.context.resize({n, d_});
  const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
#pragma omp parallel for schedule(static) if (n * H > 1 && n * max_len * d_ > 65536)
  for (int64_t bh = 0; bh < n * H; ++bh) {
    const int64_t b = bh / H, h = bh % H;
    const KeyValueView& kv = views[b];
    const int64_t L = kv.len;
    float* row = scratch.scores.data() + bh * scratch.scores.dim(2);
    Eigen::Map<Eigen::RowVectorXf> ctx(scratch.context.data() + b * d_ + h * dk, dk);
    if (L == 0) {
      ctx.setZero();
      continue;
    }
    ConstRowVecMap qv(q + b * ld_q + h * dk, dk);
    ConstStridedMatMap k(kv.k + h * dk, L, dk, Eigen::OuterStride<>(kv.ld));
    ConstStridedMatMap v(kv.v + h * dk, L, dk, Eigen::OuterStride<>(kv.ld));
    Eigen::Map<Eigen::RowVectorXf> scores(row, L);
    scores.noalias() = scale * (qv * k.transpose());
    masked_softmax_row(row, L, kv.padding, L);
    ctx.noalias() = scores * v;
    if (probs && probs[b]) std::copy(row, row + L, probs[b] + h * L);
  }
}

void MultiHeadAttention::collect(const std::string& prefix, ParameterList& out) {
  out.push_back({prefix + "in_proj_weight", &in_proj_weight});
  out.push_back({prefix + "in_proj_bias", &in_proj_bias});
  out.push_back({prefix + "out_proj.weight", &out_proj_weight});
  out.push_back({prefix + "out_proj.bias", &out_proj_bias});
}

}  // namespace glimpse
