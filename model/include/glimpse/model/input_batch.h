// Pictures and context texts turned into what CaptionModel reads: every image's patches (and
// its patch grid, to draw attention back on the picture) and the context ids padded to the
// longest context with their key-padding mask. One place for it, shared by the public
// Captioner, evaluation and training.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/core/tensor.h"
#include "glimpse/model/caption_model.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::model {

struct InputBatch {
  int64_t batch = 0;
  Tensor patches;                        // [B*N, 3*P*P]
  std::vector<vision::PatchGrid> grids;  // one per image
  std::vector<text::EncodedText> contexts;  // one per image (ids without padding)
  std::vector<int32_t> context_ids;      // [B*Lc], <pad> after each context
  std::vector<uint8_t> context_padding;  // [B*Lc], 1 = padding
  int64_t context_len = 0;               // Lc: the longest context

  // A view for CaptionModel::forward/encode; valid while this batch lives.
  ModelInputs inputs() const;
};

// Preprocesses `images` (prepare_image with config.image, in parallel) and encodes one context
// text per image (`contexts` empty: no context for any) truncated to config.max_context_len.
// Throws glimpse::Error for a null image or a context count that does not match.
InputBatch make_input_batch(const std::vector<const vision::Image*>& images,
                            const std::vector<std::string>& contexts,
                            const text::Vocabulary& vocab, const ModelConfig& config);

}  // namespace glimpse::model
