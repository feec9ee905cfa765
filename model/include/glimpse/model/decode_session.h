// Cached decoding of a batch of images: the per-row memory K/V views, the decoder's self-
// attention caches and the attention taps, set up once per caption. Each step feeds one token
// per row and returns log-probabilities; `record` reads the attention that step used.
#pragma once

#include <vector>

#include "glimpse/model/caption_model.h"

namespace glimpse::model {

struct StepRecord;

class DecodeSession {
 public:
  // rows_per_image rows per image (beam width); row r belongs to image r / rows_per_image.
  // max_steps: positions the session may feed (at most the model's max_caption_len).
  DecodeSession(const CaptionModel& model, const EncodedMemories& memories,
                int64_t rows_per_image, int64_t max_steps, bool keep_attention);
  DecodeSession(const DecodeSession&) = delete;
  DecodeSession& operator=(const DecodeSession&) = delete;

  int64_t rows() const { return rows_; }

  // Feeds ids [rows] at position pos; returns log-probabilities [rows, V] (valid until the
  // next step).
  const Tensor& step(const std::vector<int32_t>& ids, int64_t pos);
  // The attention row r used in the last step, with the token chosen for it and the step's
  // top_k best tokens.
  StepRecord record(int64_t r, int32_t token, float logprob, int top_k = 0) const;
  // After beam selection: new row i continues old row src[i]; len positions are kept.
  void reorder(const std::vector<int64_t>& src, int64_t len);

 private:
  const CaptionModel& model_;
  const EncodedMemories& memories_;
  int layers_;
  int64_t heads_, rows_;
  std::vector<std::vector<KeyValueView>> views_;          // [layer * slots + slot][row]
  std::vector<const KeyValueView*> view_ptrs_;            // [layer][2]
  std::vector<const KeyValueView* const*> layer_ptrs_;    // [layer]
  std::vector<float> probs_[2];                           // [row][layer][head][len_slot]
  std::vector<float*> prob_rows_[2];                      // [layer][row]
  std::vector<float> norms_;                              // [layer][row][slot]
  std::vector<FusionStepTaps> taps_;                      // [layer]
  DecoderState state_;
  Tensor logprobs_;
  mutable std::vector<int32_t> token_order_;  // record(): top-k scratch, sized once ([V])
};

}  // namespace glimpse::model
