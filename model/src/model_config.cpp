#include "glimpse/model/model_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "glimpse/core/error.h"

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

void validate(const ModelConfig& c) {
  vision::validate(c.image);
  validate(c.block(0));
  check(c.d_model <= 4096, "ModelConfig", "d_model must be at most 4096");
  check(c.encoder_layers >= 1 && c.encoder_layers <= 64, "ModelConfig",
        "encoder_layers must be in [1, 64]");
  check(c.context_layers >= 0 && c.context_layers <= 64, "ModelConfig",
        "context_layers must be in [0, 64]");
  check(c.max_context_len >= 0 && c.max_context_len <= 4096, "ModelConfig",
        "max_context_len must be in [0, 4096]");
  validate(c.decoder(0));
  check(c.object_classes == 0 || (c.object_classes >= 2 && c.object_classes <= 100000), "ModelConfig",
        "object_classes must be 0 or in [2, 100000]");
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

template <typename T>
T field(const json& j, const char* name) {
  if (!j.contains(name)) throw Error(std::string("model config: missing field '") + name + "'");
  try {
    return j.at(name).get<T>();
  } catch (const json::exception&) {
    throw Error(std::string("model config: field '") + name + "' has the wrong type");
  }
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
  ModelConfig c;
  c.image.image_size = field<int>(j, "image_size");
  c.image.patch_size = field<int>(j, "patch_size");
  c.image.mode = vision::resize_mode_from_name(field<std::string>(j, "resize"));
  c.image.mean = field<std::array<float, 3>>(j, "mean");
  c.image.std = field<std::array<float, 3>>(j, "std");
  c.d_model = field<int64_t>(j, "d_model");
  c.num_heads = field<int64_t>(j, "num_heads");
  c.d_hidden = field<int64_t>(j, "d_hidden");
  c.dropout = field<float>(j, "dropout");
  c.gelu = gelu_kind_from_name(field<std::string>(j, "gelu"));
  c.encoder_layers = field<int>(j, "encoder_layers");
  c.context_layers = field<int>(j, "context_layers");
  c.decoder_layers = field<int>(j, "decoder_layers");
  c.vocab_size = field<int64_t>(j, "vocab_size");
  c.max_caption_len = field<int64_t>(j, "max_caption_len");
  c.max_context_len = field<int64_t>(j, "max_context_len");
  c.fusion = fusion_from_name(field<std::string>(j, "fusion"));
  c.tie_embeddings = field<bool>(j, "tie_embeddings");
  if (j.contains("object_classes")) c.object_classes = field<int64_t>(j, "object_classes");
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
