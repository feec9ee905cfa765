#include "glimpse/core/layer_norm.h"

#include <omp.h>

#include <algorithm>
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

void LayerNorm::check_input(const Tensor& x) const {
  check_lazily(x.rank() >= 1 && x.cols() == dim_, "LayerNorm", [&] {
    return "input has shape " + shape_str(x.shape()) + ", expected [..., " + std::to_string(dim_) + "]";
  });
}

void LayerNorm::forward(const Tensor& x, Tensor& y) {
  check_input(x);
  mean_.resize({x.rows()});
  rstd_.resize({x.rows()});
  normalize(x, y, mean_.data(), rstd_.data());
}

void LayerNorm::apply(const Tensor& x, Tensor& y) const {
  check_input(x);
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
    // Mean and variance in one vectorised pass over the row, on data shifted by its first
    // element (the "shifted data" algorithm): sums of (x - s) and (x - s)^2 stay as accurate
    // as the two-pass centred sums when |mean| >> std, since s is within a few std of the mean.
    const float shift = xr[0];
    float s1 = 0.0f, s2 = 0.0f;
#pragma omp simd reduction(+ : s1, s2)
    for (int64_t j = 0; j < dim_; ++j) {
      const float d = xr[j] - shift;
      s1 += d;
      s2 += d * d;
    }
    const float inv_n = 1.0f / static_cast<float>(dim_);
    const float dmean = s1 * inv_n;
    const float var = std::max(0.0f, s2 * inv_n - dmean * dmean);
    const float mean = shift + dmean;
    const float rstd = 1.0f / std::sqrt(var + eps_);
    if (mean_out) mean_out[r] = mean;
    if (rstd_out) rstd_out[r] = rstd;
#pragma omp simd
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
  const float inv = 1.0f / static_cast<float>(dim_);
  // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w, per row.
  auto input_grad_row = [&](int64_t r) {
    const float* xr = x.data() + r * dim_;
    const float* dyr = dy.data() + r * dim_;
    float* dxr = dx.data() + r * dim_;
    const float mean = mean_[r], rstd = rstd_[r];
    float sum_g = 0.0f, sum_gx = 0.0f;
#pragma omp simd reduction(+ : sum_g, sum_gx)
    for (int64_t j = 0; j < dim_; ++j) {
      const float g = dyr[j] * w[j];
      const float xhat = (xr[j] - mean) * rstd;
      sum_g += g;
      sum_gx += g * xhat;
    }
    const float a = sum_g * inv, c = sum_gx * inv;
#pragma omp simd
    for (int64_t j = 0; j < dim_; ++j) {
      const float g = dyr[j] * w[j];
      const float xhat = (xr[j] - mean) * rstd;
      dxr[j] = rstd * (g - a - xhat * c);
    }
  };
  // Parameter grads are reductions over rows, added in row order on one thread whatever the
  // thread count, so results do not depend on threads.
  auto param_grad_row = [&](int64_t r) {
    const float* xr = x.data() + r * dim_;
    const float* dyr = dy.data() + r * dim_;
    const float mean = mean_[r], rstd = rstd_[r];
#pragma omp simd
    for (int64_t j = 0; j < dim_; ++j) {
      gw[j] += dyr[j] * (xr[j] - mean) * rstd;
      gb[j] += dyr[j];
    }
  };
  const bool parallel = n * dim_ > 32768 && omp_get_max_threads() > 1 && !omp_in_parallel();
  if (!parallel) {  // one pass over the rows, each row read once while in L1
    for (int64_t r = 0; r < n; ++r) {
      param_grad_row(r);
      input_grad_row(r);
    }
    return;
  }
  for (int64_t r = 0; r < n; ++r) param_grad_row(r);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < n; ++r) input_grad_row(r);
}

void LayerNorm::collect(const std::string& prefix, ParameterList& out) {
  out.push_back({prefix + "weight", &weight});
  out.push_back({prefix + "bias", &bias});
}

}  // namespace glimpse
