// Everything that fixes a captioning model's shape and its input pipeline. Stored as JSON in
// the checkpoint's metadata; loading validates every field and names the one that is wrong.
#pragma once

#include <cstdint>
#include <string>

#include "glimpse/core/fusion.h"
#include "glimpse/core/text_decoder.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::model {

struct ModelConfig {
  vision::PreprocessConfig image;  // size, patch, resize mode, normalisation
  int64_t d_model = 256;
  int64_t num_heads = 4;
  int64_t d_hidden = 1024;
  float dropout = 0.1f;
  GeluKind gelu = GeluKind::Erf;
  int encoder_layers = 4;   // ViT
  int context_layers = 2;   // context-text encoder
  int decoder_layers = 4;
  int64_t vocab_size = 1000;
  int64_t max_caption_len = 24;  // decoder positions, <bos> included
  int64_t max_context_len = 16;
  FusionKind fusion = FusionKind::Concat;
  bool tie_embeddings = true;
  // > 0: a linear head on the image memory classifies every patch into this many classes
  // (background + the training set's object names). A training aid: the captioner never reads
  // it (see train/object_classes.h). Stored in JSON only when > 0.
  int64_t object_classes = 0;

  BlockConfig block(uint64_t seed) const;
  DecoderConfig decoder(uint64_t seed) const;
};

void validate(const ModelConfig& config);
std::string to_json(const ModelConfig& config);
// Throws glimpse::Error naming the field for a missing, mistyped or out-of-range value.
ModelConfig config_from_json(const std::string& json_text);
// The default ModelConfig with the fields of `overrides_json` (a JSON object holding any subset
// of to_json()'s fields) laid over it. `what` names the source in errors.
ModelConfig config_with_overrides(const std::string& overrides_json, const std::string& what);
// The text of a JSON file of such overrides, checked to be a JSON object (Error naming `path`).
std::string read_config_overrides(const std::string& path);

}  // namespace glimpse::model
