#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "glimpse/text/metrics.h"
#include "ngrams.h"

namespace glimpse::text {
namespace {

using detail::kMaxNgramOrder;
using detail::Ngram;
using detail::NgramCounts;

constexpr double kSigma = 6.0;  // length penalty width
constexpr double kScale = 10.0;

// A caption as coco's counts2vec makes it: TF-IDF weight per n-gram (sorted by n-gram), the
// norm of each order's vector, and its "length", which coco counts as the number of bigrams
// (L - 1 for a caption of L >= 1 tokens, so delta is still the difference in length).
struct TfIdfVector {
  std::vector<std::pair<Ngram, double>> weight;
  std::array<double, kMaxNgramOrder> norm{};
  int64_t length = 0;
};

TfIdfVector to_tfidf(const NgramCounts& counts, const detail::NgramTable& document_frequency,
                     double log_images) {
  TfIdfVector v;
  v.weight.reserve(counts.size());
  for (const auto& [ngram, term_frequency] : counts) {
    const double df = static_cast<double>(document_frequency.get(ngram));
    const double w = static_cast<double>(term_frequency) * (log_images - std::log(std::max(1.0, df)));
    v.weight.emplace_back(ngram, w);
    v.norm[static_cast<size_t>(ngram.order - 1)] += w * w;
    if (ngram.order == 2) v.length += term_frequency;
  }
  for (double& n : v.norm) n = std::sqrt(n);
  return v;
}

// Per-order clipped cosine similarity times the Gaussian length penalty.
std::array<double, kMaxNgramOrder> similarity(const TfIdfVector& candidate,
                                              const TfIdfVector& reference) {
  std::array<double, kMaxNgramOrder> value{};
  detail::for_each_common_ngram(candidate.weight, reference.weight, [&](size_t c, size_t r) {
    const double wc = candidate.weight[c].second;
    const double wr = reference.weight[r].second;
    value[static_cast<size_t>(candidate.weight[c].first.order - 1)] += std::min(wc, wr) * wr;
  });
  const double delta = static_cast<double>(candidate.length - reference.length);
  const double penalty = std::exp(-(delta * delta) / (2.0 * kSigma * kSigma));
  for (size_t k = 0; k < value.size(); ++k) {
    const double norms = candidate.norm[k] * reference.norm[k];
    value[k] = norms != 0.0 ? value[k] / norms * penalty : 0.0;
  }
  return value;
}

}  // namespace

CorpusScore corpus_cider_d(const std::vector<CaptionSample>& samples) {
  check_caption_samples(samples, "CIDEr-D");
  detail::TokenInterner interner;
  std::vector<NgramCounts> candidate_counts;
  std::vector<std::vector<NgramCounts>> reference_counts;
  candidate_counts.reserve(samples.size());
  reference_counts.reserve(samples.size());
  detail::NgramTable document_frequency;

  for (const CaptionSample& sample : samples) {
    candidate_counts.push_back(detail::count_ngrams(interner.ids(sample.candidate), kMaxNgramOrder));
    std::vector<NgramCounts> refs;
    refs.reserve(sample.references.size());
    // Each n-gram of this image's references counts once towards its document frequency.
    std::vector<Ngram> in_this_image;
    for (const Tokens& reference : sample.references) {
      refs.push_back(detail::count_ngrams(interner.ids(reference), kMaxNgramOrder));
      for (const auto& entry : refs.back()) in_this_image.push_back(entry.first);
    }
    std::sort(in_this_image.begin(), in_this_image.end());
    in_this_image.erase(std::unique(in_this_image.begin(), in_this_image.end()), in_this_image.end());
    for (const Ngram& ngram : in_this_image) ++document_frequency[ngram];
    reference_counts.push_back(std::move(refs));
  }

  const double log_images = std::log(static_cast<double>(samples.size()));
  CorpusScore out;
  out.per_image.reserve(samples.size());
  double sum = 0.0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const TfIdfVector candidate = to_tfidf(candidate_counts[i], document_frequency, log_images);
    std::array<double, kMaxNgramOrder> total{};
    for (const NgramCounts& ref : reference_counts[i]) {
      const std::array<double, kMaxNgramOrder> s =
          similarity(candidate, to_tfidf(ref, document_frequency, log_images));
      for (size_t k = 0; k < total.size(); ++k) total[k] += s[k];
    }
    double mean_over_orders = 0.0;
    for (double t : total) mean_over_orders += t;
    mean_over_orders /= static_cast<double>(kMaxNgramOrder);
    const double score =
        mean_over_orders / static_cast<double>(reference_counts[i].size()) * kScale;
    out.per_image.push_back(score);
    sum += score;
  }
  out.mean = sum / static_cast<double>(samples.size());
  return out;
}

}  // namespace glimpse::text
