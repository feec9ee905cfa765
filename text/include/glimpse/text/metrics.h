// Caption metrics over a corpus of images, each with one candidate caption and its reference
// captions, all tokenised as tokenize_for_scoring() does (lowercase, PTB splitting,
// punctuation dropped, as coco-caption's PTBTokenizer step).
//
//   BLEU-1..4  coco-caption's corpus BLEU (bleu.cpp)
//   ROUGE-L    coco-caption's Rouge (rouge_l.cpp)
//   CIDEr-D    coco-caption's Cider, which is CIDEr-D (cider_d.cpp)
//   METEOR     NLTK's meteor_score with WordNet synonyms when available (meteor.cpp); note
//              that coco-caption runs the Java METEOR 1.5, whose scores differ from NLTK's.
//
// Every function throws glimpse::Error for an empty corpus or an image without references.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <set>
#include <vector>

#include "glimpse/text/wordnet.h"

namespace glimpse::text {

using Tokens = std::vector<std::string>;

// One image: the caption under test and the reference captions.
struct CaptionSample {
  Tokens candidate;
  std::vector<Tokens> references;
};

// Tokenises raw captions with tokenize_for_scoring().
CaptionSample make_caption_sample(std::string_view candidate,
                                  const std::vector<std::string>& references);

// Throws glimpse::Error naming `metric` when `samples` is empty or an image has no references.
void check_caption_samples(const std::vector<CaptionSample>& samples, const std::string& metric);

struct CorpusScore {
  double mean = 0.0;               // mean over images
  std::vector<double> per_image;   // in the order of the samples
};

// ---- BLEU ---------------------------------------------------------------------------------
// Corpus BLEU-n for n = 1..4 as coco-caption's BleuScorer in "closest" mode: clipped n-gram
// matches and candidate n-gram counts summed over the corpus, the brevity penalty from the
// summed candidate lengths and summed closest reference lengths (ties -> the shorter), and
// BLEU-n = BP * (prod_{k<=n} matches_k / candidates_k)^(1/n).
// Unsmoothed: BLEU-n is 0 when some order k <= n has no match. Differences from the references
// that the tests pin down:
//  * coco adds 1e-15 / 1e-9 to each ratio, which moves scores by ~1e-9 and turns a 0 into a
//    tiny positive number; here the ratios are exact.
//  * coco uses the average reference length when the corpus holds a single image; here the
//    closest length is used always.
//  * nltk's corpus_bleu counts at least 1 candidate n-gram per sentence (max(1, count)); coco
//    and this code count len - n + 1, so the two agree when every candidate has >= n tokens.
std::array<double, 4> corpus_bleu(const std::vector<CaptionSample>& samples);

// The sums corpus BLEU is computed from, for one image or (added up) a corpus: kept per image
// so that a resample of the images (a bootstrap) recomputes corpus BLEU exactly.
struct BleuStatistics {
  std::array<int64_t, 4> matches{};     // clipped candidate n-gram matches, n = 1..4
  std::array<int64_t, 4> candidates{};  // candidate n-grams
  int64_t candidate_length = 0;
  int64_t reference_length = 0;         // closest reference lengths
  BleuStatistics& operator+=(const BleuStatistics& other);
  std::array<double, 4> bleu() const;   // BLEU-1..4 of these sums
};
// One entry per sample, in order; corpus_bleu() is the BLEU of their sum.
std::vector<BleuStatistics> bleu_statistics(const std::vector<CaptionSample>& samples);

// ---- ROUGE-L ------------------------------------------------------------------------------
// coco-caption's Rouge: P = max_r LCS(c, r) / |c| and R = max_r LCS(c, r) / |r| (each maximised
// over the references on its own), F = (1 + b^2) P R / (R + b^2 P) with b = 1.2; 0 when P or
// R is 0 (including an empty candidate).
double rouge_l(const Tokens& candidate, const std::vector<Tokens>& references);
CorpusScore corpus_rouge_l(const std::vector<CaptionSample>& samples);

// ---- CIDEr-D ------------------------------------------------------------------------------
// coco-caption's Cider (CIDEr-D): for n = 1..4, TF-IDF vectors g(w) = tf(w) * (log N -
// log max(1, df(w))) where N is the number of images and df(w) the number of images whose
// references contain w; per reference, sum_w min(g_c(w), g_r(w)) g_r(w) / (|g_c| |g_r|) times
// exp(-delta^2 / (2 * 6^2)); averaged over references and orders, times 10.
// delta is the difference in length (coco counts bigrams, L - 1 for L >= 1 tokens, which gives
// the same difference). An order where either vector is all zero contributes 0 (coco's later
// releases; the first one divided 0 by 0 and produced NaN).
CorpusScore corpus_cider_d(const std::vector<CaptionSample>& samples);

// ---- METEOR -------------------------------------------------------------------------------
struct MeteorParameters {
  double alpha = 0.9;  // precision vs recall weight
  double beta = 3.0;   // fragmentation penalty shape
  double gamma = 0.5;  // fragmentation penalty weight
};

// nltk.translate.meteor_score.meteor_score: words aligned by exact match, then Porter stems
// (porter_stemmer.h), then WordNet synonyms of the (stemmed) candidate word, each stage
// scanning from the last word back; F = P R / (alpha P + (1 - alpha) R), penalty =
// gamma * (chunks / matches)^beta, score = (1 - penalty) F, the best over the references.
// Without a WordNet (nullptr) the synonym stage is skipped: exact + stem matching only.
class Meteor {
 public:
  explicit Meteor(const WordNet* wordnet, MeteorParameters parameters = {});

