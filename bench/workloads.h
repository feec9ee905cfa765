// Timed workloads at the model's shapes, shared by `glimpse bench` and the Google Benchmark
// programs: GEMMs on both backends, attention and a decoder block, forward and backward.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "glimpse/core/gemm.h"
#include "glimpse/core/transformer_blocks.h"

namespace glimpse::bench {

// The shapes one training step of a decoder block (and the patch encoder) multiplies.
struct GemmCase {
  std::string name;
  int64_t M, N, K;
  bool trans_a, trans_b;
  double flops() const { return 2.0 * static_cast<double>(M) * N * K; }
};

struct BlockWorkload {
  BlockConfig config;
  int64_t batch = 32;
  int64_t len_t = 16;  // caption tokens
  int64_t len_m = 64;  // memory rows (image patches)
  int64_t vocab = 1000;
};

std::vector<GemmCase> model_gemm_cases(const BlockWorkload& w);

// Median wall-clock seconds of one call of `fn` over repeated runs lasting about
// `min_seconds` in all (after one warm-up call).
double seconds_per_call(const std::function<void()>& fn, double min_seconds);

// Median wall-clock seconds of one call of each of `measures`, timed in alternating rounds
// (every round calls each measure once, in order) for at least `min_seconds` per measure and
// at least 3 rounds, after one warm-up call each: on a busy machine every measure then sees the
// same stretch of load (bench/peer_timing.py, the peers' protocol). The median is the
// conventional one: the middle sample of an odd count, the mean of the two middle samples of an
// even count. Defined in caption_workloads.cpp; used by `glimpse bench --caption` and
// `glimpse bench --throughput`.
std::vector<double> median_seconds_of_rounds(const std::vector<std::function<void()>>& measures,
                                             double min_seconds);

double time_gemm(GemmBackend backend, const GemmCase& c, double min_seconds);

struct PassTimes {
  double forward_ms = 0.0;
  double backward_ms = 0.0;
};

// Cross-attention of len_t queries over len_m memory rows, batch `batch`.
PassTimes time_cross_attention(const BlockWorkload& w, double min_seconds);
// One pre-LN decoder block (causal self-attention, cross-attention, FFN), training mode.
PassTimes time_decoder_block(const BlockWorkload& w, double min_seconds);

// FLOPs of one decoder block forward (GEMMs and attention products; backward is ~2x).
double decoder_block_forward_flops(const BlockWorkload& w);

}  // namespace glimpse::bench
