// hierarchical fusion (Libovicky & Helcl, 2018): attend to each memory separately, then a second
// attention decides, per query, how much of each modality's context vector to take.
//   n = LN(x);  c_m = Attn_m(n, M_m);  q = W_q n + b_q;  k_m = K_m c_m;  v_m = V_m c_m
//   beta = softmax_m(q . k_m / sqrt(d));  y = x + sum_m beta_m v_m
// A modality with no usable keys for a sample (empty or all-padding context) gets beta = 0.
#include <limits>

#include "fusion_impl.h"
#include "glimpse/core/dropout.h"
#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"
#include "glimpse/core/layer_norm.h"
#include "glimpse/core/linear.h"

namespace glimpse {
namespace {

using namespace fusion_detail;

// 1 when batch element b of `slot` has at least one key that is not padding.
bool slot_usable(const MemorySlot& slot, int64_t b) {
  if (slot.len == 0) return false;
  if (!slot.padding) return true;
  for (int64_t j = 0; j < slot.len; ++j)
    if (!slot.padding[b * slot.len + j]) return true;
  return false;
}

bool view_usable(const KeyValueView& v) {
  if (v.len == 0) return false;
  if (!v.padding) return true;
  for (int64_t j = 0; j < v.len; ++j)
    if (!v.padding[j]) return true;
  return false;
}

// beta over the two modalities for one row; unusable ones get 0.
void combine_weights(const float* q, const float* k0, const float* k1, bool use0, bool use1,
                     int64_t d, float* beta) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const float s0 = use0 ? scale * ConstRowVecMap(q, d).dot(ConstRowVecMap(k0, d)) : 0.0f;
  const float s1 = use1 ? scale * ConstRowVecMap(q, d).dot(ConstRowVecMap(k1, d)) : 0.0f;
  if (use0 && use1) {
    const float m = std::max(s0, s1);
    const float e0 = std::exp(s0 - m), e1 = std::exp(s1 - m);
    beta[0] = e0 / (e0 + e1);
    beta[1] = e1 / (e0 + e1);
  } else {
    beta[0] = use0 ? 1.0f : 0.0f;
    beta[1] = use1 ? 1.0f : 0.0f;
  }
}

class HierarchicalFusion final : public Fusion {
  // FusionStepPack::combine's order (see pack_step()); key and value add the slot.
  static constexpr size_t kCombineQuery = 0, kCombineKey = 1, kCombineValue = 3;

 public:
  explicit HierarchicalFusion(const BlockConfig& c)
      : d_(c.d_model),
        norm_(c.d_model, c.layer_norm_eps),
        attn_{MultiHeadAttention(c.d_model, c.num_heads), MultiHeadAttention(c.d_model, c.num_heads)},
        query_(c.d_model, c.d_model, true),
        key_{Linear(c.d_model, c.d_model, false), Linear(c.d_model, c.d_model, false)},
        value_{Linear(c.d_model, c.d_model, false), Linear(c.d_model, c.d_model, false)},
        drop_(c.dropout, fusion_seed(c.seed, 0)) {}

  FusionKind kind() const override { return FusionKind::Hierarchical; }

  void init(Rng& rng) override {
    attn_[0].init(rng);
    attn_[1].init(rng);
    query_.init(rng);
    for (int s = 0; s < 2; ++s) {
      key_[s].init(rng);
      value_[s].init(rng);
    }
  }

  void collect(const std::string& prefix, ParameterList& out) override {
    norm_.collect(prefix + "norm2.", out);
    attn_[0].collect(prefix + "attn_image.", out);
    attn_[1].collect(prefix + "attn_context.", out);
    query_.collect(prefix + "combine_query.", out);
    key_[0].collect(prefix + "combine_key_image.", out);
    key_[1].collect(prefix + "combine_key_context.", out);
    value_[0].collect(prefix + "combine_value_image.", out);
    value_[1].collect(prefix + "combine_value_context.", out);
  }

