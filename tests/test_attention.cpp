// Invariants of MultiHeadAttention: probability rows, masking, cached decoding, empty and
// fully padded contexts, thread-count independence, batch independence.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "glimpse/core/attention.h"
#include "glimpse/core/parameter.h"
#include "glimpse/core/random.h"
#include "glimpse/core/tensor.h"
#include "glimpse/core/threads.h"
#include "glimpse/core/transformer_blocks.h"
#include "test_util.h"

namespace glimpse {
namespace {

using glimpse::testing::max_abs;
using glimpse::testing::max_abs_diff;
using glimpse::testing::random_tensor;

// Attention with random parameters, biases included (init() zeroes them).
MultiHeadAttention make_attention(int64_t d, int64_t heads, uint64_t seed) {
  Rng rng(seed);
  MultiHeadAttention mha(d, heads);
  mha.init(rng);
  ParameterList params;
  mha.collect("", params);
  for (const auto& np : params)
    for (int64_t i = 0; i < np.param->value.size(); ++i) np.param->value[i] += 0.1f * rng.normal();
  return mha;
}

// Rows [b*len + first, b*len + first + count) of every batch element b of x ([B*len, d]).
Tensor take_rows(const Tensor& x, int64_t batch, int64_t len, int64_t first, int64_t count) {
  const int64_t d = x.cols();
  Tensor out({batch * count, d});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < count; ++i)
      for (int64_t e = 0; e < d; ++e)
        out[(b * count + i) * d + e] = x[(b * len + first + i) * d + e];
  return out;
}

// Whether key j is visible to query i of batch b under `mask`.
bool visible(const AttentionMask& mask, int64_t len_k, int64_t b, int64_t i, int64_t j) {
  if (mask.key_padding && mask.key_padding[b * len_k + j]) return false;
  if (mask.causal && j > mask.query_offset + i) return false;
  return true;
}

// Every row of P sums to 1 (or is all zero when nothing is visible); masked entries are exactly
// 0.0f, visible ones strictly positive.
void check_probabilities(const MultiHeadAttention& mha, const AttentionMask& mask, int64_t B,
                         int64_t Lq, int64_t Lk) {
  const Tensor& p = mha.probabilities();
  const int64_t H = mha.num_heads();
  ASSERT_EQ(p.shape(), (Shape{B, H, Lq, Lk}));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < Lq; ++i) {
        const float* row = p.data() + ((b * H + h) * Lq + i) * Lk;
        double sum = 0.0;
        bool any = false;
        for (int64_t j = 0; j < Lk; ++j) {
          if (visible(mask, Lk, b, i, j)) {
            EXPECT_GT(row[j], 0.0f) << "b=" << b << " h=" << h << " i=" << i << " j=" << j;
            any = true;
          } else {
            EXPECT_EQ(row[j], 0.0f) << "masked b=" << b << " h=" << h << " i=" << i << " j=" << j;
          }
          sum += row[j];
        }
        EXPECT_NEAR(sum, any ? 1.0 : 0.0, 1e-5) << "b=" << b << " h=" << h << " i=" << i;
      }
}

constexpr int64_t kD = 16, kHeads = 4;

TEST(Attention, SelfRowsSumToOne) {
  MultiHeadAttention mha = make_attention(kD, kHeads, 1);
  Rng rng(2);
  const int64_t B = 2, L = 6;
  Tensor x = random_tensor({B * L, kD}, rng);
  Tensor out;
  AttentionMask mask;
  mha.forward(x, x, B, L, L, mask, out);
  check_probabilities(mha, mask, B, L, L);
  EXPECT_TRUE(out.all_finite());
}

