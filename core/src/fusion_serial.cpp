// concat, separate and gated fusion: one or two cross-attention sub-layers applied in turn,
// each with its own LayerNorm and residual (gated: output scaled by tanh(alpha)).
#include <vector>

#include "fusion_impl.h"
#include "glimpse/core/dropout.h"
#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"
#include "glimpse/core/layer_norm.h"

namespace glimpse {
namespace {

using namespace fusion_detail;

struct CrossSublayer {
  CrossSublayer(const BlockConfig& c, uint64_t seed)
      : norm(c.d_model, c.layer_norm_eps), attn(c.d_model, c.num_heads), drop(c.dropout, seed),
        gate({1}, false) {}
  LayerNorm norm;
  MultiHeadAttention attn;
  Dropout drop;
  Parameter gate;               // alpha (gated only)
  Tensor normed, out, out_drop, h;  // forward intermediates; h = residual after this sub-layer
  Tensor d_out, d_normed, d_in, d_mem;
};

class SerialFusion final : public Fusion {
 public:
  SerialFusion(FusionKind kind, const BlockConfig& c) : kind_(kind), d_(c.d_model) {
    const int n = fusion_slot_count(kind);
    for (int s = 0; s < n; ++s)
      subs_.push_back(std::make_unique<CrossSublayer>(c, fusion_seed(c.seed, s)));
  }

  FusionKind kind() const override { return kind_; }

  void init(Rng& rng) override {
    for (const auto& s : subs_) {
      s->attn.init(rng);
      s->gate.value.zero();  // Flamingo: tanh(0) = 0, the layer starts closed
    }
  }

  // concat keeps nn.TransformerDecoderLayer's names (norm2, multihead_attn), so a concat
  // decoder layer is exactly PyTorch's layer over the joint memory.
  void collect(const std::string& prefix, ParameterList& out) override {
    if (kind_ == FusionKind::Concat) {
      subs_[0]->norm.collect(prefix + "norm2.", out);
      subs_[0]->attn.collect(prefix + "multihead_attn.", out);
      return;
    }
    const char* names[2] = {"image", "context"};
    for (int s = 0; s < 2; ++s) {
      subs_[s]->norm.collect(prefix + "norm_" + names[s] + ".", out);
      subs_[s]->attn.collect(prefix + "attn_" + names[s] + ".", out);
      if (kind_ == FusionKind::Gated)
        out.push_back({prefix + "gate_" + names[s], &subs_[s]->gate});
    }
  }

  float gate(int s) const {
    return kind_ == FusionKind::Gated ? std::tanh(subs_[s]->gate.value[0]) : 1.0f;
  }

  std::vector<float> gate_values() const override {
    if (kind_ != FusionKind::Gated) return {};
    return {gate(0), gate(1)};
  }

  void forward(const Tensor& x, const MemorySlot* slots, int64_t batch, int64_t len_t, Tensor& y,
               bool training) override {
    check_slots(*this, x, slots, batch, len_t, d_);
    const int n = static_cast<int>(subs_.size());
    norms_.resize({batch * len_t, n});
    const Tensor* h = &x;
    for (int s = 0; s < n; ++s) {
      CrossSublayer& sub = *subs_[s];
      AttentionMask mask;
      mask.key_padding = slots[s].padding;
      sub.norm.forward(*h, sub.normed);
      sub.attn.forward(sub.normed, *slots[s].values, batch, len_t, slots[s].len, mask, sub.out);
      sub.drop.forward(sub.out, sub.out_drop, training);
      const float g = gate(s);
      sub.h.resize(h->shape());
      as_vector(sub.h) = as_vector(*h) + g * as_vector(sub.out_drop);
      row_norms(sub.out_drop, g, norms_, s, n);
      h = &sub.h;
    }
    y.resize(h->shape());
    as_vector(y) = as_vector(*h);
  }

  void backward(const Tensor& x, const MemorySlot* slots, const Tensor& dy, Tensor& dx,
                Tensor* const* d_slots) override {
    check(dy.shape() == x.shape(), "Fusion.backward",
          "grad " + shape_str(dy.shape()) + " does not match input " + shape_str(x.shape()));
    dh_.resize(dy.shape());
    as_vector(dh_) = as_vector(dy);
    for (int s = static_cast<int>(subs_.size()) - 1; s >= 0; --s) {
      CrossSublayer& sub = *subs_[s];
      const Tensor& input = s == 0 ? x : subs_[s - 1]->h;
      const float g = gate(s);
      if (kind_ == FusionKind::Gated)
        sub.gate.grad[0] += (1.0f - g * g) * as_vector(dh_).dot(as_vector(sub.out_drop));
      sub.d_out.resize(dh_.shape());
      as_vector(sub.d_out) = g * as_vector(dh_);
      sub.drop.backward(sub.d_out, sub.d_out);
      Tensor* dmem = d_slots && d_slots[s] ? &sub.d_mem : nullptr;
      sub.attn.backward(sub.normed, *slots[s].values, sub.d_out, &sub.d_normed, dmem);
      if (dmem) as_vector(*d_slots[s]) += as_vector(sub.d_mem);
      sub.norm.backward(input, sub.d_normed, sub.d_in);
      as_vector(dh_) += as_vector(sub.d_in);
    }
    dx.resize(dh_.shape());
    as_vector(dx) = as_vector(dh_);
  }

  const Tensor& probabilities(int slot) const override {
    return subs_.at(static_cast<size_t>(slot))->attn.probabilities();
  }
  const Tensor& contribution_norms() const override { return norms_; }
  const MultiHeadAttention& slot_attention(int slot) const override {
    return subs_.at(static_cast<size_t>(slot))->attn;
  }

  void step(const Tensor& x, const KeyValueView* const* views, FusionStepScratch& scratch,
            Tensor& y, const FusionStepTaps& taps, const FusionStepPack* pack) const override {
    const int n = static_cast<int>(subs_.size());
    y.resize(x.shape());
    as_vector(y) = as_vector(x);
    for (int s = 0; s < n; ++s) {
      const CrossSublayer& sub = *subs_[s];
      sub.norm.apply(y, scratch.norm);
      add_cross_attention_step(sub.attn, pack ? &pack->slots[static_cast<size_t>(s)] : nullptr,
                               scratch.norm, views[s], gate(s), s, n, scratch, y, taps);
    }
  }

  FusionStepPack pack_step(Precision precision) const override {
    FusionStepPack pack;
    for (const auto& sub : subs_)
      pack.slots.push_back(pack_attention_step(sub->attn, AttentionInput::Queries, precision,
                                               LinearEpilogue::Accumulate));
    return pack;
  }

 private:
  FusionKind kind_;
  int64_t d_;
  std::vector<std::unique_ptr<CrossSublayer>> subs_;
  Tensor norms_, dh_;
};

}  // namespace

std::unique_ptr<Fusion> make_serial_fusion(FusionKind kind, const BlockConfig& config) {
  return std::make_unique<SerialFusion>(kind, config);
}

}  // namespace glimpse
