#include "glimpse/core/layer_norm.h"

#include <cmath>

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"

namespace glimpse {

LayerNorm::LayerNorm(int64_t dim, float eps) : dim_(dim), eps_(eps) {
  check(dim > 0, "LayerNorm", "dim must be positive, got " + std::to_string(dim));
  weight = Parameter({dim}, false);
  bias = Parameter({dim}, false);
  weight.value.fill(1.0f);
}

void LayerNorm::forward(const Tensor& x, Tensor& y) {
  check(x.rank() >= 1 && x.cols() == dim_, "LayerNorm",
        "input has shape " + shape_str(x.shape()) + ", expected [..., " + std::to_string(dim_) +
            "]");
  mean_.resize({x.rows()});
  rstd_.resize({x.rows()});
  normalize(x, y, mean_.data(), rstd_.data());
}

void LayerNorm::apply(const Tensor& x, Tensor& y) const {
  check(x.rank() >= 1 && x.cols() == dim_, "LayerNorm",
        "input has shape " + shape_str(x.shape()) + ", expected [..., " + std::to_string(dim_) +
            "]");
  normalize(x, y, nullptr, nullptr);
}

void LayerNorm::normalize(const Tensor& x, Tensor& y, float* mean_out, float* rstd_out) const {
  const int64_t n = x.rows();
  y.resize(x.shape());
  const float* w = weight.value.data();
  const float* b = bias.value.data();
#pragma omp parallel for schedule(static) if (n * dim_ > 32768)
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x.data() + r * dim_;
    float* yr = y.data() + r * dim_;
    // Two passes (mean, then centred variance): robust when |mean| >> std.
    float mean = 0.0f;
    for (int64_t j = 0; j < dim_; ++j) mean += xr[j];
    mean /= static_cast<float>(dim_);
    float var = 0.0f;
    for (int64_t j = 0; j < dim_; ++j) var += (xr[j] - mean) * (xr[j] - mean);
    var /= static_cast<float>(dim_);
    float rstd = 1.0f / std::sqrt(var + eps_);
    if (mean_out) mean_out[r] = mean;
    if (rstd_out) rstd_out[r] = rstd;
    for (int64_t j = 0; j < dim_; ++j) yr[j] = (xr[j] - mean) * rstd * w[j] + b[j];
  }
}

void LayerNorm::backward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  check(dy.shape() == x.shape() && x.cols() == dim_ && mean_.size() == x.rows(),
        "LayerNorm.backward",
        "grad " + shape_str(dy.shape()) + " does not match the last forward's input " +
            shape_str(x.shape()) + " (dim " + std::to_string(dim_) + ")");
  const int64_t n = x.rows();
  dx.resize(x.shape());
  const float* w = weight.value.data();
  float* gw = weight.grad.data();
  float* gb = bias.grad.data();
  // Parameter grads are reductions over rows: done serially so results do not depend on threads.
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x.data() + r * dim_;
    const float* dyr = dy.data() + r * dim_;
    const float mean = mean_[r], rstd = rstd_[r];
    for (int64_t j = 0; j < dim_; ++j) {
      gw[j] += dyr[j] * (xr[j] - mean) * rstd;
      gb[j] += dyr[j];
    }
  }
#pragma omp parallel for schedule(static) if (n * dim_ > 32768)
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x.data() + r * dim_;
    const float* dyr = dy.data() + r * dim_;
    float* dxr = dx.data() + r * dim_;
    const float mean = mean_[r], rstd = rstd_[r];
    // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w.
    float sum_g = 0.0f, sum_gx = 0.0f;
    for (int64_t j = 0; j < dim_; ++j) {
      float g = dyr[j] * w[j];
      float xhat = (xr[j] - mean) * rstd;
      sum_g += g;
      sum_gx += g * xhat;
    }
    const float inv = 1.0f / static_cast<float>(dim_);
    for (int64_t j = 0; j < dim_; ++j) {
      float g = dyr[j] * w[j];
      float xhat = (xr[j] - mean) * rstd;
      dxr[j] = rstd * (g - sum_g * inv - xhat * sum_gx * inv);
    }
  }
}

void LayerNorm::collect(const std::string& prefix, ParameterList& out) {
  out.push_back({prefix + "weight", &weight});
  out.push_back({prefix + "bias", &bias});
}

}  // namespace glimpse
