#include "glimpse/core/packed_decoder.h"


#include "glimpse/core/error.h"
#include "glimpse/core/linear.h"

namespace glimpse {

AttentionStepPack pack_attention_step(const MultiHeadAttention& attn, AttentionInput input,
                                      Precision precision, LinearEpilogue output_epilogue) {
  const int64_t d = attn.d_model();
  // in_proj is [Wq; Wk; Wv]: the queries are its first d rows.
  const int64_t rows = input == AttentionInput::Queries ? d : 3 * d;
  return AttentionStepPack{
      PackedLinear(attn.in_proj_weight.value.data(), attn.in_proj_bias.value.data(), rows, d, precision),
      PackedLinear(attn.out_proj_weight.value.data(), attn.out_proj_bias.value.data(), d, d, precision,
                   output_epilogue)};
}

PackedLinear pack_linear(const Linear& layer, Precision precision, LinearEpilogue epilogue) {
  return PackedLinear(layer.weight.value.data(), layer.has_bias() ? layer.bias.value.data() : nullptr,
                      layer.out_features(), layer.in_features(), precision, epilogue);
}

void attend_step_packed(const MultiHeadAttention& attn, const PackedLinear& output, const float* q,
                        int64_t ld_q, int64_t n, const KeyValueView* views,
                        AttentionStepScratch& scratch, Tensor& out, float* const* probs) {
  attn.attend_step_context(q, ld_q, n, views, scratch, probs);
  output.apply(scratch.context, out);
}

}  // namespace glimpse
