// Summaries of a run of timings (ms) that the performance panel and the scripted run's report
// print: the median (robust to the odd slow frame) and the worst.
#pragma once

#include <algorithm>
#include <vector>

namespace glimpse::gui {

// The upper median; 0 for no timings.
inline float median_ms(std::vector<float> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

inline float max_ms(const std::vector<float>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

}  // namespace glimpse::gui
