#include "workloads.h"

#include <algorithm>
#include <chrono>

#include "glimpse/core/attention.h"
#include "glimpse/core/random.h"

namespace glimpse::bench {
namespace {

Tensor random_tensor(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.normal();
  return t;
}

}  // namespace

std::vector<GemmCase> model_gemm_cases(const BlockWorkload& w) {
  const int64_t d = w.config.d_model, h = w.config.d_hidden;
  const int64_t t = w.batch * w.len_t, m = w.batch * w.len_m;
  return {
      {"qkv projection      x·W^T", t, 3 * d, d, false, true},
      {"memory K/V          M·W^T", m, 2 * d, d, false, true},
      {"FFN up              x·W1^T", t, h, d, false, true},
      {"FFN down            h·W2^T", t, d, h, false, true},
      {"FFN up grad         dy^T·x", h, d, t, true, false},
      {"FFN down input grad dy·W2", t, h, d, false, false},
      {"encoder FFN up      P·W1^T", m, h, d, false, true},
      {"vocab logits        x·E^T", t, w.vocab, d, false, true},
  };
}

double seconds_per_call(const std::function<void()>& fn, double min_seconds) {
  using clock = std::chrono::steady_clock;
  fn();  // warm-up: first-touch allocations, caches, thread pool start
  std::vector<double> samples;
  const auto start = clock::now();
  do {
    const auto t0 = clock::now();
    fn();
    samples.push_back(std::chrono::duration<double>(clock::now() - t0).count());
  } while (std::chrono::duration<double>(clock::now() - start).count() < min_seconds ||
           samples.size() < 3);
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

double time_gemm(GemmBackend backend, const GemmCase& c, double min_seconds) {
  Rng rng(1);
  Tensor a = random_tensor({c.M * c.K}, rng), b = random_tensor({c.K * c.N}, rng),
         out({c.M * c.N});
  const int64_t lda = c.trans_a ? c.M : c.K, ldb = c.trans_b ? c.K : c.N;
  return seconds_per_call(
      [&] {
        gemm_with(backend, c.trans_a, c.trans_b, c.M, c.N, c.K, 1.0f, a.data(), lda, b.data(), ldb,
                  0.0f, out.data(), c.N);
      },
      min_seconds);
}

PassTimes time_cross_attention(const BlockWorkload& w, double min_seconds) {
  const int64_t d = w.config.d_model;
  Rng rng(2);
  MultiHeadAttention attn(d, w.config.num_heads);
  attn.init(rng);
  Tensor x = random_tensor({w.batch * w.len_t, d}, rng);
  Tensor mem = random_tensor({w.batch * w.len_m, d}, rng);
  Tensor dy = random_tensor({w.batch * w.len_t, d}, rng);
  Tensor y, dx, dmem;
  AttentionMask mask;
  PassTimes t;
  t.forward_ms = 1e3 * seconds_per_call(
                           [&] { attn.forward(x, mem, w.batch, w.len_t, w.len_m, mask, y); },
                           min_seconds);
  t.backward_ms = 1e3 * seconds_per_call([&] { attn.backward(x, mem, dy, &dx, &dmem); }, min_seconds);
  return t;
}

PassTimes time_decoder_block(const BlockWorkload& w, double min_seconds) {
  const int64_t d = w.config.d_model;
  Rng rng(3);
  DecoderBlock block(w.config);
  block.init(rng);
  Tensor x = random_tensor({w.batch * w.len_t, d}, rng);
  Tensor mem = random_tensor({w.batch * w.len_m, d}, rng);
  Tensor dy = random_tensor({w.batch * w.len_t, d}, rng);
  Tensor y, dx, dmem({w.batch * w.len_m, d});
  PassTimes t;
  t.forward_ms =
      1e3 * seconds_per_call(
                [&] { block.forward(x, mem, w.batch, w.len_t, w.len_m, nullptr, y, true); },
                min_seconds);
  t.backward_ms =
      1e3 * seconds_per_call([&] { block.backward(x, mem, dy, dx, &dmem); }, min_seconds);
  return t;
}

double decoder_block_forward_flops(const BlockWorkload& w) {
  const double d = static_cast<double>(w.config.d_model), h = static_cast<double>(w.config.d_hidden);
  const double t = static_cast<double>(w.batch * w.len_t), m = static_cast<double>(w.batch * w.len_m);
  const double lt = static_cast<double>(w.len_t), lm = static_cast<double>(w.len_m);
  double f = 0.0;
  f += 2 * t * d * 3 * d + 2 * t * d * d;             // self-attention projections
  f += 2 * 2 * t * lt * d;                            // QK^T and PV
  f += 2 * t * d * d + 2 * m * d * 2 * d + 2 * t * d * d;  // cross projections
  f += 2 * 2 * t * lm * d;                            // cross QK^T and PV
  f += 2 * t * d * h * 2;                             // FFN
  return f;
}

}  // namespace glimpse::bench
