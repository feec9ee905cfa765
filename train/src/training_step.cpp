#include "glimpse/train/training_step.h"

#include "glimpse/model/decoding.h"

namespace glimpse::train {

TrainingStep::TrainingStep(model::CaptionModel& model, const StepSettings& settings)
    : model_(model),
      settings_(settings),
      optimizer_(model.parameters(), settings.adam),
      loss_(model::kPadId, settings.label_smoothing) {}

float TrainingStep::forward(const TrainingBatch& batch) {
  model_.forward(batch.inputs(), batch.caption_inputs.data(), batch.caption_len, logits_, true);
  return loss_.forward(logits_, batch.caption_targets.data(), batch.batch * batch.caption_len);
}

void TrainingStep::backward(const TrainingBatch& batch, double total_tokens) {
  zero_grads(model_.parameters());
  const float scale = total_tokens > 0 ? static_cast<float>(counted() / total_tokens) : 0.0f;
  loss_.backward(batch.caption_targets.data(), scale, d_logits_);
  model_.backward(d_logits_);
}

float TrainingStep::clip() { return clip_grad_norm(model_.parameters(), settings_.clip); }

void TrainingStep::apply(float lr) { optimizer_.step(lr); }

float TrainingStep::run(const TrainingBatch& batch, float lr) {
  const float loss = forward(batch);
  backward(batch, static_cast<double>(counted()));
  clip();
  apply(lr);
  return loss;
}

}  // namespace glimpse::train
