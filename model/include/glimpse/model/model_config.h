// Everything that fixes a captioning model's shape and its input pipeline. Stored as JSON in
// the checkpoint's metadata; loading validates every field and names the one that is wrong.
#pragma once

#include <cstdint>
#include <string>

#include "glimpse/core/fusion.h"
#include "glimpse/core/text_decoder.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::model {

// Bounds on a model's sizes. validate() checks them, so every checkpoint load and every
// `glimpse train --config` refuses a config outside them before any tensor is allocated
// (docs/limits.md). They sit far above what this CPU engine trains (the shipped models: d_model
// 192, 4 + 1 + 3 layers, 64 patches, about 2.5 M parameters) and low enough that no valid
// config asks for absurd memory or time.
inline constexpr int64_t kMaxDModel = 4096;       // the width of every stream
inline constexpr int64_t kMaxHiddenWidth = 16384; // feed-forward width: 4 x kMaxDModel, the usual ratio
inline constexpr int kMaxLayers = 64;             // per stack (vision, context, decoder); the engine's
                                                  // own EncoderStack / DecoderConfig bound
inline constexpr int64_t kMaxVocabSize = int64_t{1} << 24;  // DecoderConfig's bound; 16.7 M words
// Decoder positions (T_max, <bos> included) and context positions (Lc_max): self-attention
// costs positions^2 per head and layer, and a caption or context text longer than this is not
// a caption. Captions and contexts longer than a model's own T_max / Lc_max are cut
// (text/vocabulary.h: EncodedText::dropped_tokens counts what was cut).
inline constexpr int64_t kMaxCaptionPositions = 4096;
inline constexpr int64_t kMaxContextPositions = 4096;
// Image patches N = (image_size / patch_size)^2: the vision encoder's self-attention is N^2 per
// head and layer (4096 patches: 16 M scores, 64 MB per head), and every decoded word attends
// to all N.
inline constexpr int64_t kMaxPatches = 4096;
inline constexpr int64_t kMaxObjectClasses = 100000;
// All parameters together (parameter_layout.h): 2^28 floats are 1 GiB of weights, and training
// holds four times that (weights, gradients, two AdamW moments). A config that passes the
// per-field bounds can still multiply to 2^40 values (d_model 4096 x vocab 2^24 x 2 tables);
// this is the bound that stops it.
inline constexpr int64_t kMaxParameters = int64_t{1} << 28;

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

// Throws glimpse::Error naming the field and its bound for a value outside the bounds above
// (or the engine's: heads divide d_model, patch_size divides image_size, ...).
void validate(const ModelConfig& config);
std::string to_json(const ModelConfig& config);
// Throws glimpse::Error naming the field for a missing, mistyped, unknown or out-of-range
// value. Integers must be JSON integers (2.5 or 1e9 for a size is refused, not rounded).
ModelConfig config_from_json(const std::string& json_text);
// The default ModelConfig with the fields of `overrides_json` (a JSON object holding any subset
// of to_json()'s fields) laid over it. `what` names the source in errors.
ModelConfig config_with_overrides(const std::string& overrides_json, const std::string& what);
// The text of a JSON file of such overrides, checked to be a JSON object (Error naming `path`).
std::string read_config_overrides(const std::string& path);

}  // namespace glimpse::model
