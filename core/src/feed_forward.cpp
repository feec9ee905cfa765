#include "glimpse/core/feed_forward.h"

namespace glimpse {

FeedForward::FeedForward(int64_t d_model, int64_t d_hidden, GeluKind gelu, float dropout,
                         uint64_t seed)
    : linear1(d_model, d_hidden), linear2(d_hidden, d_model), gelu_(gelu), dropout_(dropout, seed) {}

void FeedForward::init(Rng& rng) {
  linear1.init(rng);
  linear2.init(rng);
}

void FeedForward::forward(const Tensor& x, Tensor& y, bool training) {
  linear1.forward(x, hidden_);
  gelu_forward(hidden_, activated_, gelu_);
  dropout_.forward(activated_, dropped_, training);
  linear2.forward(dropped_, y);
}

void FeedForward::backward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  linear2.backward(dropped_, dy, &d_dropped_);
  dropout_.backward(d_dropped_, d_activated_);
  gelu_backward(hidden_, d_activated_, d_hidden_, gelu_);
  linear1.backward(x, d_hidden_, &dx);
}

void FeedForward::apply(const Tensor& x, Tensor& y, Tensor& hidden) const {
  linear1.forward(x, hidden);
  gelu_forward(hidden, hidden, gelu_);
  linear2.forward(hidden, y);
}

void FeedForward::collect(const std::string& prefix, ParameterList& out) {
  linear1.collect(prefix + "linear1.", out);
  linear2.collect(prefix + "linear2.", out);
}

}  // namespace glimpse
