#include "train_command.h"

#include <csignal>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/core/threads.h"
#include "glimpse/train/communicator.h"
#include "glimpse/train/trainer.h"
#include "paths.h"

namespace glimpse::app {

namespace {

struct TrainArgs {
  train::TrainOptions options;
  std::string config_file, fusion = "concat", save_dtype = "f32";
  int image_size = 0, patch_size = 0, encoder_layers = 0, context_layers = 0, decoder_layers = 0;
  int64_t d_model = 0, heads = 0, ff = 0, max_caption_len = 0, max_context_len = 0;
  float dropout = -1;
  bool no_contexts = false;
  int threads = 0;
  std::string precision = "fp32";
};

// The defaults, then --config's fields (a whole or partial ModelConfig JSON), then the flags.
model::ModelConfig model_config(const TrainArgs& a) {
  auto j = nlohmann::json::parse(a.config_file.empty() ? "{}" : model::read_config_overrides(a.config_file));
  auto set = [&](const char* key, auto value, bool given) {
    if (given) j[key] = value;
  };
  set("image_size", a.image_size, a.image_size > 0);
  set("patch_size", a.patch_size, a.patch_size > 0);
  set("d_model", a.d_model, a.d_model > 0);
  set("num_heads", a.heads, a.heads > 0);
  set("d_hidden", a.ff, a.ff > 0);
  set("encoder_layers", a.encoder_layers, a.encoder_layers > 0);
  set("context_layers", a.context_layers, a.context_layers > 0);
  set("decoder_layers", a.decoder_layers, a.decoder_layers > 0);
  set("max_caption_len", a.max_caption_len, a.max_caption_len > 0);
  set("max_context_len", a.max_context_len, a.max_context_len > 0);
  set("dropout", a.dropout, a.dropout >= 0);
  j["fusion"] = a.fusion;
  j["vocab_size"] = 1000;  // placeholder: the vocabulary built from the data replaces it
  return model::config_with_overrides(j.dump(), a.config_file.empty() ? "flags" : a.config_file + " and flags");
}

StoredType stored_type(const std::string& name) {
  if (name == "f32") return StoredType::F32;
  if (name == "f16") return StoredType::F16;
  if (name == "bf16") return StoredType::BF16;
  throw Error("--save-dtype must be f32, f16 or bf16");
}

void on_signal(int) { train::request_stop(); }

int run(TrainArgs& a) {
  const train::Communicator& comm = train::Communicator::world();
  if (a.threads > 0) set_threads(a.threads);
  else init_threads();
  a.options.config = model_config(a);
  a.options.out_type = stored_type(a.save_dtype);
  a.options.use_contexts = !a.no_contexts;
  a.options.precision = parse_precision_request(a.precision);
  if (a.options.catalogue.empty()) a.options.catalogue = find_shipped_file("assets/scene-objects.json").string();
  // Ctrl-C / kill: finish the step, save the state, exit; a second signal kills as usual.
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const train::TrainResult r = train::run_training(a.options, comm, std::cerr);
  if (comm.is_root()) std::cerr << "" << r.message << "\n";
  return r.diverged ? 1 : 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  auto& o = args->options;
  CLI::App* cmd = app.add_subcommand("train", "Train a captioning model (resumable; data-parallel under mpirun)");
  cmd->add_option("data", o.train_data, "Training dataset folders or annotation files")->required();
  cmd->add_option("--val", o.val_data, "Validation dataset (best model by CIDEr-D)");
  cmd->add_option("--catalogue", o.catalogue, "Object catalogue for validation's object F1 and pointing "
                                              "(default: the shipped assets/scene-objects.json)");
  cmd->add_option("--out", o.out, "Model file to write (.safetensors); the training state, metrics log "
                                  "and curves go beside it")->required();
  cmd->add_option("--fusion", args->fusion, "concat | separate | parallel | hierarchical | gated")
      ->check(CLI::IsMember({"concat", "separate", "parallel", "hierarchical", "gated"}));
  cmd->add_option("--config", args->config_file, "Model config JSON (whole or partial ModelConfig; flags override it)");
  cmd->add_option("--image-size", args->image_size, "Model input size S");
  cmd->add_option("--patch-size", args->patch_size, "Patch size P");
  cmd->add_option("--d-model", args->d_model, "Model width");
  cmd->add_option("--heads", args->heads, "Attention heads");
  cmd->add_option("--ff", args->ff, "Feed-forward hidden width");
  cmd->add_option("--encoder-layers", args->encoder_layers, "ViT encoder blocks");
  cmd->add_option("--context-layers", args->context_layers, "Context-text encoder blocks");
  cmd->add_option("--decoder-layers", args->decoder_layers, "Decoder blocks");
  cmd->add_option("--dropout", args->dropout, "Dropout probability");
  cmd->add_option("--max-caption-len", args->max_caption_len, "Decoder positions (<bos> included)");
  cmd->add_option("--max-context-len", args->max_context_len, "Context tokens");
  cmd->add_option("--min-count", o.min_count, "Vocabulary: minimum word count");
  cmd->add_flag("--no-contexts", args->no_contexts, "Train with the empty context only");
  cmd->add_option("--batch", o.batch, "Global batch size (split across MPI ranks)");
  cmd->add_option("--steps", o.steps, "Optimiser steps");
  cmd->add_option("--warmup", o.warmup, "Linear warm-up steps");
  cmd->add_option("--lr", o.lr, "Peak learning rate");
  cmd->add_option("--min-lr", o.min_lr, "Learning rate at the end of the cosine");
  cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay");
  cmd->add_option("--clip", o.clip, "Global gradient-norm clip");
  cmd->add_option("--label-smoothing", o.label_smoothing, "Label smoothing");
  cmd->add_option("--object-loss", o.object_loss,
                  "Weight of an auxiliary patch-object loss on the image memory (needs object boxes; 0: off)");
  cmd->add_option("--attention-loss", o.attention_loss,
                  "Weight of attention supervision: each word naming a scene object is taught to attend "
                  "to its patches (needs object boxes; 0: off; docs/training.md)");
  cmd->add_option("--seed", o.seed, "Seed for weights, data order and dropout");
  cmd->add_option("--save-dtype", args->save_dtype, "Model file dtype: f32 | f16 | bf16");
  cmd->add_option("--init", o.init,
                  "Start from this model's weights (fresh optimiser and schedule; vocabulary rows "
                  "matched by word; docs/training.md)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--resume", o.resume, "Continue from the training state beside --out when it exists");
  cmd->add_option("--checkpoint-every", o.checkpoint_every, "Steps between training-state saves");
  cmd->add_option("--val-every", o.val_every, "Steps between validations (0: at the end only)");
  cmd->add_option("--val-images", o.val_images, "Validation images used");
  cmd->add_option("--log-every", o.log_every, "Steps per metrics-log row");
  cmd->add_option("--stop-after", o.stop_after, "Save the state and stop after N steps of this process");
  cmd->add_option("--max-minutes", o.max_minutes, "Save the state and stop after this much wall time");
  cmd->add_option("--threads", args->threads, "Threads per process (default: GLIMPSE_THREADS or all cores)");
  cmd->add_option("--precision", args->precision,
                  "Matmul arithmetic of the training step: fp32 | bf16 (bf16 inputs, fp32 accumulation, "
                  "weights and optimiser; needs AVX512-BF16 or AMX) | auto (bf16 where the CPU has it)")
      ->check(CLI::IsMember({"fp32", "bf16", "auto"}));
  cmd->callback([args, &exit_code]() {
    try {
      exit_code = run(*args);
    } catch (const std::exception& e) {
      std::cerr << "glimpse train: " << e.what() << "\n";
      exit_code = 1;
    }
  });
}

}  // namespace glimpse::app
