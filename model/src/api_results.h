// Decoder records (decoding.h) -> the public API's results (glimpse.h): layer and head means,
// image shares, entropies, top alternatives as text.
#pragma once

#include "glimpse/glimpse.h"
#include "glimpse/model/decoding.h"
#include "glimpse/model/model_config.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse::api {

StepAttention summarise_step(const model::StepRecord& record, const model::ModelConfig& config,
                             int64_t image_len, int64_t context_len, const text::Vocabulary& vocab);

Caption to_caption(const model::DecodedCaption& decoded, const model::ModelConfig& config,
                   int64_t image_len, int64_t context_len, const text::Vocabulary& vocab);

}  // namespace glimpse::api