  void forward(const Tensor& x, const MemorySlot* slots, int64_t batch, int64_t len_t, Tensor& y,
               bool training) override {
    check_slots(*this, x, slots, batch, len_t, d_);
    const int64_t R = batch * len_t;
    norm_.forward(x, normed_);
    for (int s = 0; s < 2; ++s) {
      AttentionMask mask;
      mask.key_padding = slots[s].padding;
      attn_[s].forward(normed_, *slots[s].values, batch, len_t, slots[s].len, mask, ctx_[s]);
      key_[s].forward(ctx_[s], keys_[s]);
      value_[s].forward(ctx_[s], values_[s]);
    }
    query_.forward(normed_, q_);
    usable_.assign(static_cast<size_t>(R) * 2, 0);
    for (int64_t b = 0; b < batch; ++b)
      for (int s = 0; s < 2; ++s) {
        const bool u = slot_usable(slots[s], b);
        for (int64_t t = 0; t < len_t; ++t) usable_[(b * len_t + t) * 2 + s] = u;
      }
    beta_.resize({R, 2});
    combined_.resize({R, d_});
    norms_.resize({R, 2});
    for (int64_t r = 0; r < R; ++r) {
      float* beta = beta_.data() + r * 2;
      combine_weights(q_.data() + r * d_, keys_[0].data() + r * d_, keys_[1].data() + r * d_,
                      usable_[r * 2], usable_[r * 2 + 1], d_, beta);
      RowVecMap o(combined_.data() + r * d_, d_);
      ConstRowVecMap v0(values_[0].data() + r * d_, d_), v1(values_[1].data() + r * d_, d_);
      o = beta[0] * v0 + beta[1] * v1;
      norms_[r * 2] = beta[0] * v0.norm();
      norms_[r * 2 + 1] = beta[1] * v1.norm();
    }
    drop_.forward(combined_, combined_drop_, training);
    y.resize(x.shape());
    as_vector(y) = as_vector(x) + as_vector(combined_drop_);
  }

  void backward(const Tensor& x, const MemorySlot* slots, const Tensor& dy, Tensor& dx,
                Tensor* const* d_slots) override {
    check(dy.shape() == x.shape(), "Fusion(hierarchical).backward",
          "grad " + shape_str(dy.shape()) + " does not match input " + shape_str(x.shape()));
    const int64_t R = x.rows();
    const float scale = 1.0f / std::sqrt(static_cast<float>(d_));
    drop_.backward(dy, d_combined_);
    d_q_.resize({R, d_});
    for (int s = 0; s < 2; ++s) {
      d_keys_[s].resize({R, d_});
      d_values_[s].resize({R, d_});
    }
    for (int64_t r = 0; r < R; ++r) {
      const float* beta = beta_.data() + r * 2;
      ConstRowVecMap dout(d_combined_.data() + r * d_, d_);
      ConstRowVecMap q(q_.data() + r * d_, d_);
      float d_beta[2], d_score[2];
      for (int s = 0; s < 2; ++s) {
        d_beta[s] = dout.dot(ConstRowVecMap(values_[s].data() + r * d_, d_));
        RowVecMap(d_values_[s].data() + r * d_, d_) = beta[s] * dout;
      }
      const float mean = beta[0] * d_beta[0] + beta[1] * d_beta[1];
      for (int s = 0; s < 2; ++s) d_score[s] = beta[s] * (d_beta[s] - mean) * scale;
      RowVecMap dq(d_q_.data() + r * d_, d_);
      dq.setZero();
      for (int s = 0; s < 2; ++s) {
        dq += d_score[s] * ConstRowVecMap(keys_[s].data() + r * d_, d_);
        RowVecMap(d_keys_[s].data() + r * d_, d_) = d_score[s] * q;
      }
    }
    query_.backward(normed_, d_q_, &d_normed_);
    for (int s = 0; s < 2; ++s) {
      key_[s].backward(ctx_[s], d_keys_[s], &d_ctx_);
      value_[s].backward(ctx_[s], d_values_[s], &d_part_);
      as_vector(d_ctx_) += as_vector(d_part_);
      Tensor* dmem = d_slots && d_slots[s] ? &d_mem_ : nullptr;
      attn_[s].backward(normed_, *slots[s].values, d_ctx_, &d_part_, dmem);
      if (dmem) as_vector(*d_slots[s]) += as_vector(d_mem_);
      as_vector(d_normed_) += as_vector(d_part_);
    }
    norm_.backward(x, d_normed_, d_part_);
    dx.resize(x.shape());
    as_vector(dx) = as_vector(dy) + as_vector(d_part_);
  }

