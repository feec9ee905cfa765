#include "glimpse/model/checkpoint.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "glimpse/core/error.h"
#include "glimpse/model/parameter_layout.h"
#include "glimpse/text/vocabulary.h"

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

namespace {

// `path` names the file (or buffer) in errors.
Checkpoint checkpoint_from(SafeTensors file, const std::string& path) {
  auto bad = [&](const std::string& what) { return Error("model '" + path + "': " + what); };
  auto meta = [&](const char* key) -> const std::string& {
    auto it = file.metadata.find(key);
    if (it == file.metadata.end()) throw bad(std::string("metadata has no '") + key + "': not a Glimpse model");
    return it->second;
  };
  if (meta("glimpse.format") != kFormat)
    throw bad("format version '" + meta("glimpse.format") + "' is not supported (expected " + kFormat + ")");
  ModelConfig config;
  try {
    config = config_from_json(meta("glimpse.config"));
  } catch (const Error& e) {
    throw bad(e.what());
  }
  // The vocabulary and the provenance are small: check them before any weight is touched.
  const std::string& vocabulary_json = meta("glimpse.vocabulary");
  int64_t vocabulary_size = 0;
  try {
    vocabulary_size = text::Vocabulary::from_json(vocabulary_json, "glimpse.vocabulary").size();
  } catch (const Error& e) {
    throw bad(e.what());
  }
  if (vocabulary_size != config.vocab_size)
    throw bad("the vocabulary has " + std::to_string(vocabulary_size) + " tokens, the config's vocab_size is " +
               std::to_string(config.vocab_size));
  const std::string& provenance_json = meta("glimpse.provenance");
  const nlohmann::json provenance = nlohmann::json::parse(provenance_json, nullptr, /*allow_exceptions=*/false);
  if (!provenance.is_object()) throw bad("glimpse.provenance is not a JSON object");

  // Every tensor the config implies, by name and shape, before the model is built: a config
  // that asks for more than the file holds is refused without allocating it.
  const std::vector<ParameterSpec> layout = parameter_layout(config);
  std::set<std::string> expected;
  for (const ParameterSpec& spec : layout) {
    expected.insert(spec.name);
    const auto it = file.tensors.find(spec.name);
    if (it == file.tensors.end()) throw bad("tensor '" + spec.name + "' is missing");
    if (it->second.shape() != spec.shape)
      throw bad("tensor '" + spec.name + "' has shape " + shape_str(it->second.shape()) +
                 ", the config needs " + shape_str(spec.shape));
  }
  for (const auto& [name, t] : file.tensors)
    if (!expected.count(name)) throw bad("unexpected tensor '" + name + "' (not part of this config)");

  Checkpoint out;
  out.vocabulary_json = vocabulary_json;
  out.provenance_json = provenance_json;
  out.model = std::make_unique<CaptionModel>(config, 0);
  for (const auto& np : out.model->parameters()) {
    auto it = file.tensors.find(np.name);
    // parameter_layout() is checked against CaptionModel for every fusion (test_bad_inputs);
    // this guards the two from drifting apart in a build that skipped the test.
    if (it == file.tensors.end() || it->second.shape() != np.param->value.shape())
      throw bad("internal: parameter '" + np.name + "' " + shape_str(np.param->value.shape()) +
                 " is not in parameter_layout()");
    np.param->value = std::move(it->second);
  }
  if (out.model->parameters().size() != layout.size())
    throw bad("internal: the model has " + std::to_string(out.model->parameters().size()) +
               " parameters, parameter_layout() lists " + std::to_string(layout.size()));
  return out;
}

}  // namespace

Checkpoint load_checkpoint(const std::string& path) {
  // Refused before it is read: a file this large cannot be a valid model.
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxCheckpointBytes)
    throw Error("model '" + path + "': the file is " + std::to_string(size) + " bytes, over the " +
                std::to_string(kMaxCheckpointBytes) + "-byte limit (kMaxCheckpointBytes: the header limit plus " +
                "kMaxParameters float32 values)");
  return checkpoint_from(load_safetensors(path), path);
}

Checkpoint parse_checkpoint(const std::string& bytes, const std::string& what) {
  return checkpoint_from(parse_safetensors(bytes, what), what);
}

}  // namespace glimpse::model
