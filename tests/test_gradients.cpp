// Central finite-difference checks of every layer's backward().
//
// Method. For a layer with output `out`, the scalar loss is L = sum(out * R) for a fixed random
// R, so dL/dout = R: backward() is called with R as the output gradient and gives the analytic
// gradients. The numeric gradient of one coordinate x_i is
//     (L(x_i + h) - L(x_i - h)) / ((x_i + h) - (x_i - h))
// with the forward pass in float32 (as the engine computes it) and the loss sum in double. The
// denominator is the step actually taken after float rounding.
//
// Step: h = 1e-2 (kStep) for every tensor; inputs are of scale 1-3 and parameters of scale
// 0.1-1. Both error sources of the numeric gradient then stay well below the tolerance: the
// truncation error h^2/6 * f''' (~2e-5) and the float32 round-off of the loss divided by the
// step (~1e-6 / 2e-2 = 5e-5). A smaller h would drown in round-off, a larger one in truncation.
//
// Coordinates: every coordinate of a tensor with at most 20 elements, otherwise 20 distinct
// random ones always including the first and the last (kMaxCoords), for every input and every
// parameter that collect() registers.
//
// Tolerance, both must hold per tensor:
//   per coordinate   |num - ana| <= 1e-3 + 1e-2 * |ana|          (kAbsTol, kRelTol)
//   over the sample  ||num - ana||_2 <= 1e-2 * ||ana||_2 + 1e-3  (kNormTol, kAbsTol)
// The observed error of a correct gradient is 1e-6..4e-4 (GLIMPSE_GRAD_VERBOSE=1 prints it). The
// GradientChecker tests at the end prove that the same tolerance rejects typical backward bugs:
// a factor 2 or 1/2, a 5% scale error, a transposed weight gradient, a missing 1/sqrt(d_k), a
// swapped K/V block, a missing bias gradient, permuted input-gradient rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "glimpse/core/activations.h"
#include "glimpse/core/attention.h"
#include "glimpse/core/dropout.h"
#include "glimpse/core/embedding.h"
#include "glimpse/core/feed_forward.h"
#include "glimpse/core/fusion.h"
#include "glimpse/core/layer_norm.h"
#include "glimpse/core/linear.h"
#include "glimpse/core/loss.h"
#include "glimpse/core/parameter.h"
#include "glimpse/core/random.h"
#include "glimpse/core/tensor.h"
#include "glimpse/core/transformer_blocks.h"
#include "test_util.h"

