// Everything a training run needs to continue exactly where it stopped, in one .safetensors
// file written atomically (temp file, fsync, rename) beside the model:
//   tensors   model/<name>, adam_m/<name>, adam_v/<name>   (float32, for every parameter)
//   metadata  glimpse.config       the ModelConfig JSON
//             glimpse.vocabulary   the vocabulary JSON
//             glimpse.train_state  {"step", "best_score", "best_step", "options"}
// The data order and every dropout mask are pure functions of (seed, step) (sample_plan.h,
// set_dropout_step), so the step number is the whole random state.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "glimpse/core/optimizer.h"
#include "glimpse/model/caption_model.h"

namespace glimpse::train {

struct TrainProgress {
  int64_t step = 0;          // steps completed
  double best_score = -1e300;  // best validation score so far
  int64_t best_step = -1;
};

struct ResumeState {
  model::ModelConfig config;
  std::string vocabulary_json;
  std::string options_json;  // the TrainOptions the run was started with (train_options.h)
  TrainProgress progress;
  std::map<std::string, Tensor> tensors;
};

void save_resume_state(const std::string& path, const model::CaptionModel& model,
                       const AdamW& optimizer, const std::string& vocabulary_json,
                       const std::string& options_json, const TrainProgress& progress);

// Reads and validates the file (throws glimpse::Error naming it).
ResumeState load_resume_state(const std::string& path);

// Copies the weights and the optimiser moments into `model` and `optimizer` (built from
// state.config); checks every tensor is there with its shape.
void restore(const ResumeState& state, const std::string& path, model::CaptionModel& model,
             AdamW& optimizer);

}  // namespace glimpse::train
