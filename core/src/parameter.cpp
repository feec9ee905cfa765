#include "glimpse/core/parameter.h"

#include <cmath>

namespace glimpse {

void zero_grads(const ParameterList& params) {
  for (const auto& np : params) np.param->grad.zero();
}

int64_t count_parameters(const ParameterList& params) {
  int64_t n = 0;
  for (const auto& np : params) n += np.param->value.size();
  return n;
}

void init_uniform(Parameter& p, Rng& rng, float bound) {
  for (int64_t i = 0; i < p.value.size(); ++i) p.value[i] = rng.uniform(-bound, bound);
}

void init_xavier_uniform(Parameter& p, Rng& rng) {
  float fan_out = static_cast<float>(p.value.rows());
  float fan_in = static_cast<float>(p.value.cols());
  init_uniform(p, rng, std::sqrt(6.0f / (fan_in + fan_out)));
}

void init_normal(Parameter& p, Rng& rng, float stddev) {
  for (int64_t i = 0; i < p.value.size(); ++i) p.value[i] = stddev * rng.normal();
}

}  // namespace glimpse
