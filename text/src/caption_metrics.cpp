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

CaptionMetrics evaluate_captions(const std::vector<CaptionSample>& samples,
                                 const WordNet* wordnet) {
  check_caption_samples(samples, "evaluate_captions");
  CaptionMetrics m;
  m.images = static_cast<int64_t>(samples.size());
  m.bleu = corpus_bleu(samples);
  m.rouge_l = corpus_rouge_l(samples).mean;
  m.cider_d = corpus_cider_d(samples).mean;
  const Meteor meteor(wordnet);
  m.meteor = meteor.corpus_score(samples).mean;
  m.meteor_used_wordnet = meteor.uses_synonyms();
  return m;
}

}  // namespace glimpse::text
