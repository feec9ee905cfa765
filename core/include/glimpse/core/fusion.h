// How a decoder layer reads the two memories (image patches, context tokens): the cross-
// attention part of the block, switchable by config. Every strategy maps the residual stream
// x [B*Lt, d] to y = x + (what the memories contribute).
//
//   concat       y = x + Attn(LN(x), [M_img + e_img ; M_ctx + e_ctx])   one softmax over both
//   separate     h = x + Attn_i(LN_i(x), M_img);  y = h + Attn_c(LN_c(h), M_ctx)
//   gated        as separate, each sub-layer output scaled by tanh(alpha_m), alpha_m init 0
//   parallel     n = LN(x);  y = x + Attn_i(n, M_img) + Attn_c(n, M_ctx)
//   hierarchical n = LN(x);  c_m = Attn_m(n, M_m);  y = x + sum_m beta_m V_m c_m,
//                beta = softmax_m((Q n) . (K_m c_m) / sqrt(d))   (Libovicky & Helcl, 2018)
//
// Memories come as slots: concat reads one (the joint memory, which the model builds once per
// forward), the others read two (slot 0 image, slot 1 context).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "glimpse/core/attention.h"
#include "glimpse/core/block_config.h"
#include "glimpse/core/packed_linear.h"

namespace glimpse {

enum class FusionKind { Concat, Separate, Parallel, Hierarchical, Gated };

const char* fusion_name(FusionKind kind);
FusionKind fusion_from_name(const std::string& name);  // throws on an unknown name
int fusion_slot_count(FusionKind kind);

// One memory: [B*len, d] rows, optional key padding [B, len] (non-zero = padding).
struct MemorySlot {
  const Tensor* values = nullptr;
  int64_t len = 0;
  const uint8_t* padding = nullptr;
};

struct FusionStepPack;  // packed_decoder.h

// Scratch reused across decode steps.
struct FusionStepScratch {
  Tensor norm, q, slot_out[2], combined, keys[2], values[2], tmp;
  AttentionStepScratch attn;
};

// What one decode step reports besides its output, for attention records. Each pointer may be
// null when the caller does not want it.
struct FusionStepTaps {
  // probs[s][b]: [H, len] probabilities of query b over slot s's keys.
  float* const* probs[2] = {nullptr, nullptr};
  // contribution_norms[b * slots + s]: L2 norm of what slot s added to row b's residual.
  float* contribution_norms = nullptr;
};

class Fusion {
 public:
  virtual ~Fusion() = default;
  virtual FusionKind kind() const = 0;
  int slots() const { return fusion_slot_count(kind()); }

  virtual void init(Rng& rng) = 0;
  virtual void collect(const std::string& prefix, ParameterList& out) = 0;

  // Training / teacher-forced forward. slots: fusion_slot_count(kind()) entries.
  virtual void forward(const Tensor& x, const MemorySlot* slots, int64_t batch, int64_t len_t,
                       Tensor& y, bool training) = 0;
  // Writes dx; ADDS each slot's memory gradient into *d_slots[s] when non-null.
  virtual void backward(const Tensor& x, const MemorySlot* slots, const Tensor& dy, Tensor& dx,
                        Tensor* const* d_slots) = 0;

  // Probabilities of the last forward over slot s: [B, H, Lt, len_s].
  virtual const Tensor& probabilities(int slot) const = 0;
  // Per-row L2 norms of each slot's contribution in the last forward: [B*Lt, slots].
  virtual const Tensor& contribution_norms() const = 0;
  // tanh(alpha_m) per slot for gated fusion; empty otherwise.
  virtual std::vector<float> gate_values() const { return {}; }

  // The attention that reads slot s (to project its memory K/V once per image).
  virtual const MultiHeadAttention& slot_attention(int slot) const = 0;
  // The same, writable: a loss on its probabilities sets its probability_grad(). One
  // definition for every strategy (the const one's, which owns the choice of attention).
  MultiHeadAttention& slot_attention(int slot) {
    return const_cast<MultiHeadAttention&>(std::as_const(*this).slot_attention(slot));
  }

  // One cached decode step: x [n, d] -> y [n, d]; views[s] points at n KeyValueViews of slot s.
  // With a pack (from pack_step()) the step's projections run on it, else on the layers.
  virtual void step(const Tensor& x, const KeyValueView* const* views, FusionStepScratch& scratch,
                    Tensor& y, const FusionStepTaps& taps, const FusionStepPack* pack) const = 0;
  // Inference snapshot of the step's projections (query and output of each cross-attention,
  // and hierarchical fusion's combine layers) in `precision`.
  virtual FusionStepPack pack_step(Precision precision) const = 0;
};

std::unique_ptr<Fusion> make_fusion(FusionKind kind, const BlockConfig& config);

}  // namespace glimpse
