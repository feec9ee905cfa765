#include "glimpse/core/linear.h"

#include <cmath>

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"
#include "glimpse/core/gemm.h"

namespace glimpse {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias)
    : in_(in_features), out_(out_features), has_bias_(bias) {
  check(in_features > 0 && out_features > 0, "Linear",
        "features must be positive, got in=" + std::to_string(in_features) +
            " out=" + std::to_string(out_features));
  weight = Parameter({out_features, in_features}, true);
  if (bias) this->bias = Parameter({out_features}, false);
}

void Linear::init(Rng& rng) {
  float bound = 1.0f / std::sqrt(static_cast<float>(in_));
  init_uniform(weight, rng, bound);
  if (has_bias_) init_uniform(bias, rng, bound);
}

void Linear::forward(const Tensor& x, Tensor& y) const {
  check(x.rank() >= 1 && x.cols() == in_, "Linear",
        "input has shape " + shape_str(x.shape()) + ", expected [..., " + std::to_string(in_) + "]");
  Shape out_shape = x.shape();
  out_shape.back() = out_;
  y.resize(out_shape);
  const int64_t n = x.rows();
  if (has_bias_) {
    as_matrix(y).rowwise() = ConstRowVecMap(bias.value.data(), out_);
    gemm(false, true, n, out_, in_, 1.0f, x.data(), in_, weight.value.data(), in_, 1.0f, y.data(),
         out_);
  } else {
    gemm(false, true, n, out_, in_, 1.0f, x.data(), in_, weight.value.data(), in_, 0.0f, y.data(),
         out_);
  }
}

void Linear::backward(const Tensor& x, const Tensor& dy, Tensor* dx) {
  check(x.cols() == in_ && dy.cols() == out_ && dy.rows() == x.rows(), "Linear.backward",
        "grad has shape " + shape_str(dy.shape()) + " for input " + shape_str(x.shape()) +
            " with in_features " + std::to_string(in_) + " and out_features " +
            std::to_string(out_));
  const int64_t n = x.rows();
  // dW[out, in] += dy^T x ; db += column sums of dy ; dx = dy W.
  gemm(true, false, out_, in_, n, 1.0f, dy.data(), out_, x.data(), in_, 1.0f, weight.grad.data(),
       in_);
  if (has_bias_) as_vector(bias.grad) += as_matrix(dy).colwise().sum().transpose();
  if (dx) {
    dx->resize(x.shape());
    gemm(false, false, n, in_, out_, 1.0f, dy.data(), out_, weight.value.data(), in_, 0.0f,
         dx->data(), in_);
  }
}

void Linear::collect(const std::string& prefix, ParameterList& out) {
  out.push_back({prefix + "weight", &weight});
  if (has_bias_) out.push_back({prefix + "bias", &bias});
}

}  // namespace glimpse
