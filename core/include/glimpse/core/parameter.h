// A trainable tensor with its gradient. Layers own their Parameters; an optimiser or a
// checkpoint sees them through a ParameterList of (name, pointer) pairs whose names follow
// PyTorch's state_dict names for the same module, so weights move between the two unchanged.
#pragma once

#include <string>
#include <vector>

#include "glimpse/core/random.h"
#include "glimpse/core/tensor.h"

namespace glimpse {

struct Parameter {
  Parameter() = default;
  explicit Parameter(const Shape& shape, bool decay_ = true)
      : value(shape), grad(shape), decay(decay_) {}

  Tensor value;
  Tensor grad;  // accumulated by backward(); zeroed by the trainer
  bool decay = true;  // AdamW weight decay applies (weights yes; biases and norms no)
};

struct NamedParameter {
  std::string name;
  Parameter* param;
};

using ParameterList = std::vector<NamedParameter>;

void zero_grads(const ParameterList& params);
int64_t count_parameters(const ParameterList& params);

// Fills `p` uniformly in [-bound, bound].
void init_uniform(Parameter& p, Rng& rng, float bound);
// Xavier/Glorot uniform for a [fan_out, fan_in] matrix.
void init_xavier_uniform(Parameter& p, Rng& rng);
void init_normal(Parameter& p, Rng& rng, float stddev);

}  // namespace glimpse