  bool uses_synonyms() const { return wordnet_ != nullptr; }
  double score(const Tokens& candidate, const std::vector<Tokens>& references) const;
  CorpusScore corpus_score(const std::vector<CaptionSample>& samples) const;

 private:
  // Stems and synonym sets already looked up during one call (words repeat across captions).
  struct WordCache {
    std::unordered_map<std::string, std::string> stems;
    std::unordered_map<std::string, std::set<std::string>> synonyms;
  };
  double score_one(const Tokens& candidate, const Tokens& reference, WordCache& cache) const;

  const WordNet* wordnet_;
  MeteorParameters parameters_;
};

// ---- All of them ----------------------------------------------------------------------------
struct CaptionMetrics {
  std::array<double, 4> bleu{};  // BLEU-1..4
  double meteor = 0.0;
  double rouge_l = 0.0;
  double cider_d = 0.0;
  bool meteor_used_wordnet = false;
  int64_t images = 0;
};

// `wordnet` may be nullptr (METEOR then matches exact words and stems only).
CaptionMetrics evaluate_captions(const std::vector<CaptionSample>& samples,
                                 const WordNet* wordnet);

// One image's share of the caption metrics: its BLEU sums and its METEOR, ROUGE-L and CIDEr-D
// (CIDEr-D with the document frequencies of all the samples' references). Summing any
// multiset of them and calling caption_metrics() gives the metrics of that multiset of images
// (CIDEr-D's document frequencies staying those of the full set).
struct ImageCaptionScores {
  BleuStatistics bleu;
  double meteor = 0.0;
  double rouge_l = 0.0;
  double cider_d = 0.0;
  int64_t images = 0;  // 1 per image, the count once summed
  ImageCaptionScores& operator+=(const ImageCaptionScores& other);
};
std::vector<ImageCaptionScores> per_image_caption_scores(const std::vector<CaptionSample>& samples,
                                                         const WordNet* wordnet);
// BLEU of the summed statistics, the other metrics the mean over `total.images`.
CaptionMetrics caption_metrics(const ImageCaptionScores& total, bool meteor_used_wordnet);

}  // namespace glimpse::text
