// Inference packs of the decoder's per-token step (TextDecoder::step): every projection one
// cached decode step runs, as PackedLinear matmuls (fp32 or bf16) with the bias, GELU and
// residual adds fused where the data flow allows.
//
// Why: at 1..32 rows a step is bound by the bytes of its weights (~1.9M per token for the
// shipped model), not by arithmetic; pre-packed weights skip gemm's per-call packing, and bf16
// halves the bytes read.
//
// Built by TextDecoder::pack_step() from the current weights, a pack is a snapshot like every
// PackedLinear: CaptionModel keeps it in its inference pack and drops it with the encoders'
// whenever the weights may change. Training and forward()/backward() never read it; a step
// given no pack runs on the layers' own weights.
#pragma once

#include <vector>

#include "glimpse/core/attention.h"
#include "glimpse/core/packed_linear.h"

namespace glimpse {

class Linear;

// One attention's decode-step projections: `input` maps the normalised stream to Q (cross-
// attention) or Q|K|V (self-attention); `output` is out_proj, with the epilogue its caller's
// data flow allows (Accumulate where the output is added straight into the residual).
struct AttentionStepPack {
  PackedLinear input, output;
};

enum class AttentionInput { Queries, QueriesKeysValues };

AttentionStepPack pack_attention_step(const MultiHeadAttention& attn, AttentionInput input,
                                      Precision precision, LinearEpilogue output_epilogue);
PackedLinear pack_linear(const Linear& layer, Precision precision,
                         LinearEpilogue epilogue = LinearEpilogue::None);

// MultiHeadAttention::attend_step with its output projection packed: n queries (row b at
// q + b * ld_q) over views[b], then `output` maps the heads' context into out ([n, d]; with
// Accumulate out must already be [n, d] and receives the sum). probs as attend_step's.
void attend_step_packed(const MultiHeadAttention& attn, const PackedLinear& output, const float* q,
                        int64_t ld_q, int64_t n, const KeyValueView* views,
                        AttentionStepScratch& scratch, Tensor& out, float* const* probs);

// The fusion's share of a decode step.
struct FusionStepPack {
  std::vector<AttentionStepPack> slots;  // slot s's cross-attention (query, out_proj)
  // Hierarchical only: combine_query, combine_key_{image,context}, combine_value_{image,context}.
  std::vector<PackedLinear> combine;
};

struct DecoderBlockStepPack {
  AttentionStepPack self_attn;  // Q|K|V; out_proj adds into the residual
  FusionStepPack fusion;
  PackedLinear ff_up;    // linear1 with the block's GELU
  PackedLinear ff_down;  // linear2, added into the residual
};

struct DecoderStepPack {
  std::vector<DecoderBlockStepPack> blocks;
  // h W^T + output_bias; W is the token embedding when tied. fp32 in every pack (see
  // TextDecoder::pack_step: bf16 logits flip near-tie words).
  PackedLinear logits;
};

}  // namespace glimpse
