// What `glimpse train` is asked to do. Stored (as JSON) in the training state so that a
// resumed run can check it continues the same run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/core/precision.h"
#include "glimpse/core/safetensors.h"
#include "glimpse/model/model_config.h"

namespace glimpse::train {

struct TrainOptions {
  std::vector<std::string> train_data;  // dataset folders / annotation files (caption_dataset.h)
  std::string val_data;                 // optional validation set
  std::string catalogue;                // object catalogue for object F1 and pointing ("" = none)
  model::ModelConfig config;            // vocab_size is set from the built vocabulary
  int min_count = 1;                    // vocabulary: words seen fewer times become <unk>
  bool use_contexts = true;             // draw context texts (else always the empty context)

  int64_t batch = 32;       // global batch: split across MPI ranks
  int64_t steps = 1000;
  int64_t warmup = -1;      // -1: 5 % of the steps
  float lr = 5e-4f, min_lr = 1e-5f, weight_decay = 0.01f;
  float clip = 1.0f;
  float label_smoothing = 0.1f;
  float object_loss = 0.0f;  // > 0: weight of the patch-object loss (object_classes.h); the
                             // model gets an object head with one class per object name + 1
  float attention_loss = 0.0f;  // > 0: weight of attention supervision (attention_loss.h); needs
                                // object boxes in the data and the catalogue to find mentions
  uint64_t seed = 1;
  // Arithmetic of the training step's matmuls (StepSettings::bf16_matmuls). Not part of
  // run_json: a run may resume in the other precision (the weights are fp32 either way).
  PrecisionRequest precision = PrecisionRequest::Fp32;
  std::string init;  // non-empty: start from this model's weights (init_weights.h), not at random

  std::string out;                 // the best model (by validation CIDEr-D; else the last)
  StoredType out_type = StoredType::F32;
  bool resume = false;             // continue from out's training state when it exists
  int64_t checkpoint_every = 200;  // steps between training-state saves
  int64_t val_every = 500;         // steps between validations (0: only at the end)
  int64_t val_images = 200;        // validation subset size
  int64_t log_every = 10;          // steps per metrics-log row
  int64_t stop_after = 0;          // > 0: save the state and stop after this many steps of this process
  double max_minutes = 0;          // > 0: save the state and stop after this much wall time

  // Fault injection for tests: the loss of this step reads as NaN (-1: never).
  int64_t fault_nan_at_step = -1;

  // The files next to `out`.
  std::string state_path() const;    // <stem>.state.safetensors
  std::string log_path() const;      // <stem>.metrics.jsonl
  std::string curves_path() const;   // <stem>.curves.png
};

// Throws glimpse::Error naming the field.
void validate(const TrainOptions& options);
// JSON of the fields that define the run (not out/resume/stop_after/log settings).
std::string run_json(const TrainOptions& options);
// Names the fields where two run_json()s differ ("" when they agree).
std::string run_json_difference(const std::string& stored, const std::string& requested);

}  // namespace glimpse::train
