// AdamW (decoupled weight decay; the same update as torch.optim.AdamW in PyTorch 1.13),
// global-norm gradient clipping (torch.nn.utils.clip_grad_norm_), and a linear warm-up +
// cosine learning-rate schedule.
#pragma once

#include <cstdint>
#include <vector>

#include "glimpse/core/parameter.h"

namespace glimpse {

struct AdamWConfig {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.01f;
};

class AdamW {
 public:
  AdamW(ParameterList params, const AdamWConfig& config);

  // One update with the gradients now in the parameters, at learning rate `lr`.
  void step(float lr);
  void step() { step(config_.lr); }

  int64_t steps() const { return step_; }
  const AdamWConfig& config() const { return config_; }
  const ParameterList& params() const { return params_; }
  // Moment estimates, index-aligned with params() (for checkpoints and resume).
  std::vector<Tensor>& first_moments() { return m_; }
  std::vector<Tensor>& second_moments() { return v_; }
  const std::vector<Tensor>& first_moments() const { return m_; }
  const std::vector<Tensor>& second_moments() const { return v_; }
  void set_steps(int64_t steps) { step_ = steps; }

 private:
  ParameterList params_;
  AdamWConfig config_;
  std::vector<Tensor> m_, v_;
  int64_t step_ = 0;
};

// Scales every gradient by max_norm / (norm + 1e-6) when the global L2 norm exceeds max_norm.
// Returns the norm before clipping.
float clip_grad_norm(const ParameterList& params, float max_norm);

struct LrSchedule {
  float peak_lr = 1e-3f;
  float min_lr = 0.0f;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;

  // Steps count from 0. Warm-up: step s < warmup_steps gets peak_lr * (s + 1) / warmup_steps;
  // then a half-cosine falls from peak_lr to min_lr at total_steps, and stays there.
  float at(int64_t step) const;
};

}  // namespace glimpse
