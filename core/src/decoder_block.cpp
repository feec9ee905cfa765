// The pre-LN decoder block: masked self-attention -> fusion (cross-attention) -> feed-forward,
// each with its residual. Training forward/backward and one cached decode step.
#include <cstring>

#include "block_detail.h"
#include "glimpse/core/error.h"
#include "glimpse/core/packed_decoder.h"
#include "glimpse/core/transformer_blocks.h"

namespace glimpse {

using block_detail::add;
using block_detail::site_seed;

DecoderBlock::DecoderBlock(const BlockConfig& config, FusionKind fusion)
    : norm1((validate(config), config.d_model), config.layer_norm_eps),
      norm3(config.d_model, config.layer_norm_eps),
      self_attn(config.d_model, config.num_heads),
      ff(config.d_model, config.d_hidden, config.gelu, config.dropout, site_seed(config.seed, 10)),
      config_(config),
      fusion_(make_fusion(fusion, [&] {
        BlockConfig c = config;
        c.seed = site_seed(config.seed, 12);
        return c;
      }())),
      dropout1_(config.dropout, site_seed(config.seed, 11)),
      dropout3_(config.dropout, site_seed(config.seed, 13)) {}

void DecoderBlock::init(Rng& rng) {
  self_attn.init(rng);
  fusion_->init(rng);
  ff.init(rng);
}

void DecoderBlock::forward(const Tensor& x, const MemorySlot* slots, int64_t batch, int64_t len_t,
                           Tensor& y, bool training) {
  check_shape(x, {batch * len_t, config_.d_model}, "DecoderBlock", "target input");
  AttentionMask causal;
  causal.causal = true;
  norm1.forward(x, ln1_);
  self_attn.forward(ln1_, ln1_, batch, len_t, len_t, causal, sa_);
  dropout1_.forward(sa_, sa_drop_, training);
  add(x, sa_drop_, x1_);

  fusion_->forward(x1_, slots, batch, len_t, x2_, training);

  norm3.forward(x2_, ln3_);
  ff.forward(ln3_, ff_, training);
  dropout3_.forward(ff_, ff_drop_, training);
  add(x2_, ff_drop_, y);
}

void DecoderBlock::backward(const Tensor& x, const MemorySlot* slots, const Tensor& dy, Tensor& dx,
                            Tensor* const* d_slots) {
  check(dy.shape() == x.shape(), "DecoderBlock.backward",
        "grad " + shape_str(dy.shape()) + " does not match input " + shape_str(x.shape()));
  for (int s = 0; d_slots && s < fusion_->slots(); ++s)
    if (d_slots[s])
      check(d_slots[s]->shape() == slots[s].values->shape(), "DecoderBlock.backward",
            "memory grad " + shape_str(d_slots[s]->shape()) + " does not match memory " +
                shape_str(slots[s].values->shape()));
  // y = x2 + drop(ff(ln3(x2)))
  dropout3_.backward(dy, d_branch_);
  ff.backward(ln3_, d_branch_, d_ln_);
  norm3.backward(x2_, d_ln_, d_sub_);
  add(dy, d_sub_, d_x2_);
  // x2 = fusion(x1, memories)
  fusion_->backward(x1_, slots, d_x2_, d_x1_, d_slots);
  // x1 = x + drop(self(ln1(x)))
  dropout1_.backward(d_x1_, d_branch_);
  self_attn.backward(ln1_, ln1_, d_branch_, &d_ln_, nullptr);
  norm1.backward(x, d_ln_, d_sub_);
  add(d_x1_, d_sub_, dx);
}

void DecoderBlock::forward(const Tensor& x, const Tensor& memory, int64_t batch, int64_t len_t,
                           int64_t len_m, const uint8_t* memory_padding, Tensor& y, bool training) {
  check(fusion_->slots() == 1, "DecoderBlock",
        std::string("the one-memory forward needs concat fusion, this block uses ") +
            fusion_name(fusion_->kind()));
  check_shape(memory, {batch * len_m, config_.d_model}, "DecoderBlock", "memory");
  single_slot_ = {&memory, len_m, memory_padding};
  forward(x, &single_slot_, batch, len_t, y, training);
}

void DecoderBlock::backward(const Tensor& x, const Tensor& memory, const Tensor& dy, Tensor& dx,
                            Tensor* d_memory) {
  check(single_slot_.values == &memory, "DecoderBlock.backward",
        "memory differs from the last one-memory forward's");
  Tensor* d_slots[1] = {d_memory};
  backward(x, &single_slot_, dy, dx, d_slots);
}

void DecoderBlock::init_cache(SelfAttentionCache& cache, int64_t n, int64_t max_len) const {
  cache.kv.resize({n, max_len, 2 * config_.d_model});
  cache.max_len = max_len;
}

void DecoderBlock::step(const Tensor& x, int64_t pos, SelfAttentionCache& cache,
                        const KeyValueView* const* memory_views, DecoderStepScratch& s, Tensor& y,
                        const FusionStepTaps& taps, const DecoderBlockStepPack* pack) const {
  const int64_t d = config_.d_model, n = x.rows();
  check_shape(x, {n, d}, "DecoderBlock.step", "input");
  check_lazily(cache.kv.rank() == 3 && cache.kv.dim(0) == n && pos >= 0 && pos < cache.max_len,
               "DecoderBlock.step", [&] {
                 return "position " + std::to_string(pos) + " does not fit cache " + shape_str(cache.kv.shape()) +
                        " for " + std::to_string(n) + " hypotheses";
               });
  // Masked self-attention over positions 0..pos: this token's K|V join the cache first.
  norm1.apply(x, s.normed);
  if (pack) pack->self_attn.input.apply(s.normed, s.qkv);
  else self_attn.project_qkv(s.normed, s.qkv);
  s.self_views.resize(static_cast<size_t>(n));
  for (int64_t b = 0; b < n; ++b) {
    float* row = cache.kv.data() + (b * cache.max_len + pos) * 2 * d;
    std::memcpy(row, s.qkv.data() + b * 3 * d + d, sizeof(float) * 2 * d);
    const float* base = cache.kv.data() + b * cache.max_len * 2 * d;
    s.self_views[static_cast<size_t>(b)] = {base, base + d, 2 * d, pos + 1, nullptr};
  }
  // Packed, out_proj and linear2 add straight into copies of their residuals.
  if (pack) {
    s.h1.resize(x.shape());
    as_vector(s.h1) = as_vector(x);
    attend_step_packed(self_attn, pack->self_attn.output, s.qkv.data(), 3 * d, n, s.self_views.data(),
                       s.attn, s.h1, nullptr);
  } else {
    self_attn.attend_step(s.qkv.data(), 3 * d, n, s.self_views.data(), s.attn, s.attn_out, nullptr);
    add(x, s.attn_out, s.h1);
  }
  fusion_->step(s.h1, memory_views, s.fusion, s.h2, taps, pack ? &pack->fusion : nullptr);
  norm3.apply(s.h2, s.normed);
  if (pack) {
    pack->ff_up.apply(s.normed, s.ff_hidden);
    y.resize(s.h2.shape());
    as_vector(y) = as_vector(s.h2);
    pack->ff_down.apply(s.ff_hidden, y);
  } else {
    ff.apply(s.normed, s.ff_out, s.ff_hidden);
    add(s.h2, s.ff_out, y);
  }
}

DecoderBlockStepPack DecoderBlock::pack_step(Precision precision) const {
  const LinearEpilogue gelu =
      config_.gelu == GeluKind::Erf ? LinearEpilogue::GeluErf : LinearEpilogue::GeluTanh;
  return DecoderBlockStepPack{
      pack_attention_step(self_attn, AttentionInput::QueriesKeysValues, precision,
                          LinearEpilogue::Accumulate),
      fusion_->pack_step(precision), pack_linear(ff.linear1, precision, gelu),
      pack_linear(ff.linear2, precision, LinearEpilogue::Accumulate)};
}

void DecoderBlock::collect(const std::string& prefix, ParameterList& out) {
  self_attn.collect(prefix + "self_attn.", out);
  fusion_->collect(prefix, out);
  ff.collect(prefix, out);
  norm1.collect(prefix + "norm1.", out);
  norm3.collect(prefix + "norm3.", out);
}

}  // namespace glimpse
