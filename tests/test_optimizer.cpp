// AdamW against hand-computed updates, weight-decay selection, gradient clipping and the
// warm-up + cosine learning-rate schedule.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "glimpse/core/optimizer.h"
#include "glimpse/core/parameter.h"
#include "glimpse/core/tensor.h"

namespace glimpse {
namespace {

Parameter make_param(const std::vector<float>& values, bool decay) {
  Parameter p({static_cast<int64_t>(values.size())}, decay);
  for (size_t i = 0; i < values.size(); ++i) p.value[static_cast<int64_t>(i)] = values[i];
  return p;
}

void set_grad(Parameter& p, const std::vector<float>& g) {
  for (size_t i = 0; i < g.size(); ++i) p.grad[static_cast<int64_t>(i)] = g[i];
}

TEST(AdamW, WeightDecayOnlyWhereEnabled) {
  Parameter weight = make_param({1.0f, -2.0f}, /*decay=*/true);
  Parameter bias = make_param({1.0f, -2.0f}, /*decay=*/false);
  AdamWConfig cfg;
  cfg.lr = 0.1f;
  cfg.weight_decay = 0.5f;
  AdamW opt({{"w", &weight}, {"b", &bias}}, cfg);
  // Zero gradients: Adam's own update is 0 / (0 + eps) = 0, so only the decay moves anything.
  opt.step();
  EXPECT_FLOAT_EQ(weight.value[0], 1.0f * (1.0f - 0.1f * 0.5f));
  EXPECT_FLOAT_EQ(weight.value[1], -2.0f * (1.0f - 0.1f * 0.5f));
  EXPECT_EQ(bias.value[0], 1.0f);
  EXPECT_EQ(bias.value[1], -2.0f);
  EXPECT_EQ(opt.steps(), 1);
  // The learning rate passed to step() scales the decay too.
  opt.step(0.0f);
  EXPECT_FLOAT_EQ(weight.value[0], 0.95f);
}

TEST(AdamW, OneAndTwoStepsByHand) {
  const float lr = 0.1f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f;
  Parameter p = make_param({1.0f, -2.0f, 3.0f}, true);
  AdamWConfig cfg{lr, b1, b2, eps, wd};
  AdamW opt({{"p", &p}}, cfg);

  // Step 1, g = (0.1, -0.2, 0.3):
  //   w <- w (1 - lr wd) = (0.999, -1.998, 2.997)
  //   m = 0.1 g, v = 0.001 g^2; m_hat = g, sqrt(v_hat) = |g|
  //   w <- w - lr * g / (|g| + eps) = w - 0.1 sign(g)  ->  (0.899, -1.898, 2.897)
  set_grad(p, {0.1f, -0.2f, 0.3f});
  opt.step();
  EXPECT_NEAR(p.value[0], 0.899, 1e-6);
  EXPECT_NEAR(p.value[1], -1.898, 1e-6);
  EXPECT_NEAR(p.value[2], 2.897, 1e-6);
  EXPECT_NEAR(opt.first_moments()[0][1], -0.02, 1e-8);
  // (1 - beta2) is formed in float: 1 - 0.999f = 0.00099998713.
  EXPECT_NEAR(opt.second_moments()[0][2], 0.001 * 0.09, 2e-9);

  // Step 2, g2 = (0.3, 0.2, -0.1), written out in double:
  const double g1[3] = {0.1, -0.2, 0.3}, g2[3] = {0.3, 0.2, -0.1};
  const double w1[3] = {0.899, -1.898, 2.897};
  set_grad(p, {0.3f, 0.2f, -0.1f});
  opt.step();
  for (int i = 0; i < 3; ++i) {
    const double m = b1 * (1 - b1) * g1[i] + (1 - b1) * g2[i];
    const double v = b2 * (1 - b2) * g1[i] * g1[i] + (1 - b2) * g2[i] * g2[i];
    const double bc1 = 1 - 0.9 * 0.9, bc2 = 1 - 0.999 * 0.999;
    const double expected = w1[i] * (1 - lr * wd) - lr / bc1 * m / (std::sqrt(v) / std::sqrt(bc2) + eps);
    EXPECT_NEAR(p.value[i], expected, 2e-6) << i;
  }
  EXPECT_EQ(opt.steps(), 2);
}

TEST(AdamW, ResumesFromSavedMoments) {
  // Two optimisers: one runs 2 steps; the other is given the first's state after step 1.
  Parameter a = make_param({0.5f, -1.5f}, true), b = make_param({0.5f, -1.5f}, true);
  AdamWConfig cfg;
  cfg.lr = 0.05f;
  AdamW oa({{"p", &a}}, cfg), ob({{"p", &b}}, cfg);
  set_grad(a, {0.2f, -0.4f});
  oa.step();
  b.value = a.value;
  ob.first_moments()[0] = oa.first_moments()[0];
  ob.second_moments()[0] = oa.second_moments()[0];
  ob.set_steps(oa.steps());
  set_grad(a, {-0.1f, 0.3f});
  set_grad(b, {-0.1f, 0.3f});
  oa.step();
  ob.step();
  EXPECT_EQ(a.value[0], b.value[0]);
  EXPECT_EQ(a.value[1], b.value[1]);
}

TEST(ClipGradNorm, BelowMaxLeavesGradientsAlone) {
  Parameter p = make_param({0, 0}, true), q = make_param({0}, false);
  set_grad(p, {3.0f, 0.0f});
  set_grad(q, {4.0f});
  ParameterList params = {{"p", &p}, {"q", &q}};
  EXPECT_FLOAT_EQ(clip_grad_norm(params, 10.0f), 5.0f);  // global norm over both
  EXPECT_EQ(p.grad[0], 3.0f);
  EXPECT_EQ(p.grad[1], 0.0f);
  EXPECT_EQ(q.grad[0], 4.0f);
  EXPECT_FLOAT_EQ(clip_grad_norm(params, 5.5f), 5.0f);
  EXPECT_EQ(q.grad[0], 4.0f);
}

TEST(ClipGradNorm, AboveMaxScalesToMax) {
  Parameter p = make_param({0, 0}, true), q = make_param({0}, false);
  set_grad(p, {3.0f, 0.0f});
  set_grad(q, {-4.0f});
  ParameterList params = {{"p", &p}, {"q", &q}};
  EXPECT_FLOAT_EQ(clip_grad_norm(params, 1.0f), 5.0f);  // returns the norm before clipping
  EXPECT_NEAR(p.grad[0], 0.6f, 1e-6f);
  EXPECT_EQ(p.grad[1], 0.0f);
  EXPECT_NEAR(q.grad[0], -0.8f, 1e-6f);
  // Now at the limit (up to the 1e-6 guard): a second clip reports ~1 and changes ~nothing.
  EXPECT_NEAR(clip_grad_norm(params, 1.0f), 1.0f, 1e-5f);
  EXPECT_NEAR(p.grad[0], 0.6f, 1e-5f);
}

TEST(ClipGradNorm, ZeroGradients) {
  Parameter p = make_param({1, 2}, true);
  ParameterList params = {{"p", &p}};
  EXPECT_EQ(clip_grad_norm(params, 1.0f), 0.0f);
  EXPECT_EQ(p.grad[0], 0.0f);
  EXPECT_TRUE(p.grad.all_finite());
}

TEST(LrSchedule, WarmupPeakCosineAndFloor) {
  LrSchedule s;
  s.peak_lr = 1e-3f;
  s.min_lr = 1e-5f;
  s.warmup_steps = 10;
  s.total_steps = 110;
  // Warm-up: peak * (step + 1) / warmup.
  EXPECT_FLOAT_EQ(s.at(0), 1e-4f);
  EXPECT_FLOAT_EQ(s.at(4), 5e-4f);
  EXPECT_FLOAT_EQ(s.at(9), 1e-3f);  // last warm-up step reaches the peak
  EXPECT_FLOAT_EQ(s.at(10), 1e-3f);  // cosine starts at the peak
  // Cosine midpoint (50 of 100 decay steps) = (peak + min) / 2.
  EXPECT_NEAR(s.at(60), (1e-3f + 1e-5f) / 2, 1e-9f);
  // A quarter of the way: min + (peak - min) (1 + cos(pi/4)) / 2.
  EXPECT_NEAR(s.at(35), 1e-5 + (1e-3 - 1e-5) * (1 + std::cos(std::numbers::pi / 4)) / 2, 1e-9);
  EXPECT_NEAR(s.at(110), 1e-5f, 1e-10f);
  for (int64_t step : {111, 200, 100000}) EXPECT_NEAR(s.at(step), 1e-5f, 1e-10f) << step;
  // Monotone: up during warm-up, never up afterwards.
  for (int64_t step = 1; step < 10; ++step) EXPECT_GT(s.at(step), s.at(step - 1));
  for (int64_t step = 11; step < 130; ++step) EXPECT_LE(s.at(step), s.at(step - 1)) << step;
}

TEST(LrSchedule, NoWarmup) {
  LrSchedule s;
  s.peak_lr = 2e-3f;
  s.min_lr = 0.0f;
  s.warmup_steps = 0;
  s.total_steps = 100;
  EXPECT_FLOAT_EQ(s.at(0), 2e-3f);
  EXPECT_NEAR(s.at(50), 1e-3f, 1e-9f);
  EXPECT_NEAR(s.at(100), 0.0f, 1e-10f);
  EXPECT_NEAR(s.at(500), 0.0f, 1e-10f);
}

}  // namespace
}  // namespace glimpse