namespace glimpse {
namespace {

using glimpse::testing::max_abs;
using glimpse::testing::random_tensor;

constexpr float kStep = 1e-2f;
constexpr size_t kMaxCoords = 20;
constexpr double kAbsTol = 1e-3;
constexpr double kRelTol = 1e-2;
constexpr double kNormTol = 1e-2;

using LossFn = std::function<double()>;

// sum(out * R), accumulated in double.
double dot_loss(const Tensor& out, const Tensor& r) {
  EXPECT_EQ(out.shape(), r.shape());
  double s = 0.0;
  for (int64_t i = 0; i < out.size(); ++i) s += static_cast<double>(out[i]) * r[i];
  return s;
}

// Distinct coordinates of `t` whose value is finite: all of them when there are at most
// kMaxCoords, else the first, the last and random others.
std::vector<int64_t> pick_coords(const Tensor& t, Rng& rng) {
  std::vector<int64_t> finite;
  for (int64_t i = 0; i < t.size(); ++i)
    if (std::isfinite(t[i])) finite.push_back(i);
  if (finite.size() <= kMaxCoords) return finite;
  std::vector<int64_t> out = {finite.front(), finite.back()};
  std::vector<int64_t> rest(finite.begin() + 1, finite.end() - 1);
  // Partial Fisher-Yates: the first picks of `rest` are a uniform sample without repeats.
  for (size_t k = 0; out.size() < kMaxCoords; ++k) {
    size_t j = k + static_cast<size_t>(rng.next() % (rest.size() - k));
    std::swap(rest[k], rest[j]);
    out.push_back(rest[k]);
  }
  return out;
}

struct Samples {
  std::vector<int64_t> index;
  std::vector<double> numeric;
};

Samples numeric_grad(Tensor& value, const LossFn& loss, Rng& rng) {
  Samples s;
  s.index = pick_coords(value, rng);
  for (int64_t i : s.index) {
    const float orig = value[i];
    const float up = orig + kStep, down = orig - kStep;
    value[i] = up;
    const double l_up = loss();
    value[i] = down;
    const double l_down = loss();
    value[i] = orig;
    s.numeric.push_back((l_up - l_down) / (static_cast<double>(up) - static_cast<double>(down)));
  }
  return s;
}

struct Verdict {
  bool ok = true;
  std::string report;
};

Verdict compare_grad(const Samples& s, const Tensor& analytic) {
  Verdict v;
  std::ostringstream msg;
  double diff2 = 0.0, ana2 = 0.0, worst = 0.0;
  int bad = 0;
  for (size_t k = 0; k < s.index.size(); ++k) {
    const double a = analytic[s.index[k]], n = s.numeric[k];
    const double d = std::fabs(n - a);
    diff2 += d * d;
    ana2 += a * a;
    worst = std::max(worst, d);
    if (!(d <= kAbsTol + kRelTol * std::fabs(a))) {
      if (bad++ < 5)
        msg << "\n    [" << s.index[k] << "] numeric " << n << " analytic " << a << " diff " << d;
      v.ok = false;
    }
  }
  const double diff_norm = std::sqrt(diff2), ana_norm = std::sqrt(ana2);
  if (!(diff_norm <= kNormTol * ana_norm + kAbsTol)) v.ok = false;
  std::ostringstream head;
  head << s.index.size() << " coords, max |num-ana| " << worst << ", ||num-ana|| " << diff_norm
       << ", ||ana|| " << ana_norm << ", " << bad << " coords out of tolerance";
  v.report = head.str() + msg.str();
  return v;
}

struct Probe {
  std::string name;
  Tensor* value;     // perturbed in place
  Tensor analytic;  // copy of the gradient from backward()
};

// Checks every probe; also that the loss is reproducible (values restored, forward
// deterministic) and that no analytic gradient is vacuously zero. GLIMPSE_GRAD_VERBOSE=1 prints
// the error measures of every tensor.
void check_probes(const std::string& layer, std::vector<Probe>& probes, const LossFn& loss,
                  uint64_t seed = 7) {
  Rng rng(seed);
  const double base = loss();
  ASSERT_TRUE(std::isfinite(base)) << layer;
  for (Probe& p : probes) {
    SCOPED_TRACE(layer + " / " + p.name);
    ASSERT_EQ(p.value->shape(), p.analytic.shape()) << "gradient shape";
    ASSERT_TRUE(p.analytic.all_finite());
    EXPECT_GT(max_abs(p.analytic), 0.0f) << "analytic gradient is all zero (vacuous check)";
    Samples s = numeric_grad(*p.value, loss, rng);
    ASSERT_FALSE(s.index.empty());
    Verdict v = compare_grad(s, p.analytic);
    EXPECT_TRUE(v.ok) << v.report;
    if (std::getenv("GLIMPSE_GRAD_VERBOSE")) std::printf("  %s / %s: %s\n", layer.c_str(), p.name.c_str(), v.report.c_str());
  }
  EXPECT_EQ(loss(), base) << layer << ": loss not reproducible after the FD sweep";
}

void add_param_probes(const ParameterList& params, std::vector<Probe>& probes) {
  for (const auto& np : params)
    probes.push_back({np.name, &np.param->value, np.param->grad});
}

// Moves every parameter off its initial value (zero biases, unit norms) so that a gradient that
// forgets a weight or a bias term shows up.
void perturb_params(const ParameterList& params, Rng& rng, float scale = 0.2f) {
  for (const auto& np : params)
    for (int64_t i = 0; i < np.param->value.size(); ++i) np.param->value[i] += scale * rng.normal();
}

void copy_param_values(const ParameterList& from, const ParameterList& to) {
  ASSERT_EQ(from.size(), to.size());
  for (size_t i = 0; i < from.size(); ++i) {
    ASSERT_EQ(from[i].name, to[i].name);
    to[i].param->value = from[i].param->value;
  }
}

// ---------------------------------------------------------------------------------------------
// Linear

void check_linear(bool bias) {
  Rng rng(11);
  Linear lin(6, 5, bias);
  lin.init(rng);
  ParameterList params;
  lin.collect("", params);
  ASSERT_EQ(params.size(), bias ? 2u : 1u);
  perturb_params(params, rng);
  Tensor x = random_tensor({2, 3, 6}, rng);
  Tensor y;
  lin.forward(x, y);
  ASSERT_EQ(y.shape(), (Shape{2, 3, 5}));
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  Tensor dx;
  lin.backward(x, r, &dx);
  std::vector<Probe> probes = {{"x", &x, dx}};
  add_param_probes(params, probes);
  check_probes(bias ? "Linear(bias)" : "Linear(no bias)", probes, [&] {
    Tensor out;
    lin.forward(x, out);
    return dot_loss(out, r);
  });
}

TEST(Gradients, LinearWithBias) { check_linear(true); }
TEST(Gradients, LinearWithoutBias) { check_linear(false); }

// ---------------------------------------------------------------------------------------------
// Embedding

TEST(Gradients, Embedding) {
  Rng rng(12);
  Embedding emb(7, 6);
  emb.init(rng);
  ParameterList params;
  emb.collect("", params);
  // Repeated ids: their rows must receive the sum of their gradients.
  const std::vector<int32_t> ids = {1, 3, 1, 0, 6, 3, 3};
  Tensor y;
  emb.forward(ids, y);
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  emb.backward(ids.data(), static_cast<int64_t>(ids.size()), r);
  // Rows never looked up get exactly zero.
  for (int row : {2, 4, 5}) {
    for (int64_t j = 0; j < 6; ++j) EXPECT_EQ(emb.weight.grad[row * 6 + j], 0.0f);
  }
  std::vector<Probe> probes;
  add_param_probes(params, probes);
  check_probes("Embedding", probes, [&] {
    Tensor out;
    emb.forward(ids, out);
    return dot_loss(out, r);
  });
}

// ---------------------------------------------------------------------------------------------
// LayerNorm

TEST(Gradients, LayerNorm) {
  Rng rng(13);
  LayerNorm ln(8);
  ParameterList params;
  ln.collect("", params);
  perturb_params(params, rng);
  Tensor x = random_tensor({2, 3, 8}, rng);
  for (int64_t i = 0; i < x.size(); ++i) x[i] += 1.5f;  // rows with a non-zero mean
  Tensor y;
  ln.forward(x, y);
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  Tensor dx;
  ln.backward(x, r, dx);
  std::vector<Probe> probes = {{"x", &x, dx}};
  add_param_probes(params, probes);
  check_probes("LayerNorm", probes, [&] {
    Tensor out;
    ln.forward(x, out);
    return dot_loss(out, r);
  });
}

// ---------------------------------------------------------------------------------------------
// GELU and softmax

void check_gelu(GeluKind kind) {
  Rng rng(14);
  Tensor x = random_tensor({5, 8}, rng, 2.0f);
  Tensor y;
  gelu_forward(x, y, kind);
  Tensor r = random_tensor(y.shape(), rng);
  Tensor dx;
  gelu_backward(x, r, dx, kind);
  std::vector<Probe> probes = {{"x", &x, dx}};
  check_probes(std::string("GELU ") + gelu_kind_name(kind), probes, [&] {
    Tensor out;
    gelu_forward(x, out, kind);
    return dot_loss(out, r);
  });
}

TEST(Gradients, GeluErf) { check_gelu(GeluKind::Erf); }
TEST(Gradients, GeluTanh) { check_gelu(GeluKind::Tanh); }

TEST(Gradients, Softmax) {
  Rng rng(15);
  Tensor x = random_tensor({4, 7}, rng, 2.0f);
  // A row with masked (-inf) entries, as attention produces.
  const float ninf = -std::numeric_limits<float>::infinity();
  x[3 * 7 + 1] = ninf;
  x[3 * 7 + 5] = ninf;
  Tensor y;
  softmax_forward(x, y);
  Tensor r = random_tensor(y.shape(), rng);
  Tensor dx;
  softmax_backward(y, r, dx);
  EXPECT_EQ(dx[3 * 7 + 1], 0.0f);
  EXPECT_EQ(dx[3 * 7 + 5], 0.0f);
  std::vector<Probe> probes = {{"x", &x, dx}};
  check_probes("softmax", probes, [&] {
    Tensor out;
    softmax_forward(x, out);
    return dot_loss(out, r);
  });
}

// ---------------------------------------------------------------------------------------------
// Dropout: the mask is a function of the seed, so reseeding before every forward replays it.

TEST(Gradients, DropoutTraining) {
  Rng rng(16);
  constexpr uint64_t kSeed = 4242;
  Dropout drop(0.3f, kSeed);
  Tensor x = random_tensor({6, 9}, rng);
  Tensor y;
  drop.reseed(kSeed);
  drop.forward(x, y, /*training=*/true);
  ASSERT_TRUE(drop.active());
  int zeros = 0;
  for (int64_t i = 0; i < drop.mask().size(); ++i) zeros += drop.mask()[i] == 0.0f;
  ASSERT_GT(zeros, 0);
  ASSERT_LT(zeros, x.size());
  Tensor r = random_tensor(y.shape(), rng);
  Tensor dx;
  drop.backward(r, dx);
  std::vector<Probe> probes = {{"x", &x, dx}};
  check_probes("Dropout(p=0.3)", probes, [&] {
    Tensor out;
    drop.reseed(kSeed);
    drop.forward(x, out, true);
    return dot_loss(out, r);
  });
}

// ---------------------------------------------------------------------------------------------
// MultiHeadAttention

struct AttnCase {
  std::string name;
  int64_t batch, len_q, len_k;
  bool self;
  bool causal;
  int64_t query_offset;
  std::vector<uint8_t> padding;  // [B, Lk] or empty
  // Also a loss on the probabilities, sum(P * G), through probability_grad() (attention
  // supervision's way in).
  bool probability_loss = false;
};

void check_attention(const AttnCase& c) {
  constexpr int64_t d = 8, heads = 2;
  Rng rng(17);
  MultiHeadAttention mha(d, heads);
  mha.init(rng);
  ParameterList params;
  mha.collect("", params);
  perturb_params(params, rng);
  AttentionMask mask;
  mask.causal = c.causal;
  mask.query_offset = c.query_offset;
  mask.key_padding = c.padding.empty() ? nullptr : c.padding.data();

  Tensor x_q = random_tensor({c.batch * c.len_q, d}, rng);
  Tensor x_kv = random_tensor({c.batch * c.len_k, d}, rng);
  const Tensor& kv = c.self ? x_q : x_kv;
  Tensor out;
  mha.forward(x_q, kv, c.batch, c.len_q, c.len_k, mask, out);
  Tensor r = random_tensor(out.shape(), rng);
  const Tensor g = c.probability_loss ? random_tensor(mha.probabilities().shape(), rng) : Tensor();
  if (c.probability_loss) mha.probability_grad() = g;
  zero_grads(params);
  Tensor d_q, d_kv;
  mha.backward(x_q, kv, r, &d_q, c.self ? nullptr : &d_kv);

  std::vector<Probe> probes = {{c.self ? "x" : "x_q", &x_q, d_q}};
  if (!c.self) {
    ASSERT_EQ(d_kv.shape(), x_kv.shape());
    // A padded key has no influence on anything: its input row gets exactly zero gradient.
    for (int64_t b = 0; b < c.batch && !c.padding.empty(); ++b) {
      for (int64_t j = 0; j < c.len_k; ++j) {
        if (!c.padding[b * c.len_k + j]) continue;
        for (int64_t e = 0; e < d; ++e) {
          EXPECT_EQ(d_kv[(b * c.len_k + j) * d + e], 0.0f) << "padded key b=" << b << " j=" << j;
        }
      }
    }
    probes.push_back({"x_kv", &x_kv, d_kv});
  }
  add_param_probes(params, probes);
  check_probes("MultiHeadAttention " + c.name, probes, [&] {
    Tensor o;
    mha.forward(x_q, c.self ? x_q : x_kv, c.batch, c.len_q, c.len_k, mask, o);
    return dot_loss(o, r) + (c.probability_loss ? dot_loss(mha.probabilities(), g) : 0.0);
  });
  // forward() empties the probability gradient: the next backward adds nothing unasked.
  EXPECT_TRUE(mha.probability_grad().empty());
}

TEST(Gradients, AttentionSelfCausal) {
  check_attention({"self causal", 2, 5, 5, true, true, 0, {}});
}

TEST(Gradients, AttentionSelfPadded) {
  check_attention({"self padded", 2, 4, 4, true, false, 0, {0, 1, 0, 0, 0, 0, 0, 1}});
}

TEST(Gradients, AttentionCrossPadded) {
  // L_q != L_k; batch 0 pads its last key, batch 1 its last two.
  check_attention({"cross padded", 2, 3, 5, false, false, 0, {0, 0, 0, 0, 1, 0, 0, 0, 1, 1}});
}

TEST(Gradients, AttentionCrossCausalOffset) {
  // A block of 2 new queries over 5 keys (a cached decode step), plus one padded key.
  check_attention({"cross causal offset", 2, 2, 5, false, true, 3, {0, 0, 0, 0, 0, 0, 1, 0, 0, 0}});
}

TEST(Gradients, AttentionCrossPaddedWithAProbabilityLoss) {
  check_attention({"cross padded + sum(P G)", 2, 3, 5, false, false, 0, {0, 0, 0, 0, 1, 0, 0, 0, 1, 1}, true});
}

TEST(Gradients, AttentionSelfCausalWithAProbabilityLoss) {
  check_attention({"self causal + sum(P G)", 2, 5, 5, true, true, 0, {}, true});
}

// ---------------------------------------------------------------------------------------------
// FeedForward

void check_feed_forward(GeluKind kind, float p) {
  constexpr int64_t d = 8, hidden = 16;
  constexpr uint64_t kSeed = 99;
  Rng rng(18);
  FeedForward ff(d, hidden, kind, p, kSeed);
  ff.init(rng);
  ParameterList params;
  ff.collect("", params);
  ASSERT_EQ(params.size(), 4u);
  perturb_params(params, rng);
  Tensor x = random_tensor({2, 3, d}, rng);
  Tensor y;
  ff.forward(x, y, /*training=*/true);
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  Tensor dx;
  ff.backward(x, r, dx);
  std::vector<Probe> probes = {{"x", &x, dx}};
  add_param_probes(params, probes);
  // A fresh layer with the same seed draws the same dropout mask on its first forward.
  check_probes("FeedForward", probes, [&] {
    FeedForward fresh(d, hidden, kind, p, kSeed);
    ParameterList dst;
    fresh.collect("", dst);
    copy_param_values(params, dst);
    Tensor out;
    fresh.forward(x, out, true);
    return dot_loss(out, r);
  });
}

TEST(Gradients, FeedForwardErf) { check_feed_forward(GeluKind::Erf, 0.0f); }
TEST(Gradients, FeedForwardTanh) { check_feed_forward(GeluKind::Tanh, 0.0f); }
TEST(Gradients, FeedForwardDropout) { check_feed_forward(GeluKind::Erf, 0.25f); }

// ---------------------------------------------------------------------------------------------
// Transformer blocks

BlockConfig small_config(float dropout) {
  BlockConfig c;
  c.d_model = 8;
  c.num_heads = 2;
  c.d_hidden = 16;
  c.dropout = dropout;
  c.gelu = GeluKind::Erf;
  c.seed = 5;
  return c;
}

void check_encoder(float dropout) {
  const BlockConfig cfg = small_config(dropout);
  constexpr int64_t B = 2, L = 4, d = 8;
  Rng rng(19);
  EncoderBlock block(cfg);
  block.init(rng);
  ParameterList params;
  block.collect("", params);
  perturb_params(params, rng);
  const std::vector<uint8_t> pad = {0, 0, 1, 0, 0, 0, 0, 1};
  Tensor x = random_tensor({B * L, d}, rng);
  Tensor y;
  block.forward(x, B, L, pad.data(), y, /*training=*/true);
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  Tensor dx;
  block.backward(x, r, dx);
  std::vector<Probe> probes = {{"x", &x, dx}};
  add_param_probes(params, probes);
  check_probes(dropout > 0 ? "EncoderBlock(dropout)" : "EncoderBlock", probes, [&] {
    EncoderBlock fresh(cfg);
    ParameterList dst;
    fresh.collect("", dst);
    copy_param_values(params, dst);
    Tensor out;
    fresh.forward(x, B, L, pad.data(), out, true);
    return dot_loss(out, r);
  });
}

TEST(Gradients, EncoderBlock) { check_encoder(0.0f); }
TEST(Gradients, EncoderBlockDropout) { check_encoder(0.2f); }

void check_decoder(float dropout) {
  const BlockConfig cfg = small_config(dropout);
  constexpr int64_t B = 2, Lt = 3, Lm = 5, d = 8;
  Rng rng(20);
  DecoderBlock block(cfg);
  block.init(rng);
  ParameterList params;
  block.collect("", params);
  perturb_params(params, rng);
  const std::vector<uint8_t> pad = {0, 0, 0, 1, 0, 0, 0, 0, 1, 1};
  Tensor x = random_tensor({B * Lt, d}, rng);
  Tensor memory = random_tensor({B * Lm, d}, rng);
  Tensor y;
  block.forward(x, memory, B, Lt, Lm, pad.data(), y, /*training=*/true);
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  Tensor dx;
  // d_memory is added into: start from a known non-zero value and subtract it afterwards.
  constexpr float kPrior = 0.5f;
  Tensor d_memory(memory.shape(), kPrior);
  block.backward(x, memory, r, dx, &d_memory);
  for (int64_t i = 0; i < d_memory.size(); ++i) d_memory[i] -= kPrior;
  // Padded memory rows get exactly zero.
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t j = 0; j < Lm; ++j) {
      if (!pad[b * Lm + j]) continue;
      for (int64_t e = 0; e < d; ++e) EXPECT_EQ(d_memory[(b * Lm + j) * d + e], 0.0f);
    }
  }
  std::vector<Probe> probes = {{"x", &x, dx}, {"memory", &memory, d_memory}};
  add_param_probes(params, probes);
  check_probes(dropout > 0 ? "DecoderBlock(dropout)" : "DecoderBlock", probes, [&] {
    DecoderBlock fresh(cfg);
    ParameterList dst;
    fresh.collect("", dst);
    copy_param_values(params, dst);
    Tensor out;
    fresh.forward(x, memory, B, Lt, Lm, pad.data(), out, true);
    return dot_loss(out, r);
  });
}

