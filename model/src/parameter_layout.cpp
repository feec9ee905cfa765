#include "glimpse/model/parameter_layout.h"

#include <algorithm>

namespace glimpse::model {
namespace {

// Appends tensors under a common prefix ("vision.layers.0.").
class LayoutWriter {
 public:
  explicit LayoutWriter(std::vector<ParameterSpec>& out) : out_(out) {}

  void add(const std::string& name, Shape shape) { out_.push_back({name, std::move(shape)}); }

  // nn.MultiheadAttention(d, H): in_proj [3d, d] + [3d], out_proj [d, d] + [d].
  void attention(const std::string& p, int64_t d) {
    add(p + "in_proj_weight", {3 * d, d});
    add(p + "in_proj_bias", {3 * d});
    add(p + "out_proj.weight", {d, d});
    add(p + "out_proj.bias", {d});
  }
  void layer_norm(const std::string& p, int64_t d) {
    add(p + "weight", {d});
    add(p + "bias", {d});
  }
  void linear(const std::string& p, int64_t in, int64_t out, bool bias = true) {
    add(p + "weight", {out, in});
    if (bias) add(p + "bias", {out});
  }
  // linear1 / linear2 of a pre-LN transformer layer.
  void feed_forward(const std::string& p, int64_t d, int64_t hidden) {
    linear(p + "linear1.", d, hidden);
    linear(p + "linear2.", hidden, d);
  }
  // nn.TransformerEncoderLayer(norm_first=True).
  void encoder_layer(const std::string& p, int64_t d, int64_t hidden) {
    attention(p + "self_attn.", d);
    feed_forward(p, d, hidden);
    layer_norm(p + "norm1.", d);
    layer_norm(p + "norm2.", d);
  }

 private:
  std::vector<ParameterSpec>& out_;
};

// The fusion's own tensors inside decoder layer `p` (docs/model-format.md, the fusion table).
void fusion_tensors(LayoutWriter& w, const std::string& p, FusionKind fusion, int64_t d) {
  switch (fusion) {
    case FusionKind::Concat:
      w.layer_norm(p + "norm2.", d);
      w.attention(p + "multihead_attn.", d);
      return;
    case FusionKind::Gated:
      w.add(p + "gate_image", {1});
      w.add(p + "gate_context", {1});
      [[fallthrough]];
    case FusionKind::Separate:
      w.layer_norm(p + "norm_image.", d);
      w.attention(p + "attn_image.", d);
      w.layer_norm(p + "norm_context.", d);
      w.attention(p + "attn_context.", d);
      return;
    case FusionKind::Hierarchical:
      w.linear(p + "combine_query.", d, d);
      for (const char* m : {"image", "context"}) {
        w.linear(p + "combine_key_" + m + ".", d, d, false);
        w.linear(p + "combine_value_" + m + ".", d, d, false);
      }
      [[fallthrough]];
    case FusionKind::Parallel:
      w.layer_norm(p + "norm2.", d);
      w.attention(p + "attn_image.", d);
      w.attention(p + "attn_context.", d);
      return;
  }
}

}  // namespace

std::vector<ParameterSpec> parameter_layout(const ModelConfig& c) {
  std::vector<ParameterSpec> out;
  LayoutWriter w(out);
  const int64_t d = c.d_model, h = c.d_hidden, V = c.vocab_size;
  const int64_t P = c.image.patch_size, G = c.image.image_size / c.image.patch_size;

  w.linear("vision.patch_embed.", 3 * P * P, d);
  w.add("vision.pos_row", {G, d});
  w.add("vision.pos_col", {G, d});
  for (int i = 0; i < c.encoder_layers; ++i) w.encoder_layer("vision.layers." + std::to_string(i) + ".", d, h);
  w.layer_norm("vision.norm.", d);

  w.add("context.token_embed.weight", {V, d});
  w.add("context.pos_embed", {std::max<int64_t>(c.max_context_len, 1), d});
  for (int i = 0; i < c.context_layers; ++i) w.encoder_layer("context.layers." + std::to_string(i) + ".", d, h);
  w.layer_norm("context.norm.", d);

  w.add("decoder.token_embed.weight", {V, d});
  w.add("decoder.pos_embed", {c.max_caption_len, d});
  for (int i = 0; i < c.decoder_layers; ++i) {
    const std::string p = "decoder.layers." + std::to_string(i) + ".";
    w.layer_norm(p + "norm1.", d);
    w.attention(p + "self_attn.", d);
    w.layer_norm(p + "norm3.", d);
    w.feed_forward(p, d, h);
    fusion_tensors(w, p, c.fusion, d);
  }
  w.layer_norm("decoder.norm.", d);
  if (!c.tie_embeddings) w.add("decoder.output.weight", {V, d});
  w.add("decoder.output_bias", {V});

  if (c.fusion == FusionKind::Concat) {
    w.add("modality_image", {d});
    w.add("modality_context", {d});
  }
  if (c.object_classes > 0) w.linear("object_head.", d, c.object_classes);
  return out;
}

int64_t parameter_count(const ModelConfig& config) {
  int64_t n = 0;
  // Not shape_numel(): a tensor over its 2^31-element limit must still be counted (and then
  // refused by validate() against kMaxParameters). Within the per-field bounds no product
  // exceeds 2^36.
  for (const ParameterSpec& p : parameter_layout(config)) {
    int64_t size = 1;
    for (int64_t d : p.shape) size *= d;
    n += size;
  }
  return n;
}

}  // namespace glimpse::model
