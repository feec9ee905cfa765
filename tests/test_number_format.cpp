// The CLI's number formats (app/number_format.h), which every report table and the
// differences of `glimpse compare` print through.
#include <gtest/gtest.h>

#include "number_format.h"

namespace {

using glimpse::app::fixed_decimals;
using glimpse::app::signed_decimals;

TEST(NumberFormat, FixedDecimalsRoundsToTheDigitsAskedAndNeverPrintsMinusZero) {
  EXPECT_EQ(fixed_decimals(0.85, 3), "0.850");
  EXPECT_EQ(fixed_decimals(2.8484, 3), "2.848");
  EXPECT_EQ(fixed_decimals(86.34, 1), "86.3");
  EXPECT_EQ(fixed_decimals(-0.0125, 3), "-0.013");  // snprintf's rounding of the binary value
  EXPECT_EQ(fixed_decimals(1.0 - 1.0000000000000002, 3), "0.000");
  EXPECT_EQ(fixed_decimals(-0.0004, 3), "0.000");
  EXPECT_EQ(fixed_decimals(-0.0, 1), "0.0");
  EXPECT_EQ(fixed_decimals(-2.5, 0), "-2");  // round half to even
}

TEST(NumberFormat, SignedDecimalsSignsEverythingThatDoesNotRoundToZero) {
  EXPECT_EQ(signed_decimals(0.012, 3), "+0.012");
  EXPECT_EQ(signed_decimals(-0.004, 3), "-0.004");
  EXPECT_EQ(signed_decimals(0.0, 3), "0.000");
  EXPECT_EQ(signed_decimals(-0.0004, 3), "0.000");
  EXPECT_EQ(signed_decimals(0.0004, 3), "0.000");
  EXPECT_EQ(signed_decimals(12.5, 1), "+12.5");
}

}  // namespace