TEST(Attention, CausalRowsSumToOneAndMaskIsExact) {
  MultiHeadAttention mha = make_attention(kD, kHeads, 3);
  Rng rng(4);
  const int64_t B = 2, L = 6;
  Tensor x = random_tensor({B * L, kD}, rng);
  Tensor out;
  AttentionMask mask;
  mask.causal = true;
  mha.forward(x, x, B, L, L, mask, out);
  check_probabilities(mha, mask, B, L, L);
  // The first query sees only itself.
  const Tensor& p = mha.probabilities();
  for (int64_t bh = 0; bh < B * kHeads; ++bh) EXPECT_EQ(p[bh * L * L], 1.0f);
}

TEST(Attention, CrossRowsSumToOne) {
  MultiHeadAttention mha = make_attention(kD, kHeads, 5);
  Rng rng(6);
  const int64_t B = 2, Lq = 3, Lk = 7;
  Tensor q = random_tensor({B * Lq, kD}, rng), kv = random_tensor({B * Lk, kD}, rng);
  Tensor out;
  AttentionMask mask;
  mha.forward(q, kv, B, Lq, Lk, mask, out);
  check_probabilities(mha, mask, B, Lq, Lk);
  EXPECT_EQ(out.shape(), (Shape{B * Lq, kD}));
}

TEST(Attention, PaddedKeysGetExactlyZero) {
  const int64_t B = 2, Lq = 4, Lk = 5;
  const std::vector<uint8_t> pad = {0, 1, 0, 0, 1, /**/ 1, 0, 0, 0, 0};
  Rng rng(8);
  {  // cross
    MultiHeadAttention mha = make_attention(kD, kHeads, 7);
    Tensor q = random_tensor({B * Lq, kD}, rng), kv = random_tensor({B * Lk, kD}, rng), out;
    AttentionMask mask;
    mask.key_padding = pad.data();
    mha.forward(q, kv, B, Lq, Lk, mask, out);
    check_probabilities(mha, mask, B, Lq, Lk);
    // Padding plus a causal offset.
    mask.causal = true;
    mask.query_offset = 1;
    mha.forward(q, kv, B, Lq, Lk, mask, out);
    check_probabilities(mha, mask, B, Lq, Lk);
  }
  {  // self, padded and causal
    MultiHeadAttention mha = make_attention(kD, kHeads, 9);
    Tensor x = random_tensor({B * Lk, kD}, rng), out;
    AttentionMask mask;
    mask.key_padding = pad.data();
    mha.forward(x, x, B, Lk, Lk, mask, out);
    check_probabilities(mha, mask, B, Lk, Lk);
    mask.causal = true;
    mha.forward(x, x, B, Lk, Lk, mask, out);
    check_probabilities(mha, mask, B, Lk, Lk);  // row 0 of batch 1 sees nothing: all zero
  }
}

// One cached decode step (the last k queries at query_offset T-k against all T keys) equals the
// last k rows of the full causal self-attention.
void check_decode_block(int64_t k, const std::vector<uint8_t>& pad) {
  const int64_t B = 2, T = 7;
  MultiHeadAttention mha = make_attention(kD, kHeads, 10);
  Rng rng(11);
  Tensor x = random_tensor({B * T, kD}, rng);
  AttentionMask full_mask;
  full_mask.causal = true;
  full_mask.key_padding = pad.empty() ? nullptr : pad.data();
  Tensor full;
  mha.forward(x, x, B, T, T, full_mask, full);
  const Tensor full_probs = mha.probabilities();

  Tensor x_last = take_rows(x, B, T, T - k, k);  // a different tensor object: cross mode
  AttentionMask step_mask = full_mask;
  step_mask.query_offset = T - k;
  Tensor step;
  mha.forward(x_last, x, B, k, T, step_mask, step);
  const Tensor& step_probs = mha.probabilities();
  ASSERT_EQ(step_probs.shape(), (Shape{B, kHeads, k, T}));
  check_probabilities(mha, step_mask, B, k, T);

  const Tensor expected = take_rows(full, B, T, T - k, k);
  EXPECT_LE(max_abs_diff(step, expected), 1e-5f);
  for (int64_t bh = 0; bh < B * kHeads; ++bh)
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < T; ++j) {
        const float want = full_probs[(bh * T + (T - k + i)) * T + j];
        const float got = step_probs[(bh * k + i) * T + j];
        EXPECT_NEAR(got, want, 1e-5f) << "bh=" << bh << " i=" << i << " j=" << j;
        if (want == 0.0f) {
          EXPECT_EQ(got, 0.0f);
        }
      }
}

