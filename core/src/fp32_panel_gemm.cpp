#include "fp32_panel_gemm.h"
#include "split_threshold.h"

#include <immintrin.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstring>
#include <new>

#include "glimpse/core/activations.h"
#include "glimpse/core/threads.h"

namespace glimpse::detail {
namespace {

constexpr int64_t kPanel = 16;    // outputs per panel: two 256-bit accumulators per row
constexpr int kMaxTileRows = 6;   // rows x panels <= 6: 12 accumulators + 2 weights + 1 x

// R rows x P panels of y. Every output is acc = fma(x[k], w[k], acc) for k = 0 .. in-1 from
// zero, then + bias, then + y (Accumulate): the same operations in the same order for every
// (R, P), so a row's result does not depend on the tile it fell in. P > 1 serves few rows: the
// FMA latency needs about 10 independent chains, which one row over one panel (2) lacks.
template <int R, int P>
void tile(const float* panels, int64_t in, const float* x, const float* bias, bool accumulate,
          float* y, int64_t out, int64_t col0) {
  __m256 acc[R][P][2];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) acc[r][p][0] = acc[r][p][1] = _mm256_setzero_ps();
  const int64_t stride = in * kPanel;  // floats per panel
  for (int64_t k = 0; k < in; ++k) {
    __m256 w[P][2];
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      w[p][0] = _mm256_load_ps(panels + p * stride + k * kPanel);
      w[p][1] = _mm256_load_ps(panels + p * stride + k * kPanel + 8);
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 xv = _mm256_broadcast_ss(x + r * in + k);
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) {
        acc[r][p][0] = _mm256_fmadd_ps(xv, w[p][0], acc[r][p][0]);
        acc[r][p][1] = _mm256_fmadd_ps(xv, w[p][1], acc[r][p][1]);
      }
    }
  }
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const int64_t c = col0 + p * kPanel + 8 * h;
      const int64_t left = out - c;  // valid outputs from here on: a tail panel has fewer
      if (left <= 0) continue;
      const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<int64_t>(left, 8))),
                                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      const __m256 b = bias ? _mm256_load_ps(bias + c) : _mm256_setzero_ps();
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        float* dst = y + r * out + c;
        __m256 v = acc[r][p][h];
        if (bias) v = _mm256_add_ps(v, b);
        if (accumulate) v = _mm256_add_ps(_mm256_maskload_ps(dst, mask), v);
        _mm256_maskstore_ps(dst, mask, v);
      }
    }
}

using TileFn = void (*)(const float*, int64_t, const float*, const float*, bool, float*, int64_t, int64_t);

// tile<R, P> for R rows and up to kMaxTileRows / R panels at once.
TileFn tile_for(int rows, int panels) {
  switch (rows) {
    case 1: {
      constexpr TileFn f[] = {tile<1, 1>, tile<1, 2>, tile<1, 3>, tile<1, 4>, tile<1, 5>, tile<1, 6>};
      return f[panels - 1];
    }
    case 2: {
      constexpr TileFn f[] = {tile<2, 1>, tile<2, 2>, tile<2, 3>};
      return f[panels - 1];
    }
    case 3: {
      constexpr TileFn f[] = {tile<3, 1>, tile<3, 2>};
      return f[panels - 1];
    }
    case 4: return tile<4, 1>;
    case 5: return tile<5, 1>;
    default: return tile<6, 1>;
  }
}

// Panels [p0, p1) of every row, kMaxTileRows panels at a time (at most 6 x 16 x in weights,
// which stay in L2 while every row block passes over them; rows outermost would stream all of
// W from L3 for every 6 rows once W outgrows L2, as the 192 x 768 feed-forward weights do).
void run_panels(const float* packed, const float* bias, int64_t in, int64_t out, int64_t p0,
                int64_t p1, const float* x, int64_t rows, bool accumulate, float* y) {
  for (int64_t g0 = p0; g0 < p1; g0 += kMaxTileRows) {
    const int64_t g1 = std::min<int64_t>(p1, g0 + kMaxTileRows);
    for (int64_t r = 0; r < rows; r += kMaxTileRows) {
      const int rows_here = static_cast<int>(std::min<int64_t>(kMaxTileRows, rows - r));
      const int64_t step = std::max(1, kMaxTileRows / rows_here);
      for (int64_t p = g0; p < g1; p += step) {
        const int panels_here = static_cast<int>(std::min(step, g1 - p));
        tile_for(rows_here, panels_here)(packed + p * in * kPanel, in, x + r * in, bias, accumulate,
                                         y + r * out, out, p * kPanel);
      }
    }
  }
}

}  // namespace

bool fp32_panel_gemm_preferred() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (isa & core) != core;  // nested bit sets, as in precision.cpp
}

Fp32PanelGemm::Fp32PanelGemm(const float* weight, const float* bias, int64_t out, int64_t in)
    : out_(out), in_(in), panels_((out + kPanel - 1) / kPanel) {
  const auto aligned = [](size_t floats) {
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    auto* p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, bytes);
    return p;
  };
  packed_.reset(aligned(static_cast<size_t>(panels_ * in_ * kPanel)));
  float* p = packed_.get();
  // [panel][k][16]: element (o, k) at (o/16 * in + k) * 16 + o%16.
  for (int64_t o = 0; o < out; ++o)
    for (int64_t k = 0; k < in; ++k) p[(o / kPanel * in + k) * kPanel + o % kPanel] = weight[o * in + k];
  if (bias) {
    bias_.reset(aligned(static_cast<size_t>(panels_ * kPanel)));
    std::copy(bias, bias + out, bias_.get());
  }
}

void Fp32PanelGemm::apply(const float* x, int64_t rows, LinearEpilogue epilogue, float* y) const {
  if (rows <= 0) return;
  const bool accumulate = epilogue == LinearEpilogue::Accumulate;
  const bool gelu = epilogue == LinearEpilogue::GeluErf || epilogue == LinearEpilogue::GeluTanh;
  const int threads = num_threads();
  // Read by the OpenMP if clause below (cppcheck does not see pragmas).
  // cppcheck-suppress unreadVariable
  const bool parallel = threads > 1 && panels_ > 1 && out_ * in_ >= kParallelMinWeights && !omp_in_parallel();
  // A static split of the panels: thread t always gets the same ones.
#pragma omp parallel num_threads(threads) if (parallel)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t p0 = panels_ * t / nt, p1 = panels_ * (t + 1) / nt;
    if (p0 < p1) {
      run_panels(packed_.get(), bias_.get(), in_, out_, p0, p1, x, rows, accumulate, y);
      if (gelu) {
        const int64_t c0 = p0 * kPanel, c1 = std::min(out_, p1 * kPanel);
        const GeluKind kind = epilogue == LinearEpilogue::GeluErf ? GeluKind::Erf : GeluKind::Tanh;
        for (int64_t r = 0; r < rows; ++r) gelu_values(y + r * out_ + c0, y + r * out_ + c0, c1 - c0, kind);
      }
    }
  }
}

}  // namespace glimpse::detail
