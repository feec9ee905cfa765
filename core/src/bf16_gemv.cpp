#include "bf16_gemv.h"

#include "bf16_round.h"
#include "split_threshold.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "glimpse/core/activations.h"
#include "glimpse/core/threads.h"

#define GLIMPSE_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

namespace glimpse::detail {
namespace {

constexpr int64_t kBlock = 16;  // outputs per 512-bit accumulator
// B output blocks at once, sharing each broadcast x pair; two accumulators per block (even and
// odd pairs) so 2B vdpbf16ps chains run independently. Writes y[0, min(n, 16 B)).
template <int B>
GLIMPSE_AVX512_BF16 void blocks_kernel(const uint16_t* w, const uint16_t* x, int64_t pairs,
                                       const float* bias, bool accumulate, float* y, int64_t n) {
  const int64_t stride = pairs * 32;  // uint16 per block
  __m512 a0[B], a1[B];
  for (int b = 0; b < B; ++b) a0[b] = a1[b] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 2 <= pairs; k += 2) {
    int32_t p0, p1;
    std::memcpy(&p0, x + 2 * k, 4);
    std::memcpy(&p1, x + 2 * k + 2, 4);
    const __m512bh x0 = (__m512bh)_mm512_set1_epi32(p0);
    const __m512bh x1 = (__m512bh)_mm512_set1_epi32(p1);
    for (int b = 0; b < B; ++b) {
      const uint16_t* wb = w + b * stride + k * 32;
      a0[b] = _mm512_dpbf16_ps(a0[b], (__m512bh)_mm512_load_si512(wb), x0);
      a1[b] = _mm512_dpbf16_ps(a1[b], (__m512bh)_mm512_load_si512(wb + 32), x1);
    }
  }
  if (k < pairs) {
    int32_t p0;
    std::memcpy(&p0, x + 2 * k, 4);
    const __m512bh x0 = (__m512bh)_mm512_set1_epi32(p0);
    for (int b = 0; b < B; ++b)
      a0[b] = _mm512_dpbf16_ps(a0[b], (__m512bh)_mm512_load_si512(w + b * stride + k * 32), x0);
  }
  for (int b = 0; b < B; ++b) {
    const int64_t left = n - b * kBlock;
    if (left <= 0) break;
    const __mmask16 m = left >= kBlock ? __mmask16(0xffff) : __mmask16((1u << left) - 1u);
    __m512 v = _mm512_add_ps(a0[b], a1[b]);
    if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + b * kBlock));
    if (accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + b * kBlock), v);
    _mm512_mask_storeu_ps(y + b * kBlock, m, v);
  }
}

// Output blocks [b0, b1).
GLIMPSE_AVX512_BF16 void run_blocks(const uint16_t* packed, int64_t pairs, int64_t out, int64_t b0,
                                    int64_t b1, const uint16_t* x, const float* bias, bool accumulate,
                                    float* y) {
  const int64_t stride = pairs * 32;
  int64_t b = b0;
  for (; b + 4 <= b1; b += 4)
    blocks_kernel<4>(packed + b * stride, x, pairs, bias ? bias + b * kBlock : nullptr, accumulate,
                     y + b * kBlock, out - b * kBlock);
  const float* bb = bias ? bias + b * kBlock : nullptr;
  const uint16_t* wb = packed + b * stride;
  switch (b1 - b) {
    case 3: blocks_kernel<3>(wb, x, pairs, bb, accumulate, y + b * kBlock, out - b * kBlock); break;
    case 2: blocks_kernel<2>(wb, x, pairs, bb, accumulate, y + b * kBlock, out - b * kBlock); break;
    case 1: blocks_kernel<1>(wb, x, pairs, bb, accumulate, y + b * kBlock, out - b * kBlock); break;
    default: break;
  }
}

}  // namespace

bool bf16_gemv_supported() { return cpu_has_avx512_bf16_instructions(); }

Bf16Gemv::Bf16Gemv(const uint16_t* weight, int64_t out, int64_t in)
    : out_(out), pairs_((in + 1) / 2), blocks_((out + kBlock - 1) / kBlock) {
  const size_t count = static_cast<size_t>(blocks_ * pairs_ * kBlock * 2);
  const size_t bytes = (count * sizeof(uint16_t) + 63) / 64 * 64;
  packed_.reset(static_cast<uint16_t*>(std::aligned_alloc(64, bytes)));
  if (!packed_) throw std::bad_alloc();
  uint16_t* p = packed_.get();
  std::memset(p, 0, bytes);
  // [block][pair][16][2]: element (o, i) at ((o/16 * pairs + i/2) * 16 + o%16) * 2 + i%2.
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i)
      p[((o / kBlock * pairs_ + i / 2) * kBlock + o % kBlock) * 2 + i % 2] = weight[o * in + i];
}

void Bf16Gemv::apply(const uint16_t* x, const float* bias, LinearEpilogue epilogue, float* y) const {
  const bool accumulate = epilogue == LinearEpilogue::Accumulate;
  const bool gelu = epilogue == LinearEpilogue::GeluErf || epilogue == LinearEpilogue::GeluTanh;
  const int threads = num_threads();
  // Read by the OpenMP if clause below (cppcheck does not see pragmas).
  // cppcheck-suppress unreadVariable
  const bool parallel = threads > 1 && out_ * pairs_ * 2 >= kParallelMinWeights && !omp_in_parallel();
  // A static split of the blocks: thread t always gets the same ones.
#pragma omp parallel num_threads(threads) if (parallel)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t b0 = blocks_ * t / nt, b1 = blocks_ * (t + 1) / nt;
    if (b0 < b1) {
      run_blocks(packed_.get(), pairs_, out_, b0, b1, x, bias, accumulate, y);
      if (gelu) {
        float* at = y + b0 * kBlock;
        gelu_values(at, at, std::min(out_, b1 * kBlock) - b0 * kBlock,
                    epilogue == LinearEpilogue::GeluErf ? GeluKind::Erf : GeluKind::Tanh);
      }
    }
  }
}

}  // namespace glimpse::detail
