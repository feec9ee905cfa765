// LayerNorm over the last dimension with learned scale and shift, as torch.nn.LayerNorm.
#pragma once

#include <string>

#include "glimpse/core/parameter.h"

namespace glimpse {

class LayerNorm {
 public:
  explicit LayerNorm(int64_t dim, float eps = 1e-5f);

  // x: [..., dim] -> y. Saves the per-row mean and 1/std for backward.
  void forward(const Tensor& x, Tensor& y);
  // Inference: the same normalisation without saving anything for backward.
  void apply(const Tensor& x, Tensor& y) const;
  // Accumulates weight/bias grads; writes dx.
  void backward(const Tensor& x, const Tensor& dy, Tensor& dx);

  void collect(const std::string& prefix, ParameterList& out);
  int64_t dim() const { return dim_; }

  Parameter weight;  // [dim], initialised to 1
  Parameter bias;    // [dim], initialised to 0

 private:
  void normalize(const Tensor& x, Tensor& y, float* mean_out, float* rstd_out) const;
  void check_input(const Tensor& x) const;

  int64_t dim_;
  float eps_;
  Tensor mean_, rstd_;  // [rows]
};

}  // namespace glimpse
