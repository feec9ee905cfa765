#include "glimpse/model/checkpoint.h"

#include <nlohmann/json.hpp>
#include <set>

#include "glimpse/core/error.h"

namespace glimpse::model {

namespace {
constexpr const char* kFormat = "1";
}

void save_checkpoint(const std::string& path, const CaptionModel& model,
                     const std::string& vocabulary_json, const std::string& provenance_json,
                     StoredType type) {
  std::map<std::string, Tensor> tensors;
  for (const auto& np : model.parameters()) {
    check_finite(np.param->value, "save_checkpoint", "parameter '" + np.name + "'");
    tensors.emplace(np.name, np.param->value);
  }
  const std::map<std::string, std::string> metadata = {
      {"glimpse.format", kFormat},
      {"glimpse.config", to_json(model.config())},
      {"glimpse.vocabulary", vocabulary_json},
      {"glimpse.provenance", provenance_json},
  };
  save_safetensors(path, tensors, metadata, type);
}

Checkpoint load_checkpoint(const std::string& path) {
  SafeTensors file = load_safetensors(path);
  auto fail = [&](const std::string& what) { return Error("model '" + path + "': " + what); };
  auto meta = [&](const char* key) -> const std::string& {
    auto it = file.metadata.find(key);
    if (it == file.metadata.end()) throw fail(std::string("metadata has no '") + key + "': not a Glimpse model");
    return it->second;
  };
  if (meta("glimpse.format") != kFormat)
    throw fail("format version '" + meta("glimpse.format") + "' is not supported (expected " + kFormat + ")");
  ModelConfig config;
  try {
    config = config_from_json(meta("glimpse.config"));
  } catch (const Error& e) {
    throw fail(e.what());
  }
  Checkpoint out;
  out.vocabulary_json = meta("glimpse.vocabulary");
  out.provenance_json = meta("glimpse.provenance");
  out.model = std::make_unique<CaptionModel>(config, 0);
  std::set<std::string> expected;
  for (const auto& np : out.model->parameters()) {
    expected.insert(np.name);
    auto it = file.tensors.find(np.name);
    if (it == file.tensors.end()) throw fail("tensor '" + np.name + "' is missing");
    if (it->second.shape() != np.param->value.shape())
      throw fail("tensor '" + np.name + "' has shape " + shape_str(it->second.shape()) +
                 ", the config needs " + shape_str(np.param->value.shape()));
    np.param->value = std::move(it->second);
  }
  for (const auto& [name, t] : file.tensors)
    if (!expected.count(name)) throw fail("unexpected tensor '" + name + "' (not part of this config)");
  return out;
}

}  // namespace glimpse::model
