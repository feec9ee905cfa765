#include "glimpse/model/model_config.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/model/parameter_layout.h"

namespace glimpse::model {

using json = nlohmann::json;

BlockConfig ModelConfig::block(uint64_t seed) const {
  BlockConfig b;
  b.d_model = d_model;
  b.num_heads = num_heads;
  b.d_hidden = d_hidden;
  b.dropout = dropout;
  b.gelu = gelu;
  b.seed = seed;
  return b;
}

DecoderConfig ModelConfig::decoder(uint64_t seed) const {
  DecoderConfig d;
  d.block = block(seed);
  d.layers = decoder_layers;
  d.vocab_size = vocab_size;
  d.max_len = max_caption_len;
  d.fusion = fusion;
  d.tie_embeddings = tie_embeddings;
  return d;
}

namespace {

// "ModelConfig: <field> is <value>; it must be in [lo, hi] (<why>)".
void check_range(int64_t value, int64_t lo, int64_t hi, const char* field, const char* why) {
  check(value >= lo && value <= hi, "ModelConfig",
        std::string(field) + " is " + std::to_string(value) + "; it must be in [" + std::to_string(lo) +
            ", " + std::to_string(hi) + "] (" + why + ")");
}

}  // namespace

void validate(const ModelConfig& c) {
  // Every size on its own first (cheap, and bounds the products below), then the engine's
  // rules, then what the sizes multiply to.
  check_range(c.image.image_size, 2, 4096, "image_size", "vision::PreprocessConfig");
  check_range(c.image.patch_size, 1, c.image.image_size, "patch_size", "at most image_size");
  check_range(c.d_model, 1, kMaxDModel, "d_model", "kMaxDModel");
  check_range(c.num_heads, 1, c.d_model, "num_heads", "at most d_model");
  check_range(c.d_hidden, 1, kMaxHiddenWidth, "d_hidden", "kMaxHiddenWidth");
  check_range(c.encoder_layers, 1, kMaxLayers, "encoder_layers", "kMaxLayers");
  check_range(c.context_layers, 0, kMaxLayers, "context_layers", "kMaxLayers");
  check_range(c.decoder_layers, 1, kMaxLayers, "decoder_layers", "kMaxLayers");
  check_range(c.vocab_size, 5, kMaxVocabSize, "vocab_size", "4 special tokens and a word; kMaxVocabSize");
  check_range(c.max_caption_len, 2, kMaxCaptionPositions, "max_caption_len",
              "<bos> and one word; kMaxCaptionPositions");
  check_range(c.max_context_len, 0, kMaxContextPositions, "max_context_len", "kMaxContextPositions");
  if (c.object_classes != 0)
    check_range(c.object_classes, 2, kMaxObjectClasses, "object_classes", "0 = no object head; kMaxObjectClasses");
  vision::validate(c.image);
  validate(c.block(0));
  validate(c.decoder(0));
  check_range(c.image.num_patches(), 1, kMaxPatches, "the patch count (image_size / patch_size)^2",
              "kMaxPatches");
  check_range(parameter_count(c), 1, kMaxParameters, "the parameter count", "kMaxParameters, 1 GiB of float32");
}

std::string to_json(const ModelConfig& c) {
  json j = {
      {"image_size", c.image.image_size},
      {"patch_size", c.image.patch_size},
      {"resize", vision::resize_mode_name(c.image.mode)},
      {"mean", c.image.mean},
      {"std", c.image.std},
      {"d_model", c.d_model},
      {"num_heads", c.num_heads},
      {"d_hidden", c.d_hidden},
      {"dropout", c.dropout},
      {"gelu", gelu_kind_name(c.gelu)},
      {"encoder_layers", c.encoder_layers},
      {"context_layers", c.context_layers},
      {"decoder_layers", c.decoder_layers},
      {"vocab_size", c.vocab_size},
      {"max_caption_len", c.max_caption_len},
      {"max_context_len", c.max_context_len},
      {"fusion", fusion_name(c.fusion)},
      {"tie_embeddings", c.tie_embeddings},
  };
  if (c.object_classes > 0) j["object_classes"] = c.object_classes;
  return j.dump(2);
}

namespace {

// The fields to_json() writes; config_from_json refuses any other (a misspelt override would
// otherwise be ignored without a word).
constexpr const char* kFields[] = {
    "image_size", "patch_size", "resize", "mean", "std", "d_model", "num_heads", "d_hidden",
    "dropout", "gelu", "encoder_layers", "context_layers", "decoder_layers", "vocab_size",
    "max_caption_len", "max_context_len", "fusion", "tie_embeddings", "object_classes"};

const json& require(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) throw Error(std::string("model config: missing field '") + name + "'");
  return *it;
}

template <typename T>
T field(const json& j, const char* name) {
  try {
    return require(j, name).get<T>();
  } catch (const json::exception&) {
    throw Error(std::string("model config: field '") + name + "' has the wrong type");
  }
}

// An integer field, exactly: no float is rounded and no value wraps when narrowed to `Int`
// (get<int>() of 2^32 would be 0). validate() then applies the field's real bounds.
template <typename Int>
Int int_field(const json& j, const char* name) {
  const json& v = require(j, name);
  if (!v.is_number_integer())
    throw Error(std::string("model config: field '") + name + "' must be an integer, got " + v.dump());
  const bool fits = v.is_number_unsigned()
                        ? v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<Int>::max())
                        : v.get<int64_t>() >= std::numeric_limits<Int>::min() &&
                              v.get<int64_t>() <= std::numeric_limits<Int>::max();
  if (!fits) throw Error(std::string("model config: field '") + name + "' is " + v.dump() + ", out of range");
  return static_cast<Int>(v.get<int64_t>());
}

}  // namespace

