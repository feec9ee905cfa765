// Numbers as the CLI's reports print them.
#pragma once

#include <string>

namespace glimpse::app {

// `v` with exactly `decimals` digits after the point ("0.850"); a value that rounds to zero
// prints without a sign ("0.000", never "-0.000": 1 - 1.0 can come out as -1e-17).
std::string fixed_decimals(double v, int decimals);
// The same with a sign for anything that does not round to zero ("+0.012", "-0.004", "0.000"):
// a difference between two models.
std::string signed_decimals(double v, int decimals);

}  // namespace glimpse::app
