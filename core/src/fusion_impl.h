// Internal: the fusion strategies' constructors and helpers they share.
#pragma once

#include <cmath>
#include <memory>

#include "glimpse/core/fusion.h"
#include "glimpse/core/packed_decoder.h"

namespace glimpse {

std::unique_ptr<Fusion> make_serial_fusion(FusionKind kind, const BlockConfig& config);
std::unique_ptr<Fusion> make_parallel_fusion(const BlockConfig& config);
std::unique_ptr<Fusion> make_hierarchical_fusion(const BlockConfig& config);

namespace fusion_detail {

// Checks x [batch*len_t, d] and every slot's memory shape; names the strategy in errors.
void check_slots(const Fusion& f, const Tensor& x, const MemorySlot* slots, int64_t batch,
                 int64_t len_t, int64_t d);
// norms[r * slots + slot] = |scale| * ||row r of t||.
void row_norms(const Tensor& t, float scale, Tensor& norms, int slot, int slots);

// One cross-attention read of a decode step added into the residual: y += gate * Attn(normed)
// over views, reporting slot `slot` (of `slots`) through taps. `pack` (null: the attention's own
// weights) holds its query projection and an Accumulate out_proj: with gate 1 (every fusion
// but gated) and no contribution norms asked for, out_proj adds straight into y; otherwise the
// branch lands in scratch.slot_out[slot] first.
void add_cross_attention_step(const MultiHeadAttention& attn, const AttentionStepPack* pack,
                              const Tensor& normed, const KeyValueView* views, float gate, int slot,
                              int slots, FusionStepScratch& scratch, Tensor& y,
                              const FusionStepTaps& taps);

// Dropout seeds distinct from the decoder block's own sites.
inline uint64_t fusion_seed(uint64_t seed, uint64_t site) {
  uint64_t z = seed ^ (0xd1b54a32d192ed03ULL * (site + 101));
  z = (z ^ (z >> 29)) * 0xbf58476d1ce4e5b9ULL;
  return z ^ (z >> 32);
}

}  // namespace fusion_detail
}  // namespace glimpse
