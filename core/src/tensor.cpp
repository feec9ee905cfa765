#include "glimpse/core/tensor.h"

#include <algorithm>
#include <cmath>

#include "glimpse/core/error.h"

namespace glimpse {

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {
// Limit: 2^31 elements (8 GiB of floats) per tensor. Anything larger is a corrupt header or a
// mistaken config, not a model that fits this engine.
template <class Dims>
int64_t checked_numel(const Dims& dims) {
  constexpr int64_t kMaxElements = int64_t{1} << 31;
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw Error("tensor: negative dimension in shape " + shape_str(Shape(dims.begin(), dims.end())));
    if (d != 0 && n > kMaxElements / d)
      throw Error("tensor: shape " + shape_str(Shape(dims.begin(), dims.end())) + " has more than 2^31 elements");
    n *= d;
  }
  return n;
}
}  // namespace

int64_t shape_numel(const Shape& shape) { return checked_numel(shape); }

Tensor::Tensor(const Shape& shape, float fill_value) {
  resize(shape);
  fill(fill_value);
}

void Tensor::resize(std::initializer_list<int64_t> shape) {
  const auto n = static_cast<size_t>(checked_numel(shape));
  shape_.assign(shape.begin(), shape.end());  // reuses the shape's capacity: no allocation
  size_ = n;
  if (data_.size() < n) data_.resize(n);
}

void Tensor::resize(const Shape& shape) {
  size_t n = static_cast<size_t>(shape_numel(shape));
  shape_ = shape;
  size_ = n;
  if (data_.size() < n) data_.resize(n);
}

void Tensor::reshape(const Shape& shape) {
  if (shape_numel(shape) != size())
    throw Error("tensor: cannot reshape " + shape_str(shape_) + " to " + shape_str(shape));
  shape_ = shape;
}

void Tensor::fill(float value) { std::fill(data_.begin(), data_.begin() + size_, value); }

bool Tensor::all_finite() const {
  const float* p = data();
  bool ok = true;
  for (size_t i = 0; i < size_; ++i) ok &= std::isfinite(p[i]);
  return ok;
}

}  // namespace glimpse
