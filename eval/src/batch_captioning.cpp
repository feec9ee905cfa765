#include "glimpse/eval/batch_captioning.h"

#include <algorithm>
#include <optional>

#include "glimpse/core/error.h"
#include "glimpse/model/input_batch.h"
#include "glimpse/text/tokenizer.h"

namespace glimpse::eval {

std::string GeneratedCaption::text() const { return text::join_tokens(words); }

std::vector<GeneratedCaption> caption_batch(model::CaptionModel& model, const text::Vocabulary& vocab,
                                            const std::vector<const vision::Image*>& images,
                                            const std::vector<std::string>& contexts,
                                            const model::DecodeOptions& options,
                                            const ObjectMentionBan* mention_ban) {
  const model::ModelConfig& cfg = model.config();
  const int64_t B = static_cast<int64_t>(images.size());
  check(B > 0, "caption_batch", "no images to caption");
  check(vocab.size() == cfg.vocab_size, "caption_batch",
        "vocabulary has " + std::to_string(vocab.size()) + " tokens, the model " +
            std::to_string(cfg.vocab_size));
  model::validate(options);

  const model::InputBatch batch = model::make_input_batch(images, contexts, vocab, cfg);
  std::vector<GeneratedCaption> out(static_cast<size_t>(B));
  for (size_t b = 0; b < out.size(); ++b) out[b].grid = batch.grids[b];

  model::EncodedMemories memories;
  model.encode(batch.inputs(), memories);
  model::DecodeOptions keep = options;
  keep.keep_records = true;
  std::optional<ObjectMentionBan> for_these;  // with the object head's presence in these images
  if (mention_ban != nullptr) {
    keep.word_ban = mention_ban;
    if (mention_ban->rules().min_presence > 0.0f) {
      Tensor presence;
      model.object_presence(memories, presence);
      for_these = mention_ban->for_images(std::move(presence));
      keep.word_ban = &*for_these;
    }
  }
  std::vector<model::DecodedCaption> decoded = model::decode(model, memories, keep);

  for (size_t b = 0; b < out.size(); ++b) {
    model::DecodedCaption& d = decoded[b];
    for (int32_t id : d.tokens) out[b].words.push_back(vocab.token(id));
    out[b].steps = std::move(d.steps);
  }
  return out;
}

}  // namespace glimpse::eval
