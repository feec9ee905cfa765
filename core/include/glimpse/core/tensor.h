// Tensor: a row-major float32 buffer with a shape. The engine's only data type.
//
// Layers view tensors as matrices through Eigen maps (see eigen_maps.h); a tensor of shape
// [B, L, d] is, for every layer that works row-wise, simply a [B*L, d] matrix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "glimpse/core/aligned_allocator.h"

namespace glimpse {

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(const Shape& shape, float fill = 0.0f);
  Tensor(std::initializer_list<int64_t> shape, float fill = 0.0f) : Tensor(Shape(shape), fill) {}

  // Changes the shape; keeps the allocation when it is large enough, so re-running a layer
  // with the same or smaller sizes never touches the heap. Contents are unspecified after.
  void resize(const Shape& shape);
  void resize(std::initializer_list<int64_t> shape);
  // Changes the shape without touching the data; the element count must stay the same.
  void reshape(const Shape& shape);

  void fill(float value);
  void zero() { fill(0.0f); }

  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t size() const { return static_cast<int64_t>(size_); }
  bool empty() const { return size_ == 0; }

  // Rows and columns when the tensor is read as a matrix: the last dimension is the columns,
  // all others fold into rows.
  int64_t cols() const { return shape_.empty() ? 1 : shape_.back(); }
  int64_t rows() const { return cols() == 0 ? 0 : size() / cols(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](int64_t i) { return data_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return data_[static_cast<size_t>(i)]; }

  // True when every element is finite.
  bool all_finite() const;

 private:
  Shape shape_;
  size_t size_ = 0;
  std::vector<float, AlignedAllocator<float>> data_;
};

int64_t shape_numel(const Shape& shape);

}  // namespace glimpse
