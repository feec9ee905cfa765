// The ViT-style patch encoder: linear patch embedding (a Conv2d with kernel = stride = P,
// written as a matrix over flattened patches) + learned 2-D position embeddings (one vector
// per grid row plus one per grid column) -> pre-LN encoder blocks -> final LayerNorm.
#pragma once

#include <string>

#include "glimpse/core/encoder_stack.h"
#include "glimpse/core/linear.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::vision {

class VitEncoder {
 public:
  VitEncoder(const PreprocessConfig& image, const BlockConfig& block, int layers);
  void init(Rng& rng);

  // patches: [B*N, 3*P*P] from prepare_image (N = grid rows * cols) -> memory [B*N, d].
  void forward(const Tensor& patches, int64_t batch, Tensor& memory, bool training);
  // Accumulates parameter grads (the pixels need no gradient).
  void backward(const Tensor& d_memory);

  // patch_embed.{weight,bias}, pos_row [G, d], pos_col [G, d], layers.{i}.*, norm.*
  void collect(const std::string& prefix, ParameterList& out);

  int64_t num_patches() const { return grid_ * grid_; }
  int64_t grid_side() const { return grid_; }

 private:
  int64_t grid_, d_;
  Linear patch_embed_;
  Parameter pos_row_, pos_col_;
  EncoderStack stack_;
  const Tensor* patches_ = nullptr;
  int64_t batch_ = 0;
  Tensor embedded_, d_embedded_;
};

}  // namespace glimpse::vision
