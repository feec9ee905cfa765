#include "glimpse/eval/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "glimpse/core/error.h"

namespace glimpse::eval {

std::vector<size_t> draw_resample(std::mt19937_64& rng, size_t n) {
  check(n >= 1, "bootstrap", "cannot resample an empty set of images");
  // Multiply-shift rather than std::uniform_int_distribution, whose mapping differs between
  // standard libraries: the intervals are meant to be the same on every build.
  std::vector<size_t> out(n);
  for (size_t& i : out)
    i = static_cast<size_t>((static_cast<unsigned __int128>(rng()) * static_cast<unsigned __int128>(n)) >> 64);
  return out;
}

ImageTallies sum_tallies(const std::vector<ImageTallies>& images, const std::vector<size_t>& indices) {
  ImageTallies total;
  for (const size_t i : indices) total += images[i];
  return total;
}

Interval percentile_interval(std::vector<double> values) {
  check(!values.empty(), "bootstrap", "no values to take percentiles of");
  std::sort(values.begin(), values.end());
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(values.size() - 1);
    const size_t below = static_cast<size_t>(std::floor(pos));
    const size_t above = std::min(below + 1, values.size() - 1);
    const double frac = pos - static_cast<double>(below);
    return values[below] + frac * (values[above] - values[below]);
  };
  return {quantile(0.025), quantile(0.975)};
}

std::map<std::string, Interval> bootstrap_intervals(const std::vector<ImageTallies>& images, size_t layers,
                                                    const BootstrapOptions& options) {
  check(options.resamples >= 0, "bootstrap", "the number of resamples must not be negative");
  std::map<std::string, Interval> out;
  if (options.resamples == 0 || images.empty()) return out;
  const std::vector<TalliedMetric> metrics = tallied_metrics(layers);
  std::vector<std::vector<double>> values(metrics.size());
  std::mt19937_64 rng(options.seed);
  for (int b = 0; b < options.resamples; ++b) {
    const ImageTallies total = sum_tallies(images, draw_resample(rng, images.size()));
    for (size_t m = 0; m < metrics.size(); ++m)
      if (const std::optional<double> v = metrics[m].value(total)) values[m].push_back(*v);
  }
  for (size_t m = 0; m < metrics.size(); ++m)
    if (!values[m].empty()) out[metrics[m].key] = percentile_interval(std::move(values[m]));
  return out;
}

std::map<std::string, PairedDifference> paired_differences(const std::vector<ImageTallies>& a,
                                                           const std::vector<ImageTallies>& b, size_t layers,
                                                           const BootstrapOptions& options) {
  check(a.size() == b.size(), "bootstrap",
        "paired differences need the same images for both models (" + std::to_string(a.size()) + " and " +
            std::to_string(b.size()) + " given)");
  check(options.resamples >= 1, "bootstrap", "paired differences need at least one resample");
  std::map<std::string, PairedDifference> out;
  if (a.empty()) return out;
  const std::vector<TalliedMetric> metrics = tallied_metrics(layers);
  std::vector<size_t> all(a.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  const ImageTallies total_a = sum_tallies(a, all), total_b = sum_tallies(b, all);
  std::vector<std::optional<double>> full(metrics.size());
  for (size_t m = 0; m < metrics.size(); ++m) {
    const auto va = metrics[m].value(total_a), vb = metrics[m].value(total_b);
    if (va && vb) full[m] = *vb - *va;
  }
  std::vector<std::vector<double>> values(metrics.size());
  std::mt19937_64 rng(options.seed);
  for (int r = 0; r < options.resamples; ++r) {
    const std::vector<size_t> draw = draw_resample(rng, a.size());
    const ImageTallies sa = sum_tallies(a, draw), sb = sum_tallies(b, draw);
    for (size_t m = 0; m < metrics.size(); ++m) {
      if (!full[m]) continue;
      const auto va = metrics[m].value(sa), vb = metrics[m].value(sb);
      if (va && vb) values[m].push_back(*vb - *va);
    }
  }
  for (size_t m = 0; m < metrics.size(); ++m)
    if (full[m] && !values[m].empty()) out[metrics[m].key] = {*full[m], percentile_interval(std::move(values[m]))};
  return out;
}

}  // namespace glimpse::eval
