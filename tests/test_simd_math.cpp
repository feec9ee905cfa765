// simd::fast_exp (core/src/simd_math.h), the exp of every softmax and of the loss, held to the
// error bound and the edge values its comment documents: a change of its polynomial, range
// reduction or clamps that loosened them would fail here before it moved any model output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "simd_math.h"

namespace {

using glimpse::simd::fast_exp;

// Max relative error against double-precision exp, as simd_math.h documents and measures it:
// every 1e-5 over [-87, 88], under 1 ulp of float (2^-23 = 1.2e-7). (Over every float in that
// range the largest is 8.46e-8, at x = 26.69, between the grid's points.)
constexpr double kMaxRelativeError = 8.4e-8;

// The smallest input that is not flushed to 0: 126 ln 2, where the result is FLT_MIN.
constexpr float kUnderflowBelow = -87.33654f;

double relative_error(float x) {
  const double exact = std::exp(static_cast<double>(x));
  return std::fabs(static_cast<double>(fast_exp(x)) - exact) / exact;
}

TEST(FastExp, RelativeErrorWithinTheDocumentedBoundEvery1e5From87To88) {
  double worst = 0, worst_at = 0;
  constexpr int64_t kSteps = 17'500'000;  // (88 - -87) / 1e-5
  for (int64_t i = 0; i <= kSteps; ++i) {
    const float x = static_cast<float>(-87.0 + 1e-5 * static_cast<double>(i));
    if (const double e = relative_error(x); e > worst) {
      worst = e;
      worst_at = x;
    }
  }
  EXPECT_LE(worst, kMaxRelativeError) << "at x = " << worst_at;
}

// Below -87 the results approach FLT_MIN and stay normal floats (no denormals) down to the
// underflow cut, every float there within the same bound.
TEST(FastExp, EveryFloatBetweenTheUnderflowCutAndMinus87IsWithinTheBound) {
  for (float x = kUnderflowBelow; x <= -87.0f; x = std::nextafter(x, 0.0f)) {
    ASSERT_LE(relative_error(x), kMaxRelativeError) << "at x = " << x;
    ASSERT_GE(fast_exp(x), std::numeric_limits<float>::min()) << "at x = " << x;
  }
}

TEST(FastExp, EdgeValues) {
  EXPECT_EQ(fast_exp(0.0f), 1.0f);
  // Below the cut, and -inf (a masked score): exactly 0, so masked keys weigh exactly nothing.
  EXPECT_EQ(fast_exp(std::nextafter(kUnderflowBelow, -100.0f)), 0.0f);
  EXPECT_EQ(fast_exp(-100.0f), 0.0f);
  EXPECT_EQ(fast_exp(std::numeric_limits<float>::lowest()), 0.0f);
  EXPECT_EQ(fast_exp(-std::numeric_limits<float>::infinity()), 0.0f);
  // Above 88 the input is clamped: e^88 = 1.65e38, finite, for +inf too.
  EXPECT_TRUE(std::isfinite(fast_exp(88.0f)));
  EXPECT_EQ(fast_exp(89.0f), fast_exp(88.0f));
  EXPECT_EQ(fast_exp(std::numeric_limits<float>::infinity()), fast_exp(88.0f));
}

}  // namespace
