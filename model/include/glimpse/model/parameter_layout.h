// The parameters a ModelConfig implies, by name and shape, computed from the config alone (no
// tensor allocated): the table of docs/model-format.md as data. The checkpoint loader matches a
// file against it before it builds the model, so a config that asks for more weights than the
// file holds is refused without allocating them; tests/test_bad_inputs.cpp checks that it
// lists exactly CaptionModel::parameters() for every fusion strategy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/core/tensor.h"
#include "glimpse/model/model_config.h"

namespace glimpse::model {

struct ParameterSpec {
  std::string name;
  Shape shape;
};

// Every parameter of CaptionModel(config), in no particular order. Needs only the sizes to lie
// within the per-field bounds of model_config.h (validate() checks them before it calls
// parameter_count): then the list has at most a few thousand entries and no product overflows.
std::vector<ParameterSpec> parameter_layout(const ModelConfig& config);

// The number of float values in parameter_layout(config): what validate() bounds by
// kMaxParameters.
int64_t parameter_count(const ModelConfig& config);

}  // namespace glimpse::model
