// One optimiser step of the captioning model on one batch, in the pieces the trainer needs
// between them (MPI sums the loss's token count after forward and the gradients after
// backward; a NaN check comes before the update):
//   forward   teacher-forced forward in training mode + cross-entropy (target <pad> ignored,
//             label smoothing)
//   backward  zero the gradients, then accumulate those of the mean loss over `total_tokens`
//   clip      global-norm clipping; returns the norm before it
//   apply     AdamW at the given learning rate
// run() chains the four on one process. `glimpse train` and `glimpse bench --train` both step
// through this class, so the benchmark times the step the trainer takes.
#pragma once

#include <cstdint>

#include "glimpse/core/loss.h"
#include "glimpse/core/optimizer.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/train/training_batch.h"

namespace glimpse::train {

struct StepSettings {
  AdamWConfig adam;            // lr is the schedule's business: apply() takes it
  float label_smoothing = 0.1f;
  float clip = 1.0f;           // global L2 norm
};

class TrainingStep {
 public:
  TrainingStep(model::CaptionModel& model, const StepSettings& settings);

  // Mean loss over the batch's target tokens; counted() tells how many there were.
  float forward(const TrainingBatch& batch);
  int64_t counted() const { return loss_.counted(); }
  // After forward(batch): gradients of the mean over `total_tokens` target tokens (this
  // batch's counted() alone, or the sum over MPI ranks).
  void backward(const TrainingBatch& batch, double total_tokens);
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
  CrossEntropyLoss loss_;
  Tensor logits_, d_logits_;
};

}  // namespace glimpse::train
