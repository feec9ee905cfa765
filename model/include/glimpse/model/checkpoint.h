// A model on disk: one .safetensors file. Tensors are the model's parameters under their
// names (docs/model-format.md); __metadata__ holds
//   glimpse.format      "1"
//   glimpse.config      the ModelConfig JSON
//   glimpse.vocabulary  the vocabulary JSON (text::Vocabulary)
//   glimpse.provenance  JSON object: what made the file (tool version, data, steps, ...)
// Loading validates the file (safetensors.h), the config (model_config.h: every size within its
// bound), the vocabulary (the special tokens, vocab_size tokens) and the provenance (a JSON
// object), and then every tensor against the config (parameter_layout.h): each parameter
// present with its exact shape, nothing unknown. Only then is the model built.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "glimpse/core/safetensors.h"
#include "glimpse/model/caption_model.h"

namespace glimpse::model {

// The largest file load_checkpoint reads: the header's limit plus kMaxParameters float32
// values. A larger file is refused from its size alone, before it is read into memory.
inline constexpr uint64_t kMaxCheckpointBytes =
    8 + kMaxHeaderBytes + 4 * static_cast<uint64_t>(kMaxParameters);

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
// Same checks on a file's bytes already in memory; `what` names them in errors.
Checkpoint parse_checkpoint(const std::string& bytes, const std::string& what);

}  // namespace glimpse::model
