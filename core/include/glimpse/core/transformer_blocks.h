// Pre-LN transformer blocks, layer for layer the same computation as
// torch.nn.TransformerEncoderLayer / TransformerDecoderLayer with norm_first=True and
// batch_first=True, and the same parameter names.
//
//   encoder:  x += drop(SelfAttn(LN1(x)));             x += drop(FFN(LN2(x)))
//   decoder:  x += drop(MaskedSelfAttn(LN1(x)));  x += drop(CrossAttn(LN2(x), memory));
//             x += drop(FFN(LN3(x)))
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "glimpse/core/attention.h"
#include "glimpse/core/block_config.h"
#include "glimpse/core/dropout.h"
#include "glimpse/core/feed_forward.h"
#include "glimpse/core/fusion.h"
#include "glimpse/core/layer_norm.h"

namespace glimpse {

struct DecoderBlockStepPack;  // packed_decoder.h

class EncoderBlock {
 public:
  explicit EncoderBlock(const BlockConfig& config);
  void init(Rng& rng);

  // x: [B*L, d] -> y: [B*L, d]. key_padding: [B, L] (non-zero = padding) or null.
  void forward(const Tensor& x, int64_t batch, int64_t len, const uint8_t* key_padding, Tensor& y,
               bool training);
  // Writes dx.
  void backward(const Tensor& x, const Tensor& dy, Tensor& dx);

  void collect(const std::string& prefix, ParameterList& out);
  const MultiHeadAttention& self_attention() const { return self_attn; }

  LayerNorm norm1, norm2;
  MultiHeadAttention self_attn;
  FeedForward ff;

 private:
  BlockConfig config_;
  Dropout dropout1_, dropout2_;
  Tensor ln1_, sa_, sa_drop_, x1_, ln2_, ff_, ff_drop_;
  Tensor d_sa_drop_, d_sa_, d_ln1_, d_x1_, d_ff_, d_ln2_, d_tmp_;
};

// Per-step buffers of cached decoding, grown once and reused for every token.
struct DecoderStepScratch {
  Tensor normed, qkv, attn_out, h1, h2, ff_out, ff_hidden;
  std::vector<KeyValueView> self_views;
  AttentionStepScratch attn;
  FusionStepScratch fusion;
};

// Self-attention K|V of every decoded position: [n, max_len, 2d] for n hypotheses.
struct SelfAttentionCache {
  Tensor kv;
  int64_t max_len = 0;
};

class DecoderBlock {
 public:
  // Concat fusion with one memory slot is exactly nn.TransformerDecoderLayer.
  explicit DecoderBlock(const BlockConfig& config, FusionKind fusion = FusionKind::Concat);
  void init(Rng& rng);

  // x: [B*Lt, d] target stream; slots: the fusion's memories (see fusion.h).
  void forward(const Tensor& x, const MemorySlot* slots, int64_t batch, int64_t len_t, Tensor& y,
               bool training);
  // Writes dx; ADDS each slot's memory gradient into *d_slots[s] (shared by every layer).
  void backward(const Tensor& x, const MemorySlot* slots, const Tensor& dy, Tensor& dx,
                Tensor* const* d_slots);

  // One memory (concat fusion): memory [B*Lm, d], memory_padding [B, Lm] or null.
  void forward(const Tensor& x, const Tensor& memory, int64_t batch, int64_t len_t, int64_t len_m,
               const uint8_t* memory_padding, Tensor& y, bool training);
  void backward(const Tensor& x, const Tensor& memory, const Tensor& dy, Tensor& dx,
                Tensor* d_memory);

  // Cached decoding: x [n, d] holds the token at position `pos` of n hypotheses; appends its
  // self-attention K|V to `cache` (row `cache_rows[b]` of the cache holds hypothesis b) and
  // attends over positions 0..pos; memory_views[s][b] are the precomputed K|V of slot s.
  // With a pack (from pack_step()) every projection runs on it, else on the layers' weights.
  void step(const Tensor& x, int64_t pos, SelfAttentionCache& cache,
            const KeyValueView* const* memory_views, DecoderStepScratch& scratch, Tensor& y,
            const FusionStepTaps& taps, const DecoderBlockStepPack* pack = nullptr) const;
  // Inference snapshot of step()'s projections in `precision`.
  DecoderBlockStepPack pack_step(Precision precision) const;
  void init_cache(SelfAttentionCache& cache, int64_t n, int64_t max_len) const;

  void collect(const std::string& prefix, ParameterList& out);

  Fusion& fusion() { return *fusion_; }
  const Fusion& fusion() const { return *fusion_; }
  const MultiHeadAttention& self_attention() const { return self_attn; }

  LayerNorm norm1, norm3;
  MultiHeadAttention self_attn;
  FeedForward ff;

 private:
  BlockConfig config_;
  std::unique_ptr<Fusion> fusion_;
  Dropout dropout1_, dropout3_;
  MemorySlot single_slot_;  // the one-memory overloads' slot
  Tensor ln1_, sa_, sa_drop_, x1_, x2_, ln3_, ff_, ff_drop_;
  Tensor d_x2_, d_x1_, d_branch_, d_sub_, d_ln_;
};

}  // namespace glimpse
