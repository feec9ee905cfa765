// The one rule every rate of an evaluation follows: a ratio over nothing is undefined, not 0.
#pragma once

#include <optional>

namespace glimpse::eval {

// num / den; none when den is 0 (a rate over no images, trials or words is undefined).
inline std::optional<double> optional_ratio(double num, double den) {
  if (den == 0) return std::nullopt;
  return num / den;
}

}  // namespace glimpse::eval
