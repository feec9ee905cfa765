// Eigen views over row-major float buffers. Layers do their maths through these maps so that
// Eigen's vectorised kernels (and its GEMM) work directly on the engine's buffers, copying nothing.
#pragma once

#include <Eigen/Core>

#include "glimpse/core/tensor.h"

namespace glimpse {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMatrix>;
using ConstMatMap = Eigen::Map<const RowMatrix>;
using StridedMatMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;
using ConstStridedMatMap = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;
using VecMap = Eigen::Map<Eigen::VectorXf>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXf>;
using RowVecMap = Eigen::Map<Eigen::RowVectorXf>;
using ConstRowVecMap = Eigen::Map<const Eigen::RowVectorXf>;

inline MatMap as_matrix(Tensor& t) { return MatMap(t.data(), t.rows(), t.cols()); }
inline ConstMatMap as_matrix(const Tensor& t) { return ConstMatMap(t.data(), t.rows(), t.cols()); }
inline VecMap as_vector(Tensor& t) { return VecMap(t.data(), t.size()); }
inline ConstVecMap as_vector(const Tensor& t) { return ConstVecMap(t.data(), t.size()); }

}  // namespace glimpse
