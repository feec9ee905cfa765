#include "glimpse/core/activations.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <unsupported/Eigen/SpecialFunctions>
#include <limits>

#include "glimpse/core/error.h"
#include "simd_math.h"

namespace glimpse {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kInvSqrt2 = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;
constexpr float kTanhCubic = 0.044715f;

void check_same(const Tensor& a, const Tensor& b, const char* where) {
  check(a.shape() == b.shape(), where,
        "shapes differ: " + shape_str(a.shape()) + " vs " + shape_str(b.shape()));
}

}  // namespace

const char* gelu_kind_name(GeluKind kind) { return kind == GeluKind::Tanh ? "tanh" : "erf"; }

GeluKind gelu_kind_from_name(const std::string& name) {
  if (name == "erf" || name == "none" || name == "exact") return GeluKind::Erf;
  if (name == "tanh") return GeluKind::Tanh;
  throw Error("GELU: unknown kind '" + name + "' (expected 'erf' or 'tanh')");
}

// Element-wise maps run over chunks, each through Eigen's vectorised erf/exp/tanh (plain
// std::erf is a scalar libm call: ~50x slower, and GELU was a tenth of a training step). Eigen's
// float erf is a rational approximation within 1.5e-6 of the exact GELU output (checked
// against double precision in tests/test_layers.cpp), far below the GEMMs' rounding.
namespace {

template <typename Body>
void for_chunks(int64_t n, Body body) {
  constexpr int64_t kChunk = 16384;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t c = 0; c < chunks; ++c) body(c * kChunk, std::min(kChunk, n - c * kChunk));
}

using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

}  // namespace

void gelu_values(const float* x, float* y, int64_t n, GeluKind kind) {
  const ConstArrayMap v(x, n);
  ArrayMap out(y, n);  // coefficient-wise: y == x is fine
  if (kind == GeluKind::Erf) out = 0.5f * v * (1.0f + (v * kInvSqrt2).erf());
  else out = 0.5f * v * (1.0f + (kSqrt2OverPi * (v + kTanhCubic * v.cube())).tanh());
}

void gelu_forward(const Tensor& x, Tensor& y, GeluKind kind) {
  y.resize(x.shape());
  const float* xp = x.data();
  float* yp = y.data();
  for_chunks(x.size(), [&](int64_t at, int64_t len) { gelu_values(xp + at, yp + at, len, kind); });
}

void gelu_backward(const Tensor& x, const Tensor& dy, Tensor& dx, GeluKind kind) {
  check_same(x, dy, "GELU.backward");
  dx.resize(x.shape());
  const float* xp = x.data();
  const float* dyp = dy.data();
  float* dxp = dx.data();
  for_chunks(x.size(), [&](int64_t at, int64_t len) {
    const ConstArrayMap v(xp + at, len), g(dyp + at, len);
    ArrayMap out(dxp + at, len);
    if (kind == GeluKind::Erf) {
      // d/dx [x Phi(x)] = Phi(x) + x phi(x)
      out = g * (0.5f * (1.0f + (v * kInvSqrt2).erf()) + v * (kInvSqrt2Pi * (-0.5f * v.square()).exp()));
    } else {
      const Eigen::ArrayXf t = (kSqrt2OverPi * (v + kTanhCubic * v.cube())).tanh();
      out = g * (0.5f * (1.0f + t) +
                 0.5f * v * (1.0f - t.square()) * (kSqrt2OverPi * (1.0f + 3.0f * kTanhCubic * v.square())));
    }
  });
}

// exp is simd::fast_exp (max relative error 8.4e-8, exactly 0 below -87.3): the loops
// vectorise instead of calling libm's expf once per element. Both masks are applied in the same
// passes as the max and the sum.
float log_sum_exp_row(const float* z, int64_t n) {
  float mx = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : mx)
  for (int64_t j = 0; j < n; ++j) mx = z[j] > mx ? z[j] : mx;
  double sum = 0.0;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < n; ++j) sum += static_cast<double>(simd::fast_exp(z[j] - mx));
  // sum >= 1, not the 0 cppcheck fears: the largest entry adds exp(0) (n >= 1).
  // cppcheck-suppress invalidFunctionArg
  return mx + static_cast<float>(std::log(sum));
}

void masked_softmax_row(float* row, int64_t len, const uint8_t* pad, int64_t limit) {
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  float mx = kNegInf;
  if (pad) {
#pragma omp simd reduction(max : mx)
    for (int64_t j = 0; j < limit; ++j) {
      const float v = pad[j] ? kNegInf : row[j];
      mx = v > mx ? v : mx;
    }
  } else {
#pragma omp simd reduction(max : mx)
    for (int64_t j = 0; j < limit; ++j) mx = row[j] > mx ? row[j] : mx;
  }
  // No entry left (all masked or all -inf). Not `mx == -inf`: OpenMP starts each lane of a max
  // reduction at the type's least finite value (clang does; GCC uses -inf), so such a row
  // reduces to -FLT_MAX.
  if (!(mx > std::numeric_limits<float>::lowest())) {
    std::fill(row, row + len, 0.0f);
    return;
  }
  float sum = 0.0f;
  if (pad) {
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < limit; ++j) {
      const float e = pad[j] ? 0.0f : simd::fast_exp(row[j] - mx);
      row[j] = e;
      sum += e;
    }
  } else {
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < limit; ++j) {
      const float e = simd::fast_exp(row[j] - mx);
      row[j] = e;
      sum += e;
    }
  }
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int64_t j = 0; j < limit; ++j) row[j] *= inv;
  std::fill(row + limit, row + len, 0.0f);
}

void softmax_row(const float* x, float* y, int64_t n) {
  if (x != y) std::copy_n(x, n, y);
  masked_softmax_row(y, n, nullptr, n);
}

void softmax_row_backward(const float* y, const float* dy, float* dx, int64_t n) {
  float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
  for (int64_t j = 0; j < n; ++j) dot += y[j] * dy[j];
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) dx[j] = y[j] * (dy[j] - dot);
}

void softmax_forward(const Tensor& x, Tensor& y) {
  y.resize(x.shape());
  const int64_t rows = x.rows(), cols = x.cols();
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
  for (int64_t r = 0; r < rows; ++r) softmax_row(x.data() + r * cols, y.data() + r * cols, cols);
}

void softmax_backward(const Tensor& y, const Tensor& dy, Tensor& dx) {
  check_same(y, dy, "Softmax.backward");
  dx.resize(y.shape());
  const int64_t rows = y.rows(), cols = y.cols();
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
  for (int64_t r = 0; r < rows; ++r)
    softmax_row_backward(y.data() + r * cols, dy.data() + r * cols, dx.data() + r * cols, cols);
}

}  // namespace glimpse
