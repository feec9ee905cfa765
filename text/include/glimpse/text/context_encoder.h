// The context-text encoder: token + learned position embeddings -> pre-LN encoder blocks ->
// final LayerNorm. Reads tags, hints or an instruction; an empty context is a zero-length
// memory (or an all-padding row in a batch), never NaN.
#pragma once

#include <string>

#include "glimpse/core/embedding.h"
#include "glimpse/core/encoder_stack.h"

namespace glimpse::text {

class ContextEncoder {
 public:
  ContextEncoder(int64_t vocab_size, int64_t max_len, const BlockConfig& block, int layers);
  void init(Rng& rng);

  // ids [B*L] with padding [B*L] (non-zero = padding) -> memory [B*L, d]. L may be 0.
  void forward(const int32_t* ids, const uint8_t* padding, int64_t batch, int64_t len,
               Tensor& memory, bool training);
  // Accumulates parameter grads.
  void backward(const Tensor& d_memory);

  // token_embed.weight, pos_embed [max_len, d], layers.{i}.*, norm.*
  void collect(const std::string& prefix, ParameterList& out);
  int64_t max_len() const { return max_len_; }

 private:
  int64_t max_len_, d_;
  Embedding token_embed_;
  Parameter pos_embed_;
  EncoderStack stack_;
  std::vector<int32_t> ids_;
  int64_t batch_ = 0, len_ = 0;
  Tensor embedded_, d_embedded_;
};

}  // namespace glimpse::text
