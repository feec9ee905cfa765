// `glimpse train --init FILE`: start a run from a trained model's weights (not its optimiser
// state or schedule), so that training can go on from committed weights in a later sitting, or
// every fusion strategy can start from one well-trained image encoder.
//
// Tensors are matched by name. Those indexed by vocabulary id (token embeddings, the untied
// output projection, the output bias) are matched row by row through the token strings, so
// the new run may have a larger or different vocabulary: rows of words the file does not know
// keep their fresh initialisation. The object head (a training aid) is copied when its shape
// matches and kept fresh otherwise. Any other tensor present in both with different shapes is
// an error that names it: the file is a model of another size. A per-modality cross-attention
// sub-layer (attn_image / attn_context / norm_image / norm_context) that the file lacks is
// copied from the file's concat cross-attention (multihead_attn / norm2) of the same layer, so
// every fusion strategy can start from one trained concat decoder. Other tensors of the new
// model that the file lacks (e.g. gated's gates) keep their fresh initialisation.
#pragma once

#include <string>
#include <vector>

#include "glimpse/model/caption_model.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse::train {

struct InitReport {
  int copied = 0;                     // tensors taken whole
  int from_concat = 0;                // of those, per-modality sub-layers from concat's cross-attention
  int remapped = 0;                   // vocabulary-indexed tensors taken row by row
  int64_t rows_kept_fresh = 0;        // their rows for words the file does not know
  std::vector<std::string> fresh;     // tensors of the new model the file did not provide
  std::string summary() const;        // one line for the progress output
};

// Throws glimpse::Error naming `path` for an unreadable file or a tensor of another shape.
InitReport init_from_checkpoint(model::CaptionModel& model, const text::Vocabulary& vocabulary,
                                const std::string& path);

}  // namespace glimpse::train
