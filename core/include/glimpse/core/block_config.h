// Sizes and options shared by the transformer blocks of one stack.
#pragma once

#include <cstdint>

#include "glimpse/core/activations.h"

namespace glimpse {

struct BlockConfig {
  int64_t d_model = 256;
  int64_t num_heads = 4;
  int64_t d_hidden = 1024;
  float dropout = 0.0f;
  GeluKind gelu = GeluKind::Erf;
  float layer_norm_eps = 1e-5f;
  uint64_t seed = 0;  // dropout streams derive from it
};

void validate(const BlockConfig& config);

}  // namespace glimpse
