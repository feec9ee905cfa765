#include "glimpse/train/train_options.h"

#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"

namespace glimpse::train {

namespace {
std::string stem(const std::string& out) {
  const std::string ext = ".safetensors";
  if (out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0)
    return out.substr(0, out.size() - ext.size());
  return out;
}
}  // namespace

std::string TrainOptions::state_path() const { return stem(out) + ".state.safetensors"; }
std::string TrainOptions::log_path() const { return stem(out) + ".metrics.jsonl"; }
std::string TrainOptions::curves_path() const { return stem(out) + ".curves.png"; }

void validate(const TrainOptions& o) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw Error("" + what);
  };
  need(!o.train_data.empty(), "no training data given");
  need(!o.out.empty(), "--out is required");
  need(o.batch >= 1 && o.batch <= 65536, "--batch must be in [1, 65536]");
  need(o.steps >= 1 && o.steps <= 100000000, "--steps must be in [1, 1e8]");
  need(o.warmup >= -1 && o.warmup <= o.steps, "--warmup must be in [0, steps] (or -1: 5 % of the steps)");
  need(o.lr > 0 && o.lr < 1 && o.min_lr >= 0 && o.min_lr <= o.lr, "learning rates must satisfy 0 <= min-lr <= lr < 1");
  need(o.weight_decay >= 0 && o.weight_decay < 1, "--weight-decay must be in [0, 1)");
  need(o.clip > 0, "--clip must be positive");
  need(o.label_smoothing >= 0 && o.label_smoothing < 1, "--label-smoothing must be in [0, 1)");
  need(o.object_loss >= 0 && o.object_loss <= 100, "--object-loss must be in [0, 100]");
  need(o.attention_loss >= 0 && o.attention_loss <= 100, "--attention-loss must be in [0, 100]");
  need(o.attention_loss == 0 || !o.catalogue.empty(), "--attention-loss needs --catalogue to find object mentions");
  need(o.min_count >= 1, "--min-count must be at least 1");
  need(o.checkpoint_every >= 1, "--checkpoint-every must be at least 1");
  need(o.val_every >= 0 && o.val_images >= 1, "--val-every must be >= 0 and --val-images >= 1");
  need(o.log_every >= 1, "--log-every must be at least 1");
  need(o.stop_after >= 0, "--stop-after must be >= 0");
  need(o.max_minutes >= 0, "--max-minutes must be >= 0");
}

std::string run_json(const TrainOptions& o) {
  nlohmann::json j = {
      {"train_data", o.train_data}, {"val_data", o.val_data},
      {"config", nlohmann::json::parse(model::to_json(o.config))},
      {"min_count", o.min_count}, {"use_contexts", o.use_contexts},
      {"batch", o.batch}, {"steps", o.steps}, {"warmup", o.warmup < 0 ? o.steps / 20 : o.warmup},
      {"lr", o.lr}, {"min_lr", o.min_lr}, {"weight_decay", o.weight_decay},
      {"clip", o.clip}, {"label_smoothing", o.label_smoothing}, {"seed", o.seed},
      {"val_every", o.val_every}, {"val_images", o.val_images}};
  if (o.object_loss > 0) j["object_loss"] = o.object_loss;  // absent: runs from before it existed
  if (o.attention_loss > 0) j["attention_loss"] = o.attention_loss;
  if (!o.init.empty()) j["init"] = o.init;
  return j.dump();
}

std::string run_json_difference(const std::string& stored, const std::string& requested) {
  const auto a = nlohmann::json::parse(stored), b = nlohmann::json::parse(requested);
  std::string out;
  for (auto it = b.begin(); it != b.end(); ++it) {
    if (it.key() == "config") continue;  // vocab_size is filled in later; compared below
    if (!a.contains(it.key()) || a.at(it.key()) != it.value())
      out += (out.empty() ? "" : ", ") + it.key() + " (was " +
             (a.contains(it.key()) ? a.at(it.key()).dump() : "absent") + ", now " + it.value().dump() + ")";
  }
  if (a.contains("config") && b.contains("config")) {
    auto ca = a.at("config"), cb = b.at("config");
    ca.erase("vocab_size");
    cb.erase("vocab_size");
    for (auto it = cb.begin(); it != cb.end(); ++it)
      if (!ca.contains(it.key()) || ca.at(it.key()) != it.value())
        out += (out.empty() ? "" : ", ") + std::string("config.") + it.key();
  }
  return out;
}

}  // namespace glimpse::train