TEST(Attention, DecodeStepMatchesLastRowOfFullCausal) { check_decode_block(1, {}); }
TEST(Attention, DecodeBlockMatchesLastRowsOfFullCausal) { check_decode_block(3, {}); }
TEST(Attention, DecodeBlockWithPaddingMatches) {
  check_decode_block(3, {0, 0, 1, 0, 0, 0, 0, /**/ 1, 0, 0, 0, 1, 0, 0});
}

TEST(Attention, FullyPaddedContextGivesBiasAndFiniteGradients) {
  const int64_t B = 2, Lq = 3, Lk = 4;
  MultiHeadAttention mha = make_attention(kD, kHeads, 12);
  Rng rng(13);
  Tensor q = random_tensor({B * Lq, kD}, rng), kv = random_tensor({B * Lk, kD}, rng);
  const std::vector<uint8_t> pad(B * Lk, 1);
  AttentionMask mask;
  mask.key_padding = pad.data();
  Tensor out;
  mha.forward(q, kv, B, Lq, Lk, mask, out);
  const Tensor& p = mha.probabilities();
  ASSERT_EQ(p.shape(), (Shape{B, kHeads, Lq, Lk}));
  for (int64_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i], 0.0f);
  ASSERT_TRUE(out.all_finite());
  for (int64_t r = 0; r < B * Lq; ++r)
    for (int64_t e = 0; e < kD; ++e) EXPECT_EQ(out[r * kD + e], mha.out_proj_bias.value[e]);

  ParameterList params;
  mha.collect("", params);
  zero_grads(params);
  Tensor dy = random_tensor(out.shape(), rng);
  Tensor dq, dkv;
  mha.backward(q, kv, dy, &dq, &dkv);
  EXPECT_TRUE(dq.all_finite());
  EXPECT_TRUE(dkv.all_finite());
  EXPECT_EQ(max_abs(dq), 0.0f);
  EXPECT_EQ(max_abs(dkv), 0.0f);
  for (const auto& np : params) EXPECT_TRUE(np.param->grad.all_finite()) << np.name;
  EXPECT_EQ(max_abs(mha.in_proj_weight.grad), 0.0f);
  EXPECT_GT(max_abs(mha.out_proj_bias.grad), 0.0f);

  // Self-attention where one batch element is all padding (an empty image/caption).
  MultiHeadAttention self = make_attention(kD, kHeads, 14);
  Tensor x = random_tensor({B * Lk, kD}, rng);
  std::vector<uint8_t> half(B * Lk, 0);
  for (int64_t j = 0; j < Lk; ++j) half[j] = 1;  // batch 0 fully padded
  AttentionMask smask;
  smask.key_padding = half.data();
  smask.causal = true;
  self.forward(x, x, B, Lk, Lk, smask, out);
  ASSERT_TRUE(out.all_finite());
  for (int64_t r = 0; r < Lk; ++r)
    for (int64_t e = 0; e < kD; ++e) EXPECT_EQ(out[r * kD + e], self.out_proj_bias.value[e]);
  check_probabilities(self, smask, B, Lk, Lk);
  Tensor dx;
  dy = random_tensor(out.shape(), rng);
  self.backward(x, x, dy, &dx, nullptr);
  EXPECT_TRUE(dx.all_finite());
  for (int64_t i = 0; i < Lk * kD; ++i) EXPECT_EQ(dx[i], 0.0f);  // batch 0 rows
}

