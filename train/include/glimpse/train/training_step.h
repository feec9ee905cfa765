// One optimiser step of the captioning model on one batch, in the pieces the trainer needs
// between them (MPI sums the loss's token count after forward and the gradients after
// backward; a NaN check comes before the update):
//   forward   teacher-forced forward in training mode + cross-entropy (target <pad> ignored,
//             label smoothing); with an object weight w > 0 also the patch-object
//             cross-entropy of the object head (object_classes.h); with an attention weight
//             a > 0 also the attention-supervision loss (attention_loss.h)
//   backward  zero the gradients, then accumulate those of
//             caption loss (mean over `total_tokens`) + w * object loss (mean over `total_patches`)
//             + a * attention loss (mean over `total_attention_rows`)
//   clip      global-norm clipping; returns the norm before it
//   apply     AdamW at the given learning rate
// forward and backward open a Bf16GemmScope when the settings ask for bf16 matmuls.
// run() chains the four on one process. `glimpse train` and `glimpse bench --train` both step
// through this class, so the benchmark times the step the trainer takes.
#pragma once

#include <cstdint>

#include "glimpse/core/loss.h"
#include "glimpse/core/optimizer.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/train/attention_loss.h"
#include "glimpse/train/training_batch.h"

namespace glimpse::train {

struct StepSettings {
  AdamWConfig adam;            // lr is the schedule's business: apply() takes it
  float label_smoothing = 0.1f;
  float clip = 1.0f;           // global L2 norm
  float object_weight = 0.0f;  // > 0: batches carry patch_objects and the model an object head
  float attention_weight = 0.0f;  // > 0: batches carry attention_targets
  // Forward and backward run their projections in bf16 (Bf16GemmScope, glimpse/core/gemm.h):
  // mixed precision, the weights, gradients and optimiser stay fp32. Needs a bf16 CPU.
  bool bf16_matmuls = false;
};

class TrainingStep {
 public:
  TrainingStep(model::CaptionModel& model, const StepSettings& settings);

  // Mean caption loss over the batch's target tokens; counted() tells how many there were.
  float forward(const TrainingBatch& batch);
  int64_t counted() const { return loss_.counted(); }
  // The mean patch-object loss of the last forward and its patch count (0 without one).
  float object_loss() const { return object_loss_value_; }
  int64_t object_counted() const { return settings_.object_weight > 0 ? object_loss_.counted() : 0; }
  // The mean attention-supervision loss of the last forward and its target-row count.
  float attention_loss() const { return attention_loss_value_; }
  int64_t attention_counted() const { return settings_.attention_weight > 0 ? attention_loss_.counted() : 0; }
  // After forward(batch): gradients of the caption loss averaged over `total_tokens` target
  // tokens, of the object loss averaged over `total_patches` patches and of the attention
  // loss over `total_attention_rows` rows (this batch's counts alone, or the sums over MPI ranks).
  void backward(const TrainingBatch& batch, double total_tokens, double total_patches = 0,
                double total_attention_rows = 0);
  float clip();
  void apply(float lr);
  // forward, backward, clip, apply; returns the loss of the forward.
  float run(const TrainingBatch& batch, float lr);

  AdamW& optimizer() { return optimizer_; }
  const AdamW& optimizer() const { return optimizer_; }

 private:
  model::CaptionModel& model_;
  StepSettings settings_;
  AdamW optimizer_;
  CrossEntropyLoss loss_, object_loss_;
  float object_loss_value_ = 0;
  AttentionLoss attention_loss_;
  float attention_loss_value_ = 0;
  Tensor logits_, d_logits_, object_logits_, d_object_logits_;
};

}  // namespace glimpse::train
