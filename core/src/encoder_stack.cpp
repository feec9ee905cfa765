#include "glimpse/core/encoder_stack.h"

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"

namespace glimpse {

EncoderStack::EncoderStack(const BlockConfig& config, int layers)
    : norm_((validate(config), config.d_model), config.layer_norm_eps) {
  check(layers >= 0 && layers <= 64, "EncoderStack",
        "layers must be in [0, 64], got " + std::to_string(layers));
  for (int i = 0; i < layers; ++i) {
    BlockConfig c = config;
    c.seed = config.seed * 1000003ULL + static_cast<uint64_t>(i) + 1;
    blocks_.push_back(std::make_unique<EncoderBlock>(c));
  }
  inputs_.resize(static_cast<size_t>(layers) + 1);
}

void EncoderStack::init(Rng& rng) {
  for (auto& b : blocks_) b->init(rng);
}

void EncoderStack::forward(const Tensor& x, int64_t batch, int64_t len, const uint8_t* key_padding,
                           Tensor& y, bool training) {
  inputs_[0].resize(x.shape());
  as_vector(inputs_[0]) = as_vector(x);
  for (size_t i = 0; i < blocks_.size(); ++i)
    blocks_[i]->forward(inputs_[i], batch, len, key_padding, inputs_[i + 1], training);
  norm_.forward(inputs_.back(), y);
}

void EncoderStack::backward(const Tensor& dy, Tensor& dx) {
  norm_.backward(inputs_.back(), dy, d_a_);
  for (size_t i = blocks_.size(); i-- > 0;) {
    blocks_[i]->backward(inputs_[i], d_a_, d_b_);
    std::swap(d_a_, d_b_);
  }
  dx.resize(d_a_.shape());
  as_vector(dx) = as_vector(d_a_);
}

void EncoderStack::collect(const std::string& prefix, ParameterList& out) {
  for (size_t i = 0; i < blocks_.size(); ++i)
    blocks_[i]->collect(prefix + "layers." + std::to_string(i) + ".", out);
  norm_.collect(prefix + "norm.", out);
}

}  // namespace glimpse
