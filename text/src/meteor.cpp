// Follows nltk/translate/meteor_score.py (NLTK 3.8) step by step, including the details that
// shape its numbers: each matching stage walks the candidate from its last word back and takes
// the last unmatched reference word that fits; the stem stage replaces the leftover words by
// their stems, so the synonym stage looks up stems; chunks are counted over the matches sorted
// by candidate position.
#include <algorithm>
#include <cmath>

#include "glimpse/core/error.h"
#include "glimpse/text/metrics.h"
#include "glimpse/text/porter_stemmer.h"

namespace glimpse::text {
namespace {

struct PositionedWord {
  int64_t position;  // index in the original sentence
  std::string word;
};

using Alignment = std::vector<std::pair<int64_t, int64_t>>;  // (candidate, reference) positions

std::vector<PositionedWord> lowercase_positioned(const Tokens& tokens) {
  std::vector<PositionedWord> out;
  out.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string w = tokens[i];
    for (char& c : w) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out.push_back({static_cast<int64_t>(i), std::move(w)});
  }
  return out;
}

// NLTK's _match_enums with a general test: matched words leave both lists.
template <typename Matches>
void match_stage(std::vector<PositionedWord>& candidate, std::vector<PositionedWord>& reference,
                 Alignment& alignment, Matches matches) {
  for (size_t i = candidate.size(); i-- > 0;) {
    if (reference.empty()) return;  // nothing left to match against
    for (size_t j = reference.size(); j-- > 0;) {
      if (matches(candidate[i].word, reference[j].word)) {
        alignment.emplace_back(candidate[i].position, reference[j].position);
        candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i));
        reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(j));
        break;
      }
    }
  }
}

// The fewest runs of matches adjacent in both sentences (alignment sorted by candidate).
int64_t count_chunks(const Alignment& alignment) {
  int64_t chunks = 1;
  for (size_t i = 0; i + 1 < alignment.size(); ++i) {
    const bool adjacent = alignment[i + 1].first == alignment[i].first + 1 &&
                          alignment[i + 1].second == alignment[i].second + 1;
    if (!adjacent) ++chunks;
  }
  return chunks;
}

}  // namespace

Meteor::Meteor(const WordNet* wordnet, MeteorParameters parameters)
    : wordnet_(wordnet), parameters_(parameters) {
  check(parameters.alpha >= 0.0 && parameters.alpha <= 1.0, "Meteor",
        "alpha must be in [0, 1], got " + std::to_string(parameters.alpha));
  check(parameters.gamma >= 0.0 && parameters.gamma <= 1.0, "Meteor",
        "gamma must be in [0, 1], got " + std::to_string(parameters.gamma));
  check(parameters.beta >= 0.0, "Meteor",
        "beta must be >= 0, got " + std::to_string(parameters.beta));
}

double Meteor::score_one(const Tokens& candidate_tokens, const Tokens& reference_tokens,
                         WordCache& cache) const {
  std::vector<PositionedWord> candidate = lowercase_positioned(candidate_tokens);
  std::vector<PositionedWord> reference = lowercase_positioned(reference_tokens);
  const double candidate_length = static_cast<double>(candidate.size());
  const double reference_length = static_cast<double>(reference.size());

  Alignment alignment;
  match_stage(candidate, reference, alignment,
              [](const std::string& c, const std::string& r) { return c == r; });

  auto stem = [&](std::string& word) {
    auto it = cache.stems.find(word);
    if (it == cache.stems.end()) it = cache.stems.emplace(word, porter_stem(word)).first;
    word = it->second;
  };
  for (PositionedWord& w : candidate) stem(w.word);
  for (PositionedWord& w : reference) stem(w.word);
  match_stage(candidate, reference, alignment,
              [](const std::string& c, const std::string& r) { return c == r; });

  if (wordnet_ != nullptr) {
    match_stage(candidate, reference, alignment, [&](const std::string& c, const std::string& r) {
      auto it = cache.synonyms.find(c);
      if (it == cache.synonyms.end()) it = cache.synonyms.emplace(c, wordnet_->synonyms(c)).first;
      return it->second.count(r) > 0;
    });
  }

  const double matched = static_cast<double>(alignment.size());
  // NLTK returns 0 where its arithmetic would divide by zero.
  if (candidate_length == 0.0 || reference_length == 0.0 || alignment.empty()) return 0.0;
  std::sort(alignment.begin(), alignment.end());
  const double precision = matched / candidate_length;
  const double recall = matched / reference_length;
  const double alpha = parameters_.alpha;
  const double fmean = (precision * recall) / (alpha * precision + (1 - alpha) * recall);
  const double fragmentation = static_cast<double>(count_chunks(alignment)) / matched;
  const double penalty = parameters_.gamma * std::pow(fragmentation, parameters_.beta);
  return (1 - penalty) * fmean;
}

double Meteor::score(const Tokens& candidate, const std::vector<Tokens>& references) const {
  check(!references.empty(), "METEOR", "no reference captions");
  WordCache cache;
  double best = 0.0;
  for (const Tokens& reference : references) {
    best = std::max(best, score_one(candidate, reference, cache));
  }
  return best;
}

CorpusScore Meteor::corpus_score(const std::vector<CaptionSample>& samples) const {
  check_caption_samples(samples, "METEOR");
  WordCache cache;
  CorpusScore out;
  out.per_image.reserve(samples.size());
  double sum = 0.0;
  for (const CaptionSample& sample : samples) {
    double best = 0.0;
    for (const Tokens& reference : sample.references) {
      best = std::max(best, score_one(sample.candidate, reference, cache));
    }
    out.per_image.push_back(best);
    sum += best;
  }
  out.mean = sum / static_cast<double>(samples.size());
  return out;
}

}  // namespace glimpse::text
