#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "glimpse/text/metrics.h"
#include "ngrams.h"

namespace glimpse::text {

BleuStatistics& BleuStatistics::operator+=(const BleuStatistics& o) {
  for (size_t k = 0; k < matches.size(); ++k) {
    matches[k] += o.matches[k];
    candidates[k] += o.candidates[k];
  }
  candidate_length += o.candidate_length;
  reference_length += o.reference_length;
  return *this;
}

std::vector<BleuStatistics> bleu_statistics(const std::vector<CaptionSample>& samples) {
  using namespace detail;
  check_caption_samples(samples, "BLEU");
  TokenInterner interner;
  std::vector<BleuStatistics> out;
  out.reserve(samples.size());
  for (const CaptionSample& sample : samples) {
    BleuStatistics& s = out.emplace_back();
    const std::vector<int32_t> candidate = interner.ids(sample.candidate);
    const NgramCounts candidate_counts = count_ngrams(candidate, kMaxNgramOrder);

    // Clipping limit of each candidate n-gram: the most times it occurs in any one reference.
    std::vector<int64_t> limit(candidate_counts.size(), 0);
    const int64_t length = static_cast<int64_t>(candidate.size());
    int64_t closest = -1;
    for (const Tokens& reference_tokens : sample.references) {
      const std::vector<int32_t> reference = interner.ids(reference_tokens);
      const NgramCounts reference_counts = count_ngrams(reference, kMaxNgramOrder);
      for_each_common_ngram(candidate_counts, reference_counts, [&](size_t c, size_t r) {
        limit[c] = std::max(limit[c], reference_counts[r].second);
      });
      const int64_t r = static_cast<int64_t>(reference.size());
      if (closest < 0 || std::llabs(r - length) < std::llabs(closest - length) ||
          (std::llabs(r - length) == std::llabs(closest - length) && r < closest)) {
        closest = r;
      }
    }
    for (size_t c = 0; c < candidate_counts.size(); ++c) {
      const auto& [ngram, count] = candidate_counts[c];
      s.matches[static_cast<size_t>(ngram.order - 1)] += std::min(count, limit[c]);
    }
    for (int order = 1; order <= kMaxNgramOrder; ++order) {
      s.candidates[static_cast<size_t>(order - 1)] += std::max<int64_t>(0, length - order + 1);
    }
    s.candidate_length = length;
    s.reference_length = closest;
  }
  return out;
}

std::array<double, 4> BleuStatistics::bleu() const {
  double brevity_penalty = 1.0;
  if (candidate_length == 0) {
    brevity_penalty = 0.0;
  } else if (candidate_length <= reference_length) {
    brevity_penalty = std::exp(1.0 - static_cast<double>(reference_length) /
                                         static_cast<double>(candidate_length));
  }

  std::array<double, 4> out{};
  double log_precision_sum = 0.0;
  bool all_matched = true;
  for (int order = 1; order <= detail::kMaxNgramOrder; ++order) {
    const size_t k = static_cast<size_t>(order - 1);
    if (matches[k] == 0) all_matched = false;
    if (all_matched) {
      log_precision_sum +=
          std::log(static_cast<double>(matches[k]) / static_cast<double>(candidates[k]));
    }
    out[k] = all_matched ? brevity_penalty * std::exp(log_precision_sum / order) : 0.0;
  }
  return out;
}

std::array<double, 4> corpus_bleu(const std::vector<CaptionSample>& samples) {
  BleuStatistics total;
  for (const BleuStatistics& s : bleu_statistics(samples)) total += s;
  return total.bleu();
}

}  // namespace glimpse::text