  const Tensor& probabilities(int slot) const override { return attn_[slot].probabilities(); }
  const Tensor& contribution_norms() const override { return norms_; }
  const MultiHeadAttention& slot_attention(int slot) const override { return attn_[slot]; }

  void step(const Tensor& x, const KeyValueView* const* views, FusionStepScratch& scratch,
            Tensor& y, const FusionStepTaps& taps, const FusionStepPack* pack) const override {
    const int64_t rows = x.rows();
    norm_.apply(x, scratch.norm);
    for (int s = 0; s < 2; ++s) {
      Tensor& context = scratch.slot_out[s];
      if (pack) {
        const AttentionStepPack& p = pack->slots[static_cast<size_t>(s)];
        p.input.apply(scratch.norm, scratch.q);
        attend_step_packed(attn_[s], p.output, scratch.q.data(), d_, rows, views[s], scratch.attn,
                           context, taps.probs[s]);
        pack->combine[kCombineKey + static_cast<size_t>(s)].apply(context, scratch.keys[s]);
        pack->combine[kCombineValue + static_cast<size_t>(s)].apply(context, scratch.values[s]);
      } else {
        attn_[s].project_queries(scratch.norm, scratch.q);
        attn_[s].attend_step(scratch.q.data(), d_, rows, views[s], scratch.attn, context, taps.probs[s]);
        key_[s].forward(context, scratch.keys[s]);
        value_[s].forward(context, scratch.values[s]);
      }
    }
    if (pack) pack->combine[kCombineQuery].apply(scratch.norm, scratch.q);
    else query_.forward(scratch.norm, scratch.q);
    y.resize(x.shape());
    for (int64_t r = 0; r < rows; ++r) {
      float beta[2];
      combine_weights(scratch.q.data() + r * d_, scratch.keys[0].data() + r * d_,
                      scratch.keys[1].data() + r * d_, view_usable(views[0][r]),
                      view_usable(views[1][r]), d_, beta);
      ConstRowVecMap v0(scratch.values[0].data() + r * d_, d_), v1(scratch.values[1].data() + r * d_, d_);
      RowVecMap(y.data() + r * d_, d_) = ConstRowVecMap(x.data() + r * d_, d_) + beta[0] * v0 + beta[1] * v1;
      if (taps.contribution_norms) {
        taps.contribution_norms[r * 2] = beta[0] * v0.norm();
        taps.contribution_norms[r * 2 + 1] = beta[1] * v1.norm();
      }
    }
  }

  // The attention outputs feed the combine layers, not the residual: no epilogue to fuse.
  FusionStepPack pack_step(Precision precision) const override {
    FusionStepPack pack;
    for (const MultiHeadAttention& attn : attn_)
      pack.slots.push_back(pack_attention_step(attn, AttentionInput::Queries, precision, LinearEpilogue::None));
    pack.combine.push_back(pack_linear(query_, precision));
    for (const Linear& key : key_) pack.combine.push_back(pack_linear(key, precision));
    for (const Linear& value : value_) pack.combine.push_back(pack_linear(value, precision));
    return pack;
  }

 private:
  int64_t d_;
  LayerNorm norm_;
  MultiHeadAttention attn_[2];
  Linear query_, key_[2], value_[2];
  Dropout drop_;
  std::vector<uint8_t> usable_;  // [R, 2]
  Tensor normed_, ctx_[2], keys_[2], values_[2], q_, beta_, combined_, combined_drop_, norms_;
  Tensor d_combined_, d_q_, d_keys_[2], d_values_[2], d_normed_, d_ctx_, d_part_, d_mem_;
};

}  // namespace

std::unique_ptr<Fusion> make_hierarchical_fusion(const BlockConfig& config) {
  return std::make_unique<HierarchicalFusion>(config);
}

}  // namespace glimpse
