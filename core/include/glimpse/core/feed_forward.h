// Position-wise feed-forward: linear2(dropout(gelu(linear1(x)))), the `_ff_block` of
// torch.nn.TransformerEncoderLayer without its trailing dropout (the block owns that one).
#pragma once

#include <string>

#include "glimpse/core/activations.h"
#include "glimpse/core/dropout.h"
#include "glimpse/core/linear.h"

namespace glimpse {

class FeedForward {
 public:
  FeedForward(int64_t d_model, int64_t d_hidden, GeluKind gelu, float dropout, uint64_t seed);

  void init(Rng& rng);
  void forward(const Tensor& x, Tensor& y, bool training);
  void backward(const Tensor& x, const Tensor& dy, Tensor& dx);
  // Inference: y = linear2(gelu(linear1(x))) with `hidden` as scratch; saves nothing.
  void apply(const Tensor& x, Tensor& y, Tensor& hidden) const;

  // Registers linear1.* and linear2.* under `prefix` (PyTorch keeps them on the layer itself).
  void collect(const std::string& prefix, ParameterList& out);

  Linear linear1, linear2;

 private:
  GeluKind gelu_;
  Dropout dropout_;
  Tensor hidden_, activated_, dropped_;      // forward intermediates [n, d_hidden]
  Tensor d_dropped_, d_activated_, d_hidden_;  // backward buffers
};

}  // namespace glimpse
