// A batch of training samples turned into the model's inputs: image patches, padded context
// ids with their key-padding mask, and teacher-forcing caption inputs/targets.
#pragma once

#include <cstdint>
#include <vector>

#include "glimpse/core/tensor.h"
#include "glimpse/eval/pointing_game.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/model/input_batch.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/train/attention_loss.h"
#include "glimpse/train/object_classes.h"
#include "glimpse/train/sample_plan.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::train {

struct TrainingBatch {
  int64_t batch = 0;
  model::InputBatch input;               // patches and padded contexts
  std::vector<int32_t> caption_inputs;   // [B*T]: <bos> w1 ... (padded with <pad>)
  std::vector<int32_t> caption_targets;  // [B*T]: w1 ... <eos> (padded with <pad> = ignored)
  int64_t caption_len = 0;               // T: the longest caption of the batch, <eos> included
  int64_t target_tokens = 0;             // targets that are not <pad>
  int64_t truncated_captions = 0;        // captions longer than the model's positions
  std::vector<int32_t> patch_objects;    // [B*N] object class per patch (object_classes.h);
                                         // empty unless classes were given
  AttentionTargets attention_targets;    // empty unless a lexicon was given

  model::ModelInputs inputs() const { return input.inputs(); }
};

// Decodes and preprocesses the images (in parallel) and encodes the texts with `vocab`.
// Captions longer than config.max_caption_len words are cut (their <eos> is kept) and counted.
// With `classes`, also labels every patch with the object under it; with `lexicon`, also finds
// the attention targets of every caption (attention_loss.h; `tolerance` as the pointing game's).
// Throws glimpse::Error naming the image file when one cannot be read.
TrainingBatch make_training_batch(const vision::CaptionDataset& data,
                                  const std::vector<Sample>& samples,
                                  const text::Vocabulary& vocab, const model::ModelConfig& config,
                                  const ObjectClasses* classes = nullptr,
                                  const eval::ObjectLexicon* lexicon = nullptr,
                                  float tolerance = eval::PointingOptions{}.tolerance);

}  // namespace glimpse::train
