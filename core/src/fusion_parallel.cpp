// parallel fusion: both cross-attentions read the same normalised query; their outputs are
// summed into one residual.
#include "fusion_impl.h"
#include "glimpse/core/dropout.h"
#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"
#include "glimpse/core/layer_norm.h"

namespace glimpse {
namespace {

using namespace fusion_detail;

class ParallelFusion final : public Fusion {
 public:
  explicit ParallelFusion(const BlockConfig& c)
      : d_(c.d_model),
        norm_(c.d_model, c.layer_norm_eps),
        attn_{MultiHeadAttention(c.d_model, c.num_heads), MultiHeadAttention(c.d_model, c.num_heads)},
        drop_{Dropout(c.dropout, fusion_seed(c.seed, 0)), Dropout(c.dropout, fusion_seed(c.seed, 1))} {}

  FusionKind kind() const override { return FusionKind::Parallel; }

  void init(Rng& rng) override {
    attn_[0].init(rng);
    attn_[1].init(rng);
  }

  void collect(const std::string& prefix, ParameterList& out) override {
    norm_.collect(prefix + "norm2.", out);
    attn_[0].collect(prefix + "attn_image.", out);
    attn_[1].collect(prefix + "attn_context.", out);
  }

  void forward(const Tensor& x, const MemorySlot* slots, int64_t batch, int64_t len_t, Tensor& y,
               bool training) override {
    check_slots(*this, x, slots, batch, len_t, d_);
    norms_.resize({batch * len_t, 2});
    norm_.forward(x, normed_);
    y.resize(x.shape());
    as_vector(y) = as_vector(x);
    for (int s = 0; s < 2; ++s) {
      AttentionMask mask;
      mask.key_padding = slots[s].padding;
      attn_[s].forward(normed_, *slots[s].values, batch, len_t, slots[s].len, mask, out_[s]);
      drop_[s].forward(out_[s], out_drop_[s], training);
      as_vector(y) += as_vector(out_drop_[s]);
      row_norms(out_drop_[s], 1.0f, norms_, s, 2);
    }
  }

  void backward(const Tensor& x, const MemorySlot* slots, const Tensor& dy, Tensor& dx,
                Tensor* const* d_slots) override {
    check(dy.shape() == x.shape(), "Fusion(parallel).backward",
          "grad " + shape_str(dy.shape()) + " does not match input " + shape_str(x.shape()));
    d_normed_.resize(x.shape());
    d_normed_.zero();
    for (int s = 0; s < 2; ++s) {
      drop_[s].backward(dy, d_out_);
      Tensor* dmem = d_slots && d_slots[s] ? &d_mem_ : nullptr;
      attn_[s].backward(normed_, *slots[s].values, d_out_, &d_part_, dmem);
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
    norm_.apply(x, scratch.norm);
    y.resize(x.shape());
    as_vector(y) = as_vector(x);
    for (int s = 0; s < 2; ++s)
      add_cross_attention_step(attn_[s], pack ? &pack->slots[static_cast<size_t>(s)] : nullptr,
                               scratch.norm, views[s], 1.0f, s, 2, scratch, y, taps);
  }

  FusionStepPack pack_step(Precision precision) const override {
    FusionStepPack pack;
    for (const MultiHeadAttention& attn : attn_)
      pack.slots.push_back(pack_attention_step(attn, AttentionInput::Queries, precision,
                                               LinearEpilogue::Accumulate));
    return pack;
  }

 private:
  int64_t d_;
  LayerNorm norm_;
  MultiHeadAttention attn_[2];
  Dropout drop_[2];
  Tensor normed_, out_[2], out_drop_[2], norms_;
  Tensor d_normed_, d_out_, d_part_, d_mem_;
};

}  // namespace

std::unique_ptr<Fusion> make_parallel_fusion(const BlockConfig& config) {
  return std::make_unique<ParallelFusion>(config);
}

}  // namespace glimpse
