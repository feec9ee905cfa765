#include <algorithm>

#include "glimpse/core/error.h"
#include "glimpse/text/metrics.h"

namespace glimpse::text {
namespace {

constexpr double kBeta = 1.2;  // coco-caption's value ("based on discussion with Hovey")

// Length of the longest common subsequence, with two rows of the usual table.
int64_t lcs_length(const Tokens& a, const Tokens& b) {
  std::vector<int64_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

double rouge_l(const Tokens& candidate, const std::vector<Tokens>& references) {
  check(!references.empty(), "ROUGE-L", "no reference captions");
  if (candidate.empty()) return 0.0;
  double best_precision = 0.0;
  double best_recall = 0.0;
  for (const Tokens& reference : references) {
    if (reference.empty()) continue;  // LCS 0: adds nothing to either maximum
    const double lcs = static_cast<double>(lcs_length(reference, candidate));
    best_precision = std::max(best_precision, lcs / static_cast<double>(candidate.size()));
    best_recall = std::max(best_recall, lcs / static_cast<double>(reference.size()));
  }
  if (best_precision == 0.0 || best_recall == 0.0) return 0.0;
  const double b2 = kBeta * kBeta;
  return (1.0 + b2) * best_precision * best_recall / (best_recall + b2 * best_precision);
}

CorpusScore corpus_rouge_l(const std::vector<CaptionSample>& samples) {
  check_caption_samples(samples, "ROUGE-L");
  CorpusScore out;
  out.per_image.reserve(samples.size());
  double sum = 0.0;
  for (const CaptionSample& sample : samples) {
    out.per_image.push_back(rouge_l(sample.candidate, sample.references));
    sum += out.per_image.back();
  }
  out.mean = sum / static_cast<double>(samples.size());
  return out;
}

}  // namespace glimpse::text
