// PackedEncoderStack: inference-only copy of an EncoderStack (pre-LN blocks + final norm) whose
// projections and feed-forward run as PackedLinear matmuls (fp32, or bf16 with rounded or hi+lo
// weights): QKV, out_proj with the residual add fused, linear1 with GELU fused, linear2 with the
// residual add fused.
//
// A snapshot like PackedLinear: built from the stack's weights once, it never reads the stack
// again, so it must be rebuilt after the weights change. apply() is const and keeps its scratch
// per thread: one pack serves concurrent callers. Training and backward never use it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "glimpse/core/activations.h"
#include "glimpse/core/layer_norm.h"
#include "glimpse/core/packed_linear.h"

namespace glimpse {

class PackedEncoderStack {
 public:
  // The stack's weights by checkpoint name relative to its prefix (EncoderStack::collect's
  // names: layers.{i}.self_attn.in_proj_weight, ..., norm.weight); `param` throws for a
  // missing name. The encoders keep their stacks private, so the pack reads the names.
  using ParamLookup = std::function<const Tensor&(const std::string& name)>;
  PackedEncoderStack(const ParamLookup& param, int layers, int64_t d_model, int64_t num_heads,
                     GeluKind gelu, float layer_norm_eps, Precision precision,
                     Bf16Weights bf16_weights = Bf16Weights::Rounded);

  // x: [B*L, d] embedded input -> y: [B*L, d], as EncoderStack::forward(..., training=false).
  void apply(const Tensor& x, int64_t batch, int64_t len, const uint8_t* key_padding,
             Tensor& y) const;

 private:
  struct Block {
    LayerNorm norm1, norm2;
    PackedLinear qkv, out_proj, linear1, linear2;
    int64_t heads;
  };
  std::vector<Block> blocks_;
  LayerNorm norm_;
  int64_t d_;
};

}  // namespace glimpse
