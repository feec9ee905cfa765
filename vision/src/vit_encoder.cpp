#include "glimpse/vision/vit_encoder.h"

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"

namespace glimpse::vision {

VitEncoder::VitEncoder(const PreprocessConfig& image, const BlockConfig& block, int layers)
    : grid_((validate(image), image.grid_side())),
      d_(block.d_model),
      patch_embed_(image.patch_dim(), block.d_model),
      pos_row_({image.grid_side(), block.d_model}, false),
      pos_col_({image.grid_side(), block.d_model}, false),
      stack_(block, layers) {}

void VitEncoder::init(Rng& rng) {
  patch_embed_.init(rng);
  init_normal(pos_row_, rng, 0.02f);
  init_normal(pos_col_, rng, 0.02f);
  stack_.init(rng);
}

void VitEncoder::forward(const Tensor& patches, int64_t batch, Tensor& memory, bool training) {
  const int64_t N = num_patches();
  check_shape(patches, {batch * N, patch_embed_.in_features()}, "VitEncoder", "patches");
  check_finite(patches, "VitEncoder", "patches");
  patches_ = &patches;
  batch_ = batch;
  patch_embed_.forward(patches, embedded_);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < grid_; ++r)
      for (int64_t c = 0; c < grid_; ++c)
        RowVecMap(embedded_.data() + (b * N + r * grid_ + c) * d_, d_) +=
            ConstRowVecMap(pos_row_.value.data() + r * d_, d_) +
            ConstRowVecMap(pos_col_.value.data() + c * d_, d_);
  stack_.forward(embedded_, batch, N, nullptr, memory, training);
}

void VitEncoder::backward(const Tensor& d_memory) {
  check(patches_ != nullptr, "VitEncoder.backward", "no forward to differentiate");
  const int64_t N = num_patches();
  check_shape(d_memory, {batch_ * N, d_}, "VitEncoder.backward", "memory grad");
  stack_.backward(d_memory, d_embedded_);
  for (int64_t b = 0; b < batch_; ++b)
    for (int64_t r = 0; r < grid_; ++r)
      for (int64_t c = 0; c < grid_; ++c) {
        ConstRowVecMap g(d_embedded_.data() + (b * N + r * grid_ + c) * d_, d_);
        RowVecMap(pos_row_.grad.data() + r * d_, d_) += g;
        RowVecMap(pos_col_.grad.data() + c * d_, d_) += g;
      }
  patch_embed_.backward(*patches_, d_embedded_, nullptr);
}

void VitEncoder::collect(const std::string& prefix, ParameterList& out) {
  patch_embed_.collect(prefix + "patch_embed.", out);
  out.push_back({prefix + "pos_row", &pos_row_});
  out.push_back({prefix + "pos_col", &pos_col_});
  stack_.collect(prefix, out);
}

}  // namespace glimpse::vision