TEST(Attention, EmptyMemoryWorks) {
  const int64_t B = 2, Lq = 3, Lk = 0;
  MultiHeadAttention mha = make_attention(kD, kHeads, 15);
  Rng rng(16);
  Tensor q = random_tensor({B * Lq, kD}, rng);
  Tensor kv({0, kD});
  AttentionMask mask;
  Tensor out;
  mha.forward(q, kv, B, Lq, Lk, mask, out);
  EXPECT_EQ(mha.probabilities().shape(), (Shape{B, kHeads, Lq, 0}));
  ASSERT_EQ(out.shape(), (Shape{B * Lq, kD}));
  for (int64_t r = 0; r < B * Lq; ++r)
    for (int64_t e = 0; e < kD; ++e) EXPECT_EQ(out[r * kD + e], mha.out_proj_bias.value[e]);
  ParameterList params;
  mha.collect("", params);
  zero_grads(params);
  Tensor dy = random_tensor(out.shape(), rng), dq, dkv;
  mha.backward(q, kv, dy, &dq, &dkv);
  EXPECT_EQ(dq.shape(), q.shape());
  EXPECT_EQ(dkv.shape(), (Shape{0, kD}));
  EXPECT_EQ(max_abs(dq), 0.0f);
  for (const auto& np : params) EXPECT_TRUE(np.param->grad.all_finite()) << np.name;

  // The same through a decoder block (memory of length 0).
  BlockConfig cfg;
  cfg.d_model = kD;
  cfg.num_heads = kHeads;
  cfg.d_hidden = 32;
  DecoderBlock dec(cfg);
  dec.init(rng);
  Tensor y, dx, dmem({0, kD});
  dec.forward(q, kv, B, Lq, 0, nullptr, y, false);
  EXPECT_TRUE(y.all_finite());
  dec.backward(q, kv, dy, dx, &dmem);
  EXPECT_TRUE(dx.all_finite());
}

// Forward + backward of attention and an encoder block, big enough that the OpenMP loops and
// Eigen's GEMM actually run in parallel.
struct RunResult {
  Tensor out, probs, dq, dkv, grads, block_out, block_dx;
};

RunResult run_once() {
  const int64_t B = 2, Lq = 24, Lk = 32, d = 32, H = 4;
  MultiHeadAttention mha = make_attention(d, H, 17);
  Rng rng(18);
  Tensor q = random_tensor({B * Lq, d}, rng), kv = random_tensor({B * Lk, d}, rng);
  std::vector<uint8_t> pad(B * Lk, 0);
  pad[Lk - 1] = pad[Lk + 3] = 1;
  AttentionMask mask;
  mask.key_padding = pad.data();
  mask.causal = true;
  mask.query_offset = Lk - Lq;
  RunResult r;
  mha.forward(q, kv, B, Lq, Lk, mask, r.out);
  r.probs = mha.probabilities();
  ParameterList params;
  mha.collect("", params);
  zero_grads(params);
  Tensor dy = random_tensor(r.out.shape(), rng);
  mha.backward(q, kv, dy, &r.dq, &r.dkv);
  r.grads = Tensor({count_parameters(params)});
  int64_t k = 0;
  for (const auto& np : params)
    for (int64_t i = 0; i < np.param->grad.size(); ++i) r.grads[k++] = np.param->grad[i];

  BlockConfig cfg;
  cfg.d_model = d;
  cfg.num_heads = H;
  cfg.d_hidden = 64;
  EncoderBlock enc(cfg);
  enc.init(rng);
  Tensor x = random_tensor({B * Lk, d}, rng);
  enc.forward(x, B, Lk, pad.data(), r.block_out, false);
  Tensor dyb = random_tensor(r.block_out.shape(), rng);
  enc.backward(x, dyb, r.block_dx);
  return r;
}

void expect_close(const Tensor& a, const Tensor& b, const char* what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  EXPECT_LE(max_abs_diff(a, b), 1e-5f * std::max(1.0f, max_abs(b))) << what;
}

