// The model card: what a checkpoint's config and provenance say about it.
#pragma once

#include "glimpse/glimpse.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse::api {

ModelCard make_model_card(const std::string& path, const model::Checkpoint& checkpoint,
                          const text::Vocabulary& vocabulary);

}  // namespace glimpse::api
