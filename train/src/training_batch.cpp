#include "glimpse/train/training_batch.h"

#include <algorithm>
#include <exception>

#include "glimpse/core/error.h"
#include "glimpse/model/decoding.h"
#include "glimpse/text/tokenizer.h"
#include "glimpse/vision/image.h"

namespace glimpse::train {

TrainingBatch make_training_batch(const vision::CaptionDataset& data,
                                  const std::vector<Sample>& samples,
                                  const text::Vocabulary& vocab, const model::ModelConfig& config,
                                  const ObjectClasses* classes, const eval::ObjectLexicon* lexicon,
                                  float tolerance) {
  check(!samples.empty(), "make_training_batch", "no samples");
  TrainingBatch b;
  const int64_t B = static_cast<int64_t>(samples.size());
  b.batch = B;

  // Captions: <bos> w1 .. wn <eos>; the decoder reads the first n+1 ids, so
  // n+1 <= max_caption_len.
  // Each caption is tokenised once: the ids and the attention targets read the same words.
  std::vector<std::vector<int32_t>> captions(samples.size());
  std::vector<std::vector<std::string>> words(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    words[i] = text::tokenize(samples[i].caption);
    const text::EncodedText c = vocab.encode_tokens(words[i], config.max_caption_len + 1, true);
    if (c.truncated()) ++b.truncated_captions;
    captions[i] = c.ids;
    b.caption_len = std::max<int64_t>(b.caption_len, static_cast<int64_t>(c.ids.size()) - 1);
  }
  const int64_t T = b.caption_len;
  b.caption_inputs.assign(static_cast<size_t>(B * T), model::kPadId);
  b.caption_targets.assign(static_cast<size_t>(B * T), model::kPadId);
  for (int64_t i = 0; i < B; ++i) {
    const auto& cap = captions[static_cast<size_t>(i)];
    for (size_t t = 0; t + 1 < cap.size(); ++t) {
      b.caption_inputs[static_cast<size_t>(i * T) + t] = cap[t];
      b.caption_targets[static_cast<size_t>(i * T) + t] = cap[t + 1];
    }
    b.target_tokens += static_cast<int64_t>(cap.size()) - 1;
  }

  // Decode the pictures in parallel, then patches and contexts.
  std::vector<vision::Image> images(samples.size());
  std::vector<std::exception_ptr> errors(samples.size());
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = 0; i < B; ++i) {
    try {
      images[static_cast<size_t>(i)] = data.load_image(samples[static_cast<size_t>(i)].image);
    } catch (...) {
      errors[static_cast<size_t>(i)] = std::current_exception();
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  std::vector<const vision::Image*> pointers;
  std::vector<std::string> contexts;
  for (size_t i = 0; i < samples.size(); ++i) {
    pointers.push_back(&images[i]);
    contexts.push_back(samples[i].context);
  }
  b.input = model::make_input_batch(pointers, contexts, vocab, config);
  if (classes) {
    for (size_t i = 0; i < samples.size(); ++i) {
      const auto labels =
          patch_object_labels(data.images[samples[i].image].objects, b.input.grids[i], *classes);
      b.patch_objects.insert(b.patch_objects.end(), labels.begin(), labels.end());
    }
  }
  if (lexicon) {
    // Word i of a caption is ids[i + 1], predicted at target position i; ids end with <eos>.
    for (size_t i = 0; i < samples.size(); ++i)
      add_attention_targets(*lexicon, words[i],
                            static_cast<int64_t>(captions[i].size()) - 2, static_cast<int64_t>(i) * T,
                            b.input.grids[i], data.images[samples[i].image].objects, tolerance,
                            b.attention_targets);
  }
  return b;
}

}  // namespace glimpse::train
