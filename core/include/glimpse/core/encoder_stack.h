// A stack of pre-LN encoder blocks with a final LayerNorm: the body both encoders share (the
// ViT patch encoder and the context-text encoder differ only in how they embed their input).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "glimpse/core/transformer_blocks.h"

namespace glimpse {

class EncoderStack {
 public:
  EncoderStack(const BlockConfig& config, int layers);
  void init(Rng& rng);

  // x: [B*L, d] embedded input -> y: [B*L, d]. key_padding [B, L] or null.
  void forward(const Tensor& x, int64_t batch, int64_t len, const uint8_t* key_padding, Tensor& y,
               bool training);
  // Writes dx (the gradient w.r.t. the embedded input).
  void backward(const Tensor& dy, Tensor& dx);

  // layers.{i}.* and norm.*
  void collect(const std::string& prefix, ParameterList& out);
  int layers() const { return static_cast<int>(blocks_.size()); }
  const EncoderBlock& block(int i) const { return *blocks_.at(static_cast<size_t>(i)); }

 private:
  std::vector<std::unique_ptr<EncoderBlock>> blocks_;
  LayerNorm norm_;
  std::vector<Tensor> inputs_;  // inputs_[i] is block i's input; inputs_.back() the norm's input
  Tensor d_a_, d_b_;
};

}  // namespace glimpse
