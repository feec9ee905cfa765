#include "glimpse/train/training_step.h"

#include "glimpse/core/error.h"
#include "glimpse/core/gemm.h"
#include "glimpse/core/precision.h"
#include "glimpse/model/decoding.h"

namespace glimpse::train {

TrainingStep::TrainingStep(model::CaptionModel& model, const StepSettings& settings)
    : model_(model),
      settings_(settings),
      optimizer_(model.parameters(), settings.adam),
      loss_(model::kPadId, settings.label_smoothing) {
  if (settings.bf16_matmuls) resolve_precision(PrecisionRequest::Bf16);  // a clear error without it
  check(settings.object_weight == 0 || model.config().object_classes > 0, "TrainingStep",
        "an object-loss weight needs a model with an object head (object_classes > 0)");
}

float TrainingStep::forward(const TrainingBatch& batch) {
  const Bf16GemmScope matmuls(settings_.bf16_matmuls);
  model_.forward(batch.inputs(), batch.caption_inputs.data(), batch.caption_len, logits_, true);
  if (settings_.object_weight > 0) {
    check(static_cast<int64_t>(batch.patch_objects.size()) == batch.batch * model_.num_patches(),
          "TrainingStep", "the batch has no patch object labels");
    model_.object_logits(object_logits_);
    object_loss_value_ = object_loss_.forward(object_logits_, batch.patch_objects.data(),
                                              static_cast<int64_t>(batch.patch_objects.size()));
  }
  if (settings_.attention_weight > 0) attention_loss_value_ = attention_loss_.forward(model_, batch.attention_targets);
  return loss_.forward(logits_, batch.caption_targets.data(), batch.batch * batch.caption_len);
}

void TrainingStep::backward(const TrainingBatch& batch, double total_tokens, double total_patches,
                            double total_attention_rows) {
  const Bf16GemmScope matmuls(settings_.bf16_matmuls);
  zero_grads(model_.parameters());
  if (settings_.attention_weight > 0 && total_attention_rows > 0)
    attention_loss_.backward(model_, batch.attention_targets,
                             static_cast<float>(settings_.attention_weight / total_attention_rows));
  const float scale = total_tokens > 0 ? static_cast<float>(counted() / total_tokens) : 0.0f;
  loss_.backward(batch.caption_targets.data(), scale, d_logits_);
  if (settings_.object_weight > 0) {
    const float object_scale =
        total_patches > 0 ? static_cast<float>(settings_.object_weight * object_counted() / total_patches) : 0.0f;
    object_loss_.backward(batch.patch_objects.data(), object_scale, d_object_logits_);
    model_.backward(d_logits_, &d_object_logits_);
  } else {
    model_.backward(d_logits_);
  }
}

float TrainingStep::clip() { return clip_grad_norm(model_.parameters(), settings_.clip); }

void TrainingStep::apply(float lr) { optimizer_.step(lr); }

float TrainingStep::run(const TrainingBatch& batch, float lr) {
  const float loss = forward(batch);
  backward(batch, static_cast<double>(counted()), static_cast<double>(object_counted()),
           static_cast<double>(attention_counted()));
  clip();
  apply(lr);
  return loss;
}

}  // namespace glimpse::train
