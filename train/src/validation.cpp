#include "glimpse/train/validation.h"

#include <algorithm>
#include <cstdio>

#include "glimpse/vision/scene_catalogue.h"

#include "glimpse/core/loss.h"
#include "glimpse/eval/evaluate.h"
#include "glimpse/model/decoding.h"
#include "glimpse/train/training_batch.h"

namespace glimpse::train {

std::string ValidationResult::summary() const {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, "validation on %lld images: loss %.4f", (long long)images, loss);
  if (scored_captions)
    n += std::snprintf(buf + n, sizeof buf - n, ", CIDEr-D %.3f, BLEU-4 %.3f, METEOR %.3f", cider_d, bleu4, meteor);
  if (object_f1 >= 0) n += std::snprintf(buf + n, sizeof buf - n, ", object F1 %.3f", object_f1);
  if (pointing >= 0) std::snprintf(buf + n, sizeof buf - n, ", pointing %.3f", pointing);
  return buf;
}

nlohmann::json ValidationResult::to_json() const {
  nlohmann::json j = {{"val_images", images}, {"val_loss", loss}};
  if (scored_captions) {
    j["cider_d"] = cider_d;
    j["bleu4"] = bleu4;
    j["meteor"] = meteor;
  }
  if (object_f1 >= 0) j["object_f1"] = object_f1;
  if (pointing >= 0) j["pointing"] = pointing;
  return j;
}

namespace {
// Teacher-forced loss of the first caption of each image, empty context.
double validation_loss(model::CaptionModel& model, const text::Vocabulary& vocab,
                       const vision::CaptionDataset& data, size_t images, int64_t batch_size) {
  CrossEntropyLoss loss_fn(model::kPadId, 0.0f);
  Tensor logits;
  double total = 0, tokens = 0;
  for (size_t start = 0; start < images; start += static_cast<size_t>(batch_size)) {
    std::vector<Sample> samples;
    for (size_t i = start; i < std::min(images, start + static_cast<size_t>(batch_size)); ++i)
      samples.push_back({i, "", data.images[i].captions.front()});
    const TrainingBatch b = make_training_batch(data, samples, vocab, model.config());
    model.forward(b.inputs(), b.caption_inputs.data(), b.caption_len, logits, false);
    const float mean = loss_fn.forward(logits, b.caption_targets.data(), b.batch * b.caption_len);
    total += static_cast<double>(mean) * loss_fn.counted();
    tokens += static_cast<double>(loss_fn.counted());
  }
  return tokens > 0 ? total / tokens : 0.0;
}
}  // namespace

ValidationResult run_validation(model::CaptionModel& model, const text::Vocabulary& vocab,
                                const vision::CaptionDataset& data, const TrainOptions& options,
                                const eval::ObjectLexicon* lexicon, const text::WordNet* wordnet) {
  ValidationResult r;
  const size_t images = std::min(data.images.size(), static_cast<size_t>(options.val_images));
  r.images = static_cast<int64_t>(images);
  if (images == 0) return r;
  r.loss = validation_loss(model, vocab, data, images, options.batch);

  // Greedy captions of the same images, empty context.
  const vision::SceneCatalogue no_objects;
  const eval::ObjectLexicon empty_lexicon(no_objects);
  eval::EvalOptions e;
  e.max_images = images;
  e.contexts = eval::ContextSelection::None;
  e.batch = static_cast<int>(std::min<int64_t>(options.batch, 64));
  const eval::EvalReport report =
      eval::evaluate(model, vocab, data, lexicon ? *lexicon : empty_lexicon, wordnet, e);
  r.scored_captions = true;
  r.cider_d = report.metrics.cider_d;
  r.bleu4 = report.metrics.bleu[3];
  r.meteor = report.metrics.meteor;
  if (lexicon) {
    if (const auto f1 = report.mentions.f1()) r.object_f1 = *f1;
    if (const auto p = report.pointing.predicted.all.accuracy()) r.pointing = *p;
  }
  return r;
}

}  // namespace glimpse::train
