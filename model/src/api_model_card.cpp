#include "api_model_card.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "api_convert.h"
#include "glimpse/core/parameter.h"

namespace glimpse {

std::string ModelCard::summary() const {
  const std::string init = started_from.empty() ? "" : std::filesystem::path(started_from).filename().string();
  char sizes[256];
  std::snprintf(sizes, sizeof sizes,
                "%s fusion; %d decoder layers x %d heads, d_model %d; a %d-px picture in %dx%d "
                "patches of %d px; %zu-token vocabulary; %.2f M parameters.",
                fusion_name(fusion), decoder_layers, heads, d_model, image_size, grid_rows,
                grid_cols, patch_size, vocabulary.size(), static_cast<double>(parameters) / 1e6);
  std::string s = sizes;
  if (!trained_by.empty()) {
    s += " Trained by " + trained_by;
    if (training_steps >= 0) s += " for " + std::to_string(training_steps) + " steps";
    // A run started with `glimpse train --init FILE`: its steps add to that file's training.
    if (!init.empty()) s += ", continuing from the weights of " + init + " (--init)" + (domain.empty() ? "" : ",");
    if (!domain.empty()) s += " on " + domain;
    s += ".";
    if (best_validation_cider_d >= 0) {
      char buf[64];
      std::snprintf(buf, sizeof buf, " Best validation CIDEr-D %.3f.", best_validation_cider_d);
      s += buf;
    }
  }
  if (domain.find("emoji scenes") != std::string::npos)
    s += " It knows emoji scenes only: photographs and other pictures get odd captions.";
  else if (domain.empty())
    s += " The file does not say what it was trained on.";
  return s;
}

namespace api {
namespace {

// What kind of pictures the training data held, from the datasets' info records (written by
// `glimpse train` since the provenance has "training_data"), or, for older files, from the
// folder names the run read.
std::string describe_domain(const nlohmann::json& prov, const std::vector<std::string>& folders) {
  if (prov.contains("training_data") && prov["training_data"].is_array()) {
    std::string styles;
    bool scenes = false;
    for (const auto& info : prov["training_data"]) {
      if (!info.is_object()) continue;
      if (info.value("generator", "") == "glimpse scenes") scenes = true;
      const std::string style = info.value("art_style", "");
      if (!style.empty() && styles.find(style) == std::string::npos)
        styles += (styles.empty() ? "" : ", ") + style;
    }
    if (scenes) return "emoji scenes (glimpse scenes" + (styles.empty() ? "" : "; art style " + styles) + ")";
  }
  for (const std::string& f : folders)
    if (f.find("scenes") != std::string::npos)
      return "emoji scenes (glimpse scenes, as the training-data folder name says)";
  return "";
}

}  // namespace

ModelCard make_model_card(const std::string& path, const model::Checkpoint& ck,
                          const text::Vocabulary& vocab) {
  const model::ModelConfig& cfg = ck.model->config();
  ModelCard c;
  c.path = path;
  c.fusion = to_public(cfg.fusion);
  c.d_model = static_cast<int>(cfg.d_model);
  c.heads = static_cast<int>(cfg.num_heads);
  c.d_hidden = static_cast<int>(cfg.d_hidden);
  c.encoder_layers = cfg.encoder_layers;
  c.context_layers = cfg.context_layers;
  c.decoder_layers = cfg.decoder_layers;
  c.image_size = cfg.image.image_size;
  c.patch_size = cfg.image.patch_size;
  c.grid_rows = c.grid_cols = cfg.image.grid_side();
  c.max_words = static_cast<int>(cfg.max_caption_len - 1);
  c.max_context_tokens = static_cast<int>(cfg.max_context_len);
  c.parameters = count_parameters(ck.model->parameters());
  c.vocabulary = vocab.tokens();
  c.provenance_json = ck.provenance_json;
  const nlohmann::json prov = nlohmann::json::parse(ck.provenance_json, nullptr, /*allow_exceptions=*/false);
  if (prov.is_object()) {
    c.trained_by = prov.value("tool", "");
    if (prov.contains("step") && prov["step"].is_number_integer()) c.training_steps = prov["step"].get<int64_t>();
    if (prov.contains("best_validation_cider_d") && prov["best_validation_cider_d"].is_number())
      c.best_validation_cider_d = prov["best_validation_cider_d"].get<double>();
    if (prov.contains("run") && prov["run"].is_object()) {
      const nlohmann::json& run = prov["run"];
      if (run.contains("train_data") && run["train_data"].is_array())
        for (const auto& f : run["train_data"])
          if (f.is_string()) c.training_data.push_back(f.get<std::string>());
      if (run.contains("init") && run["init"].is_string()) c.started_from = run["init"].get<std::string>();
    }
    c.domain = describe_domain(prov, c.training_data);
  }
  return c;
}

}  // namespace api
}  // namespace glimpse