ModelConfig config_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(std::string("model config: not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error("model config: not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find_if(std::begin(kFields), std::end(kFields),
                     [&](const char* f) { return it.key() == f; }) == std::end(kFields))
      throw Error("model config: unknown field '" + it.key() + "'");
  ModelConfig c;
  c.image.image_size = int_field<int>(j, "image_size");
  c.image.patch_size = int_field<int>(j, "patch_size");
  c.image.mode = vision::resize_mode_from_name(field<std::string>(j, "resize"));
  c.image.mean = field<std::array<float, 3>>(j, "mean");
  c.image.std = field<std::array<float, 3>>(j, "std");
  c.d_model = int_field<int64_t>(j, "d_model");
  c.num_heads = int_field<int64_t>(j, "num_heads");
  c.d_hidden = int_field<int64_t>(j, "d_hidden");
  c.dropout = field<float>(j, "dropout");
  c.gelu = gelu_kind_from_name(field<std::string>(j, "gelu"));
  c.encoder_layers = int_field<int>(j, "encoder_layers");
  c.context_layers = int_field<int>(j, "context_layers");
  c.decoder_layers = int_field<int>(j, "decoder_layers");
  c.vocab_size = int_field<int64_t>(j, "vocab_size");
  c.max_caption_len = int_field<int64_t>(j, "max_caption_len");
  c.max_context_len = int_field<int64_t>(j, "max_context_len");
  c.fusion = fusion_from_name(field<std::string>(j, "fusion"));
  c.tie_embeddings = field<bool>(j, "tie_embeddings");
  if (j.contains("object_classes")) c.object_classes = int_field<int64_t>(j, "object_classes");
  validate(c);
  return c;
}

namespace {
json overrides_object(const std::string& text, const std::string& what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error("model config '" + what + "' is not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error("model config '" + what + "' is not a JSON object");
  return j;
}
}  // namespace

ModelConfig config_with_overrides(const std::string& overrides_json, const std::string& what) {
  json merged = json::parse(to_json(ModelConfig{}));
  merged.merge_patch(overrides_object(overrides_json, what));
  try {
    return config_from_json(merged.dump());
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (in '" + what + "')");
  }
}

std::string read_config_overrides(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read model config '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  overrides_object(text.str(), path);
  return text.str();
}

}  // namespace glimpse::model
