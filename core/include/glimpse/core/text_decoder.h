// The caption decoder: token + learned position embeddings, L decoder blocks (masked self-
// attention -> fusion -> FFN), final LayerNorm, output projection (optionally tied to the token
// embedding). Teacher-forced forward/backward for training; cached steps for decoding.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "glimpse/core/embedding.h"
#include "glimpse/core/linear.h"
#include "glimpse/core/transformer_blocks.h"

namespace glimpse {

struct DecoderStepPack;  // packed_decoder.h

struct DecoderConfig {
  BlockConfig block;
  int layers = 4;
  int64_t vocab_size = 1000;
  int64_t max_len = 32;  // positions, <bos> included
  FusionKind fusion = FusionKind::Concat;
  bool tie_embeddings = true;
};

void validate(const DecoderConfig& config);

// What cached decoding keeps between steps for n hypotheses; sized once per caption.
struct DecoderState {
  int64_t rows = 0;
  std::vector<SelfAttentionCache> caches;  // one per layer
  std::vector<SelfAttentionCache> spare;   // reorder's destination, swapped in
  DecoderStepScratch scratch;
  Tensor x, y, normed;
};

class TextDecoder {
 public:
  explicit TextDecoder(const DecoderConfig& config);
  void init(Rng& rng);

  // ids: [B*T] (sample b, position t at b*T + t) -> logits [B*T, V].
  void forward(const int32_t* ids, int64_t batch, int64_t len, const MemorySlot* slots,
               Tensor& logits, bool training);
  // Accumulates parameter grads; ADDS memory grads into *d_slots[s] (non-null ones).
  void backward(const Tensor& d_logits, Tensor* const* d_slots);

  void start(DecoderState& state, int64_t rows, int64_t max_len) const;
  // Tokens `ids` [rows] at position `pos` -> logits [rows, V]. views[layer][slot] point at
  // `rows` KeyValueViews of that layer's memory K/V; taps[layer] (may be null) receives the
  // step's attention for records. With a pack (from pack_step()) every projection, the
  // logits' included, runs on it; null runs the layers' own weights.
  void step(const int32_t* ids, int64_t pos, const KeyValueView* const* const* views,
            DecoderState& state, Tensor& logits, const FusionStepTaps* taps,
            const DecoderStepPack* pack = nullptr) const;
  // Inference snapshot of step()'s projections in `precision` (see packed_decoder.h).
  DecoderStepPack pack_step(Precision precision) const;
  // After beam selection: new row i continues old row src[i] (positions 0..len-1 copied).
  void reorder(DecoderState& state, const std::vector<int64_t>& src, int64_t len) const;

  void collect(const std::string& prefix, ParameterList& out);

  const DecoderConfig& config() const { return config_; }
  int layers() const { return static_cast<int>(blocks_.size()); }
  DecoderBlock& block(int i) { return *blocks_.at(static_cast<size_t>(i)); }
  const DecoderBlock& block(int i) const { return *blocks_.at(static_cast<size_t>(i)); }

 private:
  void embed(const int32_t* ids, int64_t batch, int64_t len, int64_t first_pos, Tensor& x) const;
  void project_logits(const Tensor& h, Tensor& logits) const;

  DecoderConfig config_;
  Embedding token_embed_;
  Parameter pos_embed_;  // [max_len, d]
  std::vector<std::unique_ptr<DecoderBlock>> blocks_;
  LayerNorm norm_;
  std::unique_ptr<Linear> output_;  // untied only
  Parameter output_bias_;          // [V]
  // Training intermediates.
  std::vector<int32_t> ids_;
  int64_t batch_ = 0, len_ = 0;
  const MemorySlot* slots_ = nullptr;
  std::vector<Tensor> inputs_;  // inputs_[i] = block i's input; back() = final norm's input
  Tensor normed_, d_normed_, d_a_, d_b_;
};

}  // namespace glimpse