TEST(Gradients, DecoderBlock) { check_decoder(0.0f); }
TEST(Gradients, DecoderBlockDropout) { check_decoder(0.2f); }

// Every fusion strategy through the slot interface: slot 0 image memory, slot 1 context memory
// with padding (concat reads one joint memory). Gates and mixing weights are moved off their
// initial values by perturb_params, so every branch carries gradient.
void check_decoder_fusion(FusionKind kind, float dropout) {
  BlockConfig cfg = small_config(dropout);
  constexpr int64_t B = 2, Lt = 3, Li = 4, Lc = 3, d = 8;
  Rng rng(25);
  DecoderBlock block(cfg, kind);
  block.init(rng);
  ParameterList params;
  block.collect("", params);
  perturb_params(params, rng);
  const int n_slots = fusion_slot_count(kind);
  Tensor x = random_tensor({B * Lt, d}, rng);
  Tensor image = random_tensor({B * Li, d}, rng);
  Tensor context = random_tensor({B * Lc, d}, rng);
  Tensor joint = random_tensor({B * (Li + Lc), d}, rng);
  const std::vector<uint8_t> ctx_pad = {0, 0, 0, 0, 1, 1};
  const std::vector<uint8_t> joint_pad = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1};
  MemorySlot slots[2];
  if (n_slots == 1) {
    slots[0] = {&joint, Li + Lc, joint_pad.data()};
  } else {
    ASSERT_EQ(n_slots, 2);
    slots[0] = {&image, Li, nullptr};
    slots[1] = {&context, Lc, ctx_pad.data()};
  }
  Tensor y;
  block.forward(x, slots, B, Lt, y, /*training=*/true);
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  constexpr float kPrior = 0.5f;  // memory grads are added into
  Tensor d_mem[2];
  Tensor* d_slots[2] = {nullptr, nullptr};
  for (int s = 0; s < n_slots; ++s) {
    d_mem[s] = Tensor(slots[s].values->shape(), kPrior);
    d_slots[s] = &d_mem[s];
  }
  Tensor dx;
  block.backward(x, slots, r, dx, d_slots);
  std::vector<Probe> probes = {{"x", &x, dx}};
  const char* slot_names[2] = {n_slots == 1 ? "joint memory" : "image memory", "context memory"};
  for (int s = 0; s < n_slots; ++s) {
    for (int64_t i = 0; i < d_mem[s].size(); ++i) d_mem[s][i] -= kPrior;
    probes.push_back({slot_names[s], const_cast<Tensor*>(slots[s].values), d_mem[s]});
  }
  add_param_probes(params, probes);
  check_probes(std::string("DecoderBlock(") + fusion_name(kind) + (dropout > 0 ? ", dropout)" : ")"),
               probes, [&] {
                 DecoderBlock fresh(cfg, kind);
                 ParameterList dst;
                 fresh.collect("", dst);
                 copy_param_values(params, dst);
                 Tensor out;
                 fresh.forward(x, slots, B, Lt, out, true);
                 return dot_loss(out, r);
               });
}