TEST(Attention, ThreadCountDoesNotChangeResults) {
  const int before = num_threads();
  set_threads(1);
  const RunResult one = run_once();
  set_threads(2);
  const RunResult two = run_once();
  set_threads(before);
  expect_close(one.out, two.out, "out");
  expect_close(one.probs, two.probs, "probabilities");
  expect_close(one.dq, two.dq, "d_x_q");
  expect_close(one.dkv, two.dkv, "d_x_kv");
  expect_close(one.grads, two.grads, "parameter grads");
  expect_close(one.block_out, two.block_out, "encoder out");
  expect_close(one.block_dx, two.block_dx, "encoder dx");
}

TEST(Attention, ProbabilitiesShape) {
  MultiHeadAttention mha = make_attention(12, 3, 19);
  Rng rng(20);
  Tensor q = random_tensor({2 * 5, 12}, rng), kv = random_tensor({2 * 9, 12}, rng), out;
  mha.forward(q, kv, 2, 5, 9, AttentionMask{}, out);
  EXPECT_EQ(mha.probabilities().shape(), (Shape{2, 3, 5, 9}));
  EXPECT_EQ(mha.head_dim(), 4);
  Tensor x = random_tensor({3 * 4, 12}, rng);
  mha.forward(x, x, 3, 4, 4, AttentionMask{}, out);
  EXPECT_EQ(mha.probabilities().shape(), (Shape{3, 3, 4, 4}));
}

TEST(Attention, PaddingOfOneBatchElementDoesNotAffectTheOther) {
  const int64_t B = 2, Lq = 3, Lk = 5;
  MultiHeadAttention mha = make_attention(kD, kHeads, 21);
  Rng rng(22);
  Tensor q = random_tensor({B * Lq, kD}, rng), kv = random_tensor({B * Lk, kD}, rng);
  Tensor plain, padded;
  mha.forward(q, kv, B, Lq, Lk, AttentionMask{}, plain);
  const Tensor plain_probs = mha.probabilities();
  std::vector<uint8_t> pad(B * Lk, 0);
  pad[1] = pad[3] = 1;  // batch 0 only
  AttentionMask mask;
  mask.key_padding = pad.data();
  mha.forward(q, kv, B, Lq, Lk, mask, padded);
  const Tensor& padded_probs = mha.probabilities();
  // Batch 1 rows: unchanged (same arithmetic, so equal up to nothing; 1e-6 allows a reordered
  // GEMM). Batch 0 rows: changed.
  float diff0 = 0.0f, diff1 = 0.0f;
  for (int64_t i = 0; i < Lq * kD; ++i) {
    diff0 = std::max(diff0, std::fabs(plain[i] - padded[i]));
    diff1 = std::max(diff1, std::fabs(plain[Lq * kD + i] - padded[Lq * kD + i]));
  }
  EXPECT_GT(diff0, 1e-4f);
  EXPECT_LE(diff1, 1e-6f);
  const int64_t per_batch = kHeads * Lq * Lk;
  for (int64_t i = 0; i < per_batch; ++i)
    EXPECT_NEAR(padded_probs[per_batch + i], plain_probs[per_batch + i], 1e-6f);

  // Same through the gradients: batch 1's input grads do not change.
  Tensor dy = random_tensor(plain.shape(), rng);
  Tensor dq_plain, dkv_plain, dq_pad, dkv_pad;
  mha.forward(q, kv, B, Lq, Lk, AttentionMask{}, plain);
  mha.backward(q, kv, dy, &dq_plain, &dkv_plain);
  mha.forward(q, kv, B, Lq, Lk, mask, padded);
  mha.backward(q, kv, dy, &dq_pad, &dkv_pad);
  for (int64_t i = 0; i < Lq * kD; ++i)
    EXPECT_NEAR(dq_pad[Lq * kD + i], dq_plain[Lq * kD + i], 1e-6f);
  for (int64_t i = 0; i < Lk * kD; ++i)
    EXPECT_NEAR(dkv_pad[Lk * kD + i], dkv_plain[Lk * kD + i], 1e-6f);
}

}  // namespace
}  // namespace glimpse
