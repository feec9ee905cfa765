// Multi-head scaled dot-product attention, as torch.nn.MultiheadAttention (batch_first).
//
//   Q = x_q Wq^T + bq,  K = x_kv Wk^T + bk,  V = x_kv Wv^T + bv       (W_in = [Wq; Wk; Wv])
//   P_h = softmax(Q_h K_h^T / sqrt(d_k) + masks)                        per head h, d_k = d/H
//   out = concat_h(P_h V_h) Wo^T + bo
//
// Self-attention (x_q and x_kv the same tensor) projects Q, K and V in one GEMM; cross-attention
// projects the queries and the memory separately, with L_q != L_k allowed. Masked keys get
// exactly zero probability; a query whose keys are all masked gets an all-zero row and output
// `bo` (PyTorch returns NaN there).
#pragma once

#include <cstdint>
#include <string>

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/parameter.h"

namespace glimpse {

struct AttentionMask {
  // Query i may attend key j only if j <= query_offset + i. With query_offset = L_k - L_q a
  // block of new queries sees every earlier key: that is how one cached decode step is run.
  bool causal = false;
  int64_t query_offset = 0;
  // [B, L_k], non-zero = padding: that key gets exactly zero weight. Null = no padding.
  const uint8_t* key_padding = nullptr;
};

// Keys and values one query attends to during cached decoding: rows of K and V (each d wide)
// with leading dimension `ld`. Self-attention caches and cross-attention memories both store
// K|V interleaved per row ([len, 2d]: k = row, v = row + d, ld = 2d).
struct KeyValueView {
  const float* k = nullptr;
  const float* v = nullptr;
  int64_t ld = 0;
  int64_t len = 0;
  const uint8_t* padding = nullptr;  // [len], non-zero = padding; null = none
};

// Where the queries, keys and values of a batch of sequences live, heads side by side: head h
// of query row i of sequence b is the head_dim floats at q + (b * len_q + i) * ldq + h * head_dim,
// and likewise for k and v (key rows, ldkv).
struct AttentionOperands {
  const float* q = nullptr;
  const float* k = nullptr;
  const float* v = nullptr;  // null with k when len_k == 0 (an empty memory has no storage)
  int64_t ldq = 0, ldkv = 0;
  int64_t batch = 0, heads = 0, len_q = 0, len_k = 0, head_dim = 0;

  // Where head h of sequence b starts in the queries and in the keys and values (and in
  // gradient buffers laid out the same way).
  int64_t q_offset(int64_t b, int64_t h) const { return b * len_q * ldq + h * head_dim; }
  int64_t kv_offset(int64_t b, int64_t h) const { return b * len_k * ldkv + h * head_dim; }
};

// Self-attention's operands: Q|K|V rows qkv [batch * len, 3d], as one in_proj GEMM writes them.
AttentionOperands packed_qkv_operands(const float* qkv, int64_t batch, int64_t len, int64_t d_model,
                                      int64_t heads);

// Scaled dot-product attention of every (batch, head): probs [B, H, Lq, Lk] =
// softmax(Q K^T / sqrt(head_dim)) under `mask` and context [B*Lq, H*head_dim] = probs V, heads
// side by side. Masked keys get exactly zero probability; a query with no key left (or
// len_k == 0) gets an all-zero row and a zero context.
void scaled_dot_product_attention(const AttentionOperands& in, const AttentionMask& mask, Tensor& probs,
                                  Tensor& context);

// Buffers reused across decode steps, so a step allocates nothing once they have grown.
struct AttentionStepScratch {
  Tensor q, scores, context;
};

class MultiHeadAttention {
 public:
  MultiHeadAttention(int64_t d_model, int64_t num_heads);

  // PyTorch's default: xavier-uniform in_proj, zero in_proj bias and out_proj bias,
  // U(-1/sqrt(d), 1/sqrt(d)) out_proj weight.
  void init(Rng& rng);