class FusionGradients : public ::testing::TestWithParam<FusionKind> {};

TEST_P(FusionGradients, DecoderBlock) { check_decoder_fusion(GetParam(), 0.0f); }
TEST_P(FusionGradients, DecoderBlockDropout) { check_decoder_fusion(GetParam(), 0.2f); }

INSTANTIATE_TEST_SUITE_P(AllStrategies, FusionGradients,
                         ::testing::Values(FusionKind::Concat, FusionKind::Separate,
                                           FusionKind::Parallel, FusionKind::Hierarchical,
                                           FusionKind::Gated),
                         [](const ::testing::TestParamInfo<FusionKind>& info) {
                           return std::string(fusion_name(info.param));
                         });

// ---------------------------------------------------------------------------------------------
// CrossEntropyLoss

void check_cross_entropy(int32_t ignore_index, float smoothing, const std::vector<int32_t>& targets) {
  constexpr int64_t V = 5;
  const int64_t n = static_cast<int64_t>(targets.size());
  Rng rng(21);
  Tensor logits = random_tensor({n, V}, rng, 2.0f);
  CrossEntropyLoss ce(ignore_index, smoothing);
  const float loss = ce.forward(logits, targets.data(), n);
  ASSERT_TRUE(std::isfinite(loss));
  const float r = 1.7f;  // dL/dloss
  Tensor d_logits;
  ce.backward(targets.data(), r, d_logits);
  ASSERT_EQ(d_logits.shape(), logits.shape());
  for (int64_t i = 0; i < n; ++i) {
    if (targets[i] != ignore_index) continue;
    for (int64_t j = 0; j < V; ++j) EXPECT_EQ(d_logits[i * V + j], 0.0f) << "ignored row " << i;
  }
  std::vector<Probe> probes = {{"logits", &logits, d_logits}};
  check_probes("CrossEntropyLoss", probes, [&] {
    CrossEntropyLoss fresh(ignore_index, smoothing);
    return static_cast<double>(fresh.forward(logits, targets.data(), n)) * r;
  });
}

