// Validation during training: the teacher-forced loss on a fixed subset of the validation set
// (empty context, each image's first caption), and the caption and grounding scores of greedy
// captions of the same subset (eval/evaluate.h). The best model is the one with the highest
// CIDEr-D.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/text/wordnet.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/train/train_options.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::train {

struct ValidationResult {
  int64_t images = 0;
  double loss = 0;       // teacher-forced cross-entropy (no label smoothing)
  double cider_d = 0, bleu4 = 0, meteor = 0;
  double object_f1 = -1;  // -1 when the data has no object boxes
  double pointing = -1;   // pointing game, layer-mean map of the predicting step; -1: no trials

  bool scored_captions = false;  // the caption metrics below were computed

  // CIDEr-D when captions were scored, else the negated loss: higher is better.
  double score() const { return scored_captions ? cider_d : -loss; }
  std::string summary() const;
  nlohmann::json to_json() const;
};

// The first options.val_images images of `data`. Without a lexicon (no catalogue) object F1
// and pointing are left out; the caption metrics are always computed.
ValidationResult run_validation(model::CaptionModel& model, const text::Vocabulary& vocab,
                                const vision::CaptionDataset& data, const TrainOptions& options,
                                const eval::ObjectLexicon* lexicon, const text::WordNet* wordnet);

}  // namespace glimpse::train
