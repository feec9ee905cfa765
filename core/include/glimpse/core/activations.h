// Element-wise activations and the row softmax, as free forward/backward functions.
#pragma once

#include <cstdint>
#include <string>

#include "glimpse/core/tensor.h"

namespace glimpse {

enum class GeluKind {
  Erf,   // exact: x * Phi(x)                        (torch.nn.functional.gelu default)
  Tanh,  // 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))   (approximate='tanh')
};

const char* gelu_kind_name(GeluKind kind);
GeluKind gelu_kind_from_name(const std::string& name);

void gelu_forward(const Tensor& x, Tensor& y, GeluKind kind);
// The same over n floats: y = gelu(x); y may be x (in place). The inference matmuls' epilogues
// use it, so that every GELU in the engine is this one formula.
void gelu_values(const float* x, float* y, int64_t n, GeluKind kind);
// dx = dy * gelu'(x).
void gelu_backward(const Tensor& x, const Tensor& dy, Tensor& dx, GeluKind kind);

// Softmax along the last dimension, numerically stable (max subtracted).
void softmax_forward(const Tensor& x, Tensor& y);
// Given y = softmax(x) and dy, dx = y * (dy - sum(dy * y)).
void softmax_backward(const Tensor& y, const Tensor& dy, Tensor& dx);

// Row kernels shared with attention. `n` elements; a row whose entries are all -inf gives all
// zeros (not NaN): a query with nothing to attend to attends to nothing.
void softmax_row(const float* x, float* y, int64_t n);
// Softmax of `row` in place over its entries j < limit whose pad[j] is zero (pad may be null):
// the others, causally masked (j >= limit) or padding, get exactly zero weight, and a row with
// no entry left is all zeros. `len` >= `limit` entries.
void masked_softmax_row(float* row, int64_t len, const uint8_t* pad, int64_t limit);
void softmax_row_backward(const float* y, const float* dy, float* dx, int64_t n);
// log(sum_j exp(z_j)) over n >= 1 finite entries, with the maximum subtracted first. The exps
// are simd::fast_exp (max relative error 8.4e-8) summed in double vector lanes: the training
// loss and every decode step's log-softmax over the vocabulary use it.
float log_sum_exp_row(const float* z, int64_t n);

}  // namespace glimpse