TEST(Gradients, CrossEntropySmoothingIgnore) {
  check_cross_entropy(-100, 0.1f, {1, -100, 4, 0, -100, 2});
}

TEST(Gradients, CrossEntropyIgnoreValidClass) {
  // The ignored id is a real class (padding id 3): it still takes part in the smoothing term
  // of the other rows.
  check_cross_entropy(3, 0.1f, {1, 3, 4, 0, 3, 2, 3});
}

TEST(Gradients, CrossEntropyNoSmoothing) { check_cross_entropy(-100, 0.0f, {1, 4, 0, 2}); }

// ---------------------------------------------------------------------------------------------
// Conventions: parameter grads accumulate, input grads are overwritten.

TEST(Gradients, BackwardAccumulatesParametersOverwritesInputs) {
  Rng rng(22);
  Linear lin(4, 3);
  lin.init(rng);
  Tensor x = random_tensor({5, 4}, rng);
  Tensor dy = random_tensor({5, 3}, rng);
  ParameterList params;
  lin.collect("", params);
  zero_grads(params);
  Tensor dx;
  lin.backward(x, dy, &dx);
  const Tensor w1 = lin.weight.grad, b1 = lin.bias.grad, dx1 = dx;
  dx.fill(123.0f);
  lin.backward(x, dy, &dx);
  for (int64_t i = 0; i < w1.size(); ++i) EXPECT_FLOAT_EQ(lin.weight.grad[i], 2.0f * w1[i]);
  for (int64_t i = 0; i < b1.size(); ++i) EXPECT_FLOAT_EQ(lin.bias.grad[i], 2.0f * b1[i]);
  for (int64_t i = 0; i < dx1.size(); ++i) EXPECT_EQ(dx[i], dx1[i]);

  // Same for attention in cross mode: d_x_kv is overwritten, not added into.
  MultiHeadAttention mha(8, 2);
  mha.init(rng);
  Tensor q = random_tensor({2 * 3, 8}, rng), kv = random_tensor({2 * 4, 8}, rng), out;
  mha.forward(q, kv, 2, 3, 4, AttentionMask{}, out);
  Tensor r = random_tensor(out.shape(), rng);
  Tensor dq, dkv;
  mha.backward(q, kv, r, &dq, &dkv);
  const Tensor dq1 = dq, dkv1 = dkv;
  dq.fill(-7.0f);
  dkv.fill(-7.0f);
  mha.backward(q, kv, r, &dq, &dkv);
  for (int64_t i = 0; i < dq.size(); ++i) EXPECT_EQ(dq[i], dq1[i]);
  for (int64_t i = 0; i < dkv.size(); ++i) EXPECT_EQ(dkv[i], dkv1[i]);
}