  // x_q: [B*Lq, d], x_kv: [B*Lk, d] (pass the same tensor for self-attention) -> out: [B*Lq, d].
  // Saves projections and probabilities for backward.
  void forward(const Tensor& x_q, const Tensor& x_kv, int64_t batch, int64_t len_q, int64_t len_k,
               const AttentionMask& mask, Tensor& out);

  // Accumulates parameter grads. Self-attention: the whole input gradient goes to d_x_q and
  // d_x_kv must be null. Cross-attention: d_x_q and d_x_kv (each may be null) are overwritten.
  // A non-empty probability_grad() is added to the gradient that reaches the probabilities.
  void backward(const Tensor& x_q, const Tensor& x_kv, const Tensor& d_out, Tensor* d_x_q,
                Tensor* d_x_kv);

  // ---- Cached inference (const: touches no backward state) ----
  // K|V of memory rows x [n, d] -> kv [n, 2d]. Cross-attention memories: once per image.
  void project_key_values(const Tensor& x, Tensor& kv) const;
  // Q|K|V of x [n, d] -> qkv [n, 3d]. Self-attention decode step: the caller appends K|V to
  // its cache, then calls attend_step with q = qkv.data(), ld_q = 3d.
  void project_qkv(const Tensor& x, Tensor& qkv) const;
  // Queries of x [n, d] -> q [n, d] (the cross-attention side of a decode step).
  void project_queries(const Tensor& x, Tensor& q) const;
  // n queries (row b at q + b * ld_q), query b attending over views[b]; writes the projected
  // output [n, d] and, when `probs` is non-null, probs[b] = [H, views[b].len] probabilities.
  void attend_step(const float* q, int64_t ld_q, int64_t n, const KeyValueView* views,
                   AttentionStepScratch& scratch, Tensor& out, float* const* probs) const;
  // attend_step without the output projection: the heads' context [n, d] in scratch.context
  // (and probs as above), for a caller that projects it itself (the packed decode step).
  void attend_step_context(const float* q, int64_t ld_q, int64_t n, const KeyValueView* views,
                           AttentionStepScratch& scratch, float* const* probs) const;

  // Post-softmax probabilities of the last forward: [B, H, Lq, Lk].
  const Tensor& probabilities() const { return probs_; }
  // A loss on the probabilities themselves (attention supervision, train/attention_loss.h)
  // writes its gradient here, [B, H, Lq, Lk] like probabilities(), between forward and
  // backward; backward adds it to the gradient from the output. forward() empties it, and an
  // empty one adds nothing.
  Tensor& probability_grad() { return d_probs_extra_; }

  void collect(const std::string& prefix, ParameterList& out);

  int64_t d_model() const { return d_; }
  int64_t num_heads() const { return heads_; }
  int64_t head_dim() const { return d_ / heads_; }

  Parameter in_proj_weight;   // [3d, d]
  Parameter in_proj_bias;     // [3d]
  Parameter out_proj_weight;  // [d, d]
  Parameter out_proj_bias;    // [d]

 private:
  // Q, K and V of the last forward, wherever the projections live.
  AttentionOperands operands() const;
  void project(const Tensor& x_q, const Tensor& x_kv);

  int64_t d_, heads_;
  // Shapes and mode of the last forward.
  int64_t batch_ = 0, len_q_ = 0, len_k_ = 0;
  bool self_ = false;
  // Projections. Self: qkv_ [B*L, 3d] holds Q|K|V. Cross: q_ [B*Lq, d], kv_ [B*Lk, 2d] holds K|V.
  Tensor qkv_, q_, kv_;
  Tensor probs_;     // [B, H, Lq, Lk]
  Tensor context_;   // [B*Lq, d], heads concatenated, before out_proj
  // Backward buffers, same layouts as the forward ones.
  Tensor d_context_, d_qkv_, d_q_, d_kv_, d_scores_;
  Tensor d_probs_extra_;  // probability_grad()
};

}  // namespace glimpse
