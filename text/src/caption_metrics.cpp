#include "glimpse/core/error.h"
#include "glimpse/text/metrics.h"
#include "glimpse/text/tokenizer.h"

namespace glimpse::text {

CaptionSample make_caption_sample(std::string_view candidate,
                                  const std::vector<std::string>& references) {
  CaptionSample sample;
  sample.candidate = tokenize_for_scoring(candidate);
  sample.references.reserve(references.size());
  for (const std::string& r : references) sample.references.push_back(tokenize_for_scoring(r));
  return sample;
}

void check_caption_samples(const std::vector<CaptionSample>& samples, const std::string& metric) {
  check(!samples.empty(), metric, "no captions to score");
  for (size_t i = 0; i < samples.size(); ++i) {
    check(!samples[i].references.empty(), metric,
          "image " + std::to_string(i) + " has no reference captions");
  }
}

ImageCaptionScores& ImageCaptionScores::operator+=(const ImageCaptionScores& o) {
  bleu += o.bleu;
  meteor += o.meteor;
  rouge_l += o.rouge_l;
  cider_d += o.cider_d;
  images += o.images;
  return *this;
}

std::vector<ImageCaptionScores> per_image_caption_scores(const std::vector<CaptionSample>& samples,
                                                         const WordNet* wordnet) {
  check_caption_samples(samples, "evaluate_captions");
  const std::vector<BleuStatistics> bleu = bleu_statistics(samples);
  const CorpusScore rouge = corpus_rouge_l(samples);
  const CorpusScore cider = corpus_cider_d(samples);
  const CorpusScore meteor = Meteor(wordnet).corpus_score(samples);
  std::vector<ImageCaptionScores> out(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    out[i].images = 1;
    out[i].bleu = bleu[i];
    out[i].meteor = meteor.per_image[i];
    out[i].rouge_l = rouge.per_image[i];
    out[i].cider_d = cider.per_image[i];
  }
  return out;
}

CaptionMetrics caption_metrics(const ImageCaptionScores& total, bool meteor_used_wordnet) {
  CaptionMetrics m;
  m.images = total.images;
  m.bleu = total.bleu.bleu();
  const double n = static_cast<double>(total.images);
  m.meteor = total.meteor / n;
  m.rouge_l = total.rouge_l / n;
  m.cider_d = total.cider_d / n;
  m.meteor_used_wordnet = meteor_used_wordnet;
  return m;
}

CaptionMetrics evaluate_captions(const std::vector<CaptionSample>& samples,
                                 const WordNet* wordnet) {
  ImageCaptionScores total;
  for (const ImageCaptionScores& s : per_image_caption_scores(samples, wordnet)) total += s;
  return caption_metrics(total, wordnet != nullptr);
}

}  // namespace glimpse::text