// ---------------------------------------------------------------------------------------------
// The checker itself: the tolerance above must reject wrong gradients, not only accept right
// ones. Each case takes a correct analytic gradient, breaks it the way a buggy backward would,
// and expects the comparison to fail against the same numeric samples.

TEST(GradientChecker, RejectsWrongLinearGradients) {
  Rng rng(23);
  Linear lin(6, 6);  // square, so that a transposed weight gradient has the right shape
  lin.init(rng);
  ParameterList params;
  lin.collect("", params);
  perturb_params(params, rng);
  Tensor x = random_tensor({4, 6}, rng);
  Tensor y;
  lin.forward(x, y);
  Tensor r = random_tensor(y.shape(), rng);
  zero_grads(params);
  Tensor dx;
  lin.backward(x, r, &dx);
  LossFn loss = [&] {
    Tensor out;
    lin.forward(x, out);
    return dot_loss(out, r);
  };
  Rng pick(1);
  const Samples sw = numeric_grad(lin.weight.value, loss, pick);
  const Samples sb = numeric_grad(lin.bias.value, loss, pick);
  const Samples sx = numeric_grad(x, loss, pick);
  const Tensor& gw = lin.weight.grad;
  ASSERT_TRUE(compare_grad(sw, gw).ok) << compare_grad(sw, gw).report;
  ASSERT_TRUE(compare_grad(sb, lin.bias.grad).ok);
  ASSERT_TRUE(compare_grad(sx, dx).ok);

  auto scaled = [](const Tensor& t, float s) {
    Tensor o = t;
    for (int64_t i = 0; i < o.size(); ++i) o[i] *= s;
    return o;
  };
  EXPECT_FALSE(compare_grad(sw, scaled(gw, 2.0f)).ok) << "factor 2";
  EXPECT_FALSE(compare_grad(sw, scaled(gw, 0.5f)).ok) << "factor 1/2";
  EXPECT_FALSE(compare_grad(sw, scaled(gw, 1.05f)).ok) << "5% off";
  EXPECT_FALSE(compare_grad(sx, scaled(dx, 1.05f)).ok) << "5% off";
  Tensor gw_t = gw;
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 6; ++j) gw_t[i * 6 + j] = gw[j * 6 + i];
  EXPECT_FALSE(compare_grad(sw, gw_t).ok) << "transposed";
  Tensor no_bias(lin.bias.grad.shape(), 0.0f);
  EXPECT_FALSE(compare_grad(sb, no_bias).ok) << "missing bias gradient";
  Tensor dx_perm = dx;  // rows 0 and 1 swapped
  for (int64_t j = 0; j < 6; ++j) std::swap(dx_perm[j], dx_perm[6 + j]);
  // Coordinate 0 is always sampled, so the swapped rows are seen.
  EXPECT_FALSE(compare_grad(sx, dx_perm).ok) << "permuted rows";
}

