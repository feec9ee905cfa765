#include "glimpse/core/packed_encoder.h"

#include "glimpse/core/attention.h"
#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"

namespace glimpse {
namespace {

// Per-thread buffers of one apply(), grown once: concurrent callers never share them.
struct EncoderScratch {
  Tensor x, ln, qkv, context, hidden, probs;
};

LayerNorm norm_from(const PackedEncoderStack::ParamLookup& param, const std::string& prefix,
                    int64_t d, float eps) {
  LayerNorm n(d, eps);
  n.weight.value = param(prefix + "weight");
  n.bias.value = param(prefix + "bias");
  check(n.weight.value.size() == d && n.bias.value.size() == d, "PackedEncoderStack",
        prefix + "* must have " + std::to_string(d) + " entries");
  return n;
}

PackedLinear linear_from(const PackedEncoderStack::ParamLookup& param, const std::string& prefix,
                         const std::string& weight, const std::string& bias, Precision precision,
                         Bf16Weights bf16_weights, LinearEpilogue epilogue) {
  const Tensor& w = param(prefix + weight);
  const Tensor& b = param(prefix + bias);
  check(w.rank() == 2 && b.size() == w.dim(0), "PackedEncoderStack",
        prefix + weight + " has shape " + shape_str(w.shape()) + " and its bias " + shape_str(b.shape()));
  return PackedLinear(w.data(), b.data(), w.dim(0), w.dim(1), precision, epilogue, bf16_weights);
}
}  // namespace

PackedEncoderStack::PackedEncoderStack(const ParamLookup& param, int layers, int64_t d_model,
                                       int64_t num_heads, GeluKind gelu, float layer_norm_eps,
                                       Precision precision, Bf16Weights bf16_weights)
    : norm_(norm_from(param, "norm.", d_model, layer_norm_eps)), d_(d_model) {
  const LinearEpilogue act = gelu == GeluKind::Erf ? LinearEpilogue::GeluErf : LinearEpilogue::GeluTanh;
  blocks_.reserve(static_cast<size_t>(layers));
  for (int i = 0; i < layers; ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    blocks_.push_back(Block{
        norm_from(param, p + "norm1.", d_model, layer_norm_eps),
        norm_from(param, p + "norm2.", d_model, layer_norm_eps),
        linear_from(param, p + "self_attn.", "in_proj_weight", "in_proj_bias", precision, bf16_weights,
                    LinearEpilogue::None),
        linear_from(param, p + "self_attn.", "out_proj.weight", "out_proj.bias", precision, bf16_weights,
                    LinearEpilogue::Accumulate),
        linear_from(param, p, "linear1.weight", "linear1.bias", precision, bf16_weights, act),
        linear_from(param, p, "linear2.weight", "linear2.bias", precision, bf16_weights,
                    LinearEpilogue::Accumulate),
        num_heads});
  }
}

void PackedEncoderStack::apply(const Tensor& x, int64_t batch, int64_t len,
                               const uint8_t* key_padding, Tensor& y) const {
  check_shape(x, {batch * len, d_}, "PackedEncoderStack", "input");
  thread_local EncoderScratch s;
  s.x.resize(x.shape());
  as_vector(s.x) = as_vector(x);
  AttentionMask padding;
  padding.key_padding = key_padding;
  for (const Block& b : blocks_) {
    // x += out_proj(attention(qkv(norm1(x))))
    b.norm1.apply(s.x, s.ln);
    b.qkv.apply(s.ln, s.qkv);
    scaled_dot_product_attention(packed_qkv_operands(s.qkv.data(), batch, len, d_, b.heads), padding, s.probs,
                                 s.context);
    b.out_proj.apply(s.context, s.x);
    // x += linear2(gelu(linear1(norm2(x))))
    b.norm2.apply(s.x, s.ln);
    b.linear1.apply(s.ln, s.hidden);
    b.linear2.apply(s.hidden, s.x);
  }
  norm_.apply(s.x, y);
}

}  // namespace glimpse
