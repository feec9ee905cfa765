// Encoded memories split per image and joined back into batches: the public API keeps one
// Encoding per picture (so each can be decoded, re-decoded or dropped on its own) and decodes
// several of them as one batch.
#pragma once

#include <vector>

#include "glimpse/model/caption_model.h"

namespace glimpse::model {

// Image i of `batch` on its own (images = 1), its context cut to its first `context_len`
// tokens (-1: all of the batch's padded length). Contexts are padded at the end, so cutting
// a context to its real length drops only padding keys, which carry exactly zero weight: the
// result is what encoding the image alone gives.
EncodedMemories slice_memories(const EncodedMemories& batch, int64_t image, int64_t context_len = -1);
// The images of `parts`, in order, as one batch. All must have the same slot layout (image and
// context lengths); throws glimpse::Error otherwise.
EncodedMemories concat_memories(const std::vector<const EncodedMemories*>& parts);
// True when concat_memories(a, b) is possible.
bool same_layout(const EncodedMemories& a, const EncodedMemories& b);

}  // namespace glimpse::model
