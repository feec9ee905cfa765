// How much of what the decoder's cross-attention brought in came from the image rather than
// the context text, for one decode step. The same definition as StepAttention::image_share in
// the public API (glimpse.h, StepAttention) and in evaluation (eval/evaluate.h):
//   * concat fusion (no slot norms): one softmax over image and context keys together, so the
//     image's share at a layer is its attention mass, averaged over heads;
//   * separate sub-layers (separate, parallel, hierarchical, gated): the norm of the image
//     sub-layer's output over the sum of both outputs' norms (1 when both are zero);
// and the step's share is the mean over layers. The context's share is 1 - the image's.
#pragma once

#include <cstdint>
#include <vector>

#include "glimpse/model/decoding.h"

namespace glimpse::model {

// [layers]; throws glimpse::Error when the record's sizes do not match.
std::vector<float> image_share_by_layer(const StepRecord& step, int layers, int heads,
                                        int64_t image_len);
float image_share(const StepRecord& step, int layers, int heads, int64_t image_len);

}  // namespace glimpse::model
