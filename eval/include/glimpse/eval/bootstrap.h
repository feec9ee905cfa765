// 95 % percentile bootstrap intervals over test images for every metric of an EvalReport.
//
// Each of B resamples draws the report's N images N times with replacement, sums their
// ImageTallies and reads each metric from the sum (tallied_metrics): micro counts are summed,
// corpus BLEU is recomputed from the summed n-gram statistics, METEOR, ROUGE-L and CIDEr-D
// (document frequencies of the full test set) are the mean of the drawn images' scores.
// The interval is the 2.5th and 97.5th percentile of the B values, linearly interpolated
// between order statistics (numpy's default); resamples where a metric is undefined (no
// trials, no mentions) are left out of its interval. Draws come from std::mt19937_64 with
// a fixed seed, so the same report and options give the same intervals everywhere.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "glimpse/eval/image_tallies.h"

namespace glimpse::eval {

constexpr uint64_t kBootstrapSeed = 20240601;

struct BootstrapOptions {
  int resamples = 1000;  // B; 0 = no intervals
  uint64_t seed = kBootstrapSeed;
};

struct Interval {
  double lo = 0.0, hi = 0.0;
};

// N image indices drawn uniformly with replacement from [0, n) (n >= 1).
std::vector<size_t> draw_resample(std::mt19937_64& rng, size_t n);

// The sum of `images`' tallies at `indices`.
ImageTallies sum_tallies(const std::vector<ImageTallies>& images, const std::vector<size_t>& indices);

// The 2.5th and 97.5th percentiles of `values` (not empty), interpolated linearly.
Interval percentile_interval(std::vector<double> values);

// By TalliedMetric key; metrics undefined in every resample have no entry. Empty for
// options.resamples == 0 or no images.
std::map<std::string, Interval> bootstrap_intervals(const std::vector<ImageTallies>& images, size_t layers,
                                                    const BootstrapOptions& options);

// Model B minus model A on the same test images: the difference on the full set and its 95 %
// paired bootstrap interval, where each resample draws the same images for both models. What
// the two share (which images are easy, which are hard) cancels out of a paired difference,
// so its interval is narrower than two separate intervals side by side would suggest.
struct PairedDifference {
  double value = 0.0;  // metric(B) - metric(A) over all images
  Interval ci95;
  bool excludes_zero() const { return ci95.lo > 0.0 || ci95.hi < 0.0; }
};

// `a` and `b`: one tally per image, the same images in the same order (throws otherwise). By
// TalliedMetric key; a metric undefined for either model on the full set has no entry.
std::map<std::string, PairedDifference> paired_differences(const std::vector<ImageTallies>& a,
                                                           const std::vector<ImageTallies>& b, size_t layers,
                                                           const BootstrapOptions& options);

}  // namespace glimpse::eval
