// Effect estimates: the Hodges–Lehmann shift and the rate ratio, with their intervals.
#include "verify/effect.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace slipway::verify {
namespace {

TEST(EffectTest, HodgesLehmannIsTheMedianPairwiseDifferenceOverTheBaselineMedian) {
  // Differences canary - baseline of {1..5} and {3..7}: 25 values with median 2; baseline
  // median 3, so +66.7%.
  const std::vector<double> baseline = {1, 2, 3, 4, 5}, canary = {3, 4, 5, 6, 7};
  const Effect e = HodgesLehmannEffect(baseline, canary, 0.95);
  EXPECT_DOUBLE_EQ(e.estimate, 2.0 / 3);
  // With 5 against 5 values k is 3 (floor(12.5 - 1.96 * 4.79) = 3): differences 3rd and 23rd.
  EXPECT_DOUBLE_EQ(e.low, -1.0 / 3);
  EXPECT_DOUBLE_EQ(e.high, 5.0 / 3);
  const Effect wider = HodgesLehmannEffect(baseline, canary, 0.99);
  EXPECT_LE(wider.low, e.low);
  EXPECT_GE(wider.high, e.high);
}

TEST(EffectTest, ZeroBaselineMedianMakesAShiftInfinite) {
  const std::vector<double> baseline = {0, 0, 0, 1}, canary = {2, 2, 3, 3};
  EXPECT_TRUE(std::isinf(HodgesLehmannEffect(baseline, canary, 0.95).estimate));
  const std::vector<double> same = {0, 0, 0};
  EXPECT_EQ(HodgesLehmannEffect(same, same, 0.95).estimate, 0);
}

TEST(EffectTest, RateRatioWithKatzInterval) {
  const Effect e = RateRatioEffect(Counts{10, 1000}, Counts{20, 1000}, 0.95);
  EXPECT_NEAR(e.estimate, 1.0, 1e-12);
  const double se = std::sqrt(1.0 / 20 - 1.0 / 1000 + 1.0 / 10 - 1.0 / 1000);
  EXPECT_NEAR(e.low, std::exp(std::log(2.0) - 1.959963984540054 * se) - 1, 1e-9);
  EXPECT_NEAR(e.high, std::exp(std::log(2.0) + 1.959963984540054 * se) - 1, 1e-9);
  // No events anywhere: no change; no baseline events: finite thanks to the 0.5 correction.
  EXPECT_EQ(RateRatioEffect(Counts{0, 100}, Counts{0, 200}, 0.95).estimate, 0);
  const Effect zero = RateRatioEffect(Counts{0, 1000}, Counts{9, 1000}, 0.95);
  EXPECT_NEAR(zero.estimate, 9.5 / 0.5 - 1, 1e-12);
  EXPECT_TRUE(std::isfinite(zero.high));
}

}  // namespace
}  // namespace slipway::verify
