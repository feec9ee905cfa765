// A model on disk: one .safetensors file. Tensors are the model's parameters under their
// names (docs/model-format.md); __metadata__ holds
//   glimpse.format      "1"
//   glimpse.config      the ModelConfig JSON
//   glimpse.vocabulary  the vocabulary JSON (text::Vocabulary)
//   glimpse.provenance  JSON object: what made the file (tool version, data, steps, ...)
// Loading validates the file (safetensors.h) and then every tensor against the config: each
// parameter present with its exact shape, nothing unknown.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "glimpse/core/safetensors.h"
#include "glimpse/model/caption_model.h"

namespace glimpse::model {

struct Checkpoint {
  std::unique_ptr<CaptionModel> model;
  std::string vocabulary_json;
  std::string provenance_json;
};

void save_checkpoint(const std::string& path, const CaptionModel& model,
                     const std::string& vocabulary_json, const std::string& provenance_json = "{}",
                     StoredType type = StoredType::F32);

// Throws glimpse::Error naming `path` and the fault.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace glimpse::model