TEST(GradientChecker, RejectsWrongAttentionGradients) {
  constexpr int64_t d = 8, heads = 2, dk = d / heads, B = 2, L = 4;
  Rng rng(24);
  MultiHeadAttention mha(d, heads);
  mha.init(rng);
  ParameterList params;
  mha.collect("", params);
  perturb_params(params, rng);
  AttentionMask mask;
  mask.causal = true;
  Tensor x = random_tensor({B * L, d}, rng);
  Tensor out;
  mha.forward(x, x, B, L, L, mask, out);
  Tensor r = random_tensor(out.shape(), rng);
  zero_grads(params);
  Tensor dx;
  mha.backward(x, x, r, &dx, nullptr);
  LossFn loss = [&] {
    Tensor o;
    mha.forward(x, x, B, L, L, mask, o);
    return dot_loss(o, r);
  };
  // Sample every row of in_proj_weight by checking each block [d, d] on its own.
  const Tensor& g = mha.in_proj_weight.grad;
  ASSERT_EQ(g.size(), 3 * d * d);
  // Numeric gradient of all 3*d*d coordinates (192: cheap at this size).
  Samples all;
  for (int64_t i = 0; i < g.size(); ++i) {
    Tensor& w = mha.in_proj_weight.value;
    const float orig = w[i], up = orig + kStep, down = orig - kStep;
    w[i] = up;
    const double lu = loss();
    w[i] = down;
    const double ld = loss();
    w[i] = orig;
    all.index.push_back(i);
    all.numeric.push_back((lu - ld) / (static_cast<double>(up) - static_cast<double>(down)));
  }
  ASSERT_TRUE(compare_grad(all, g).ok) << compare_grad(all, g).report;
  // Missing 1/sqrt(d_k) on dQ: the Q block of the gradient is sqrt(d_k) times too large.
  Tensor no_scale = g;
  for (int64_t i = 0; i < d * d; ++i) no_scale[i] *= std::sqrt(static_cast<float>(dk));
  EXPECT_FALSE(compare_grad(all, no_scale).ok) << "missing 1/sqrt(d_k)";
  // K and V blocks swapped.
  Tensor swapped = g;
  for (int64_t i = 0; i < d * d; ++i) std::swap(swapped[d * d + i], swapped[2 * d * d + i]);
  EXPECT_FALSE(compare_grad(all, swapped).ok) << "K/V swapped";
  // Transposed out_proj gradient.
  Rng pick(2);
  const Samples so = numeric_grad(mha.out_proj_weight.value, loss, pick);
  const Tensor& go = mha.out_proj_weight.grad;
  ASSERT_TRUE(compare_grad(so, go).ok);
  Tensor go_t = go;
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j < d; ++j) go_t[i * d + j] = go[j * d + i];
  EXPECT_FALSE(compare_grad(so, go_t).ok) << "out_proj transposed";
}

}  // namespace
}  // namespace glimpse
