#include "glimpse/model/attention_share.h"

#include <numeric>
#include <string>

#include "glimpse/core/error.h"

namespace glimpse::model {

std::vector<float> image_share_by_layer(const StepRecord& step, int layers, int heads,
                                        int64_t image_len) {
  const size_t N = static_cast<size_t>(image_len), H = static_cast<size_t>(heads);
  check(step.image.size() == static_cast<size_t>(layers) * H * N, "image_share",
        "step record has " + std::to_string(step.image.size()) + " image weights, expected " +
            std::to_string(layers) + " layers x " + std::to_string(heads) + " heads x " +
            std::to_string(image_len) + " patches");
  check(step.slot_norms.empty() || step.slot_norms.size() == static_cast<size_t>(layers) * 2,
        "image_share", "step record has " + std::to_string(step.slot_norms.size()) +
                           " slot norms, expected 2 per layer");
  std::vector<float> shares(static_cast<size_t>(layers), 1.0f);
  for (size_t l = 0; l < shares.size(); ++l) {
    if (step.slot_norms.empty()) {
      const auto first = step.image.begin() + static_cast<std::ptrdiff_t>(l * H * N);
      const double mass = std::accumulate(first, first + static_cast<std::ptrdiff_t>(H * N), 0.0);
      shares[l] = static_cast<float>(mass / static_cast<double>(heads));
    } else {
      const float img = step.slot_norms[l * 2], ctx = step.slot_norms[l * 2 + 1];
      shares[l] = img + ctx > 0.0f ? img / (img + ctx) : 1.0f;
    }
  }
  return shares;
}

float image_share(const StepRecord& step, int layers, int heads, int64_t image_len) {
  const auto shares = image_share_by_layer(step, layers, heads, image_len);
  return std::accumulate(shares.begin(), shares.end(), 0.0f) / static_cast<float>(layers);
}

}  // namespace glimpse::model
