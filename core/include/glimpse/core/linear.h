// Linear: y = x W^T + b, with W stored [out, in] as in torch.nn.Linear.
#pragma once

#include <string>

#include "glimpse/core/parameter.h"

namespace glimpse {

class Linear {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);

  // PyTorch's default: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
  void init(Rng& rng);

  // x: [..., in] -> y: [..., out].
  void forward(const Tensor& x, Tensor& y) const;
  // Accumulates weight.grad (and bias.grad); writes dx (same shape as x) when non-null.
  void backward(const Tensor& x, const Tensor& dy, Tensor* dx);

  void collect(const std::string& prefix, ParameterList& out);

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }
  bool has_bias() const { return has_bias_; }

  Parameter weight;  // [out, in]
  Parameter bias;    // [out] (empty when has_bias() is false)

 private:
  int64_t in_, out_;
  bool has_bias_;
};

}  // namespace glimpse
