// MannWhitneyU and FisherExact on hand-checked cases and bad input (the scipy cross-check is
// mann_whitney_scipy_test.cc).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

TEST(MannWhitneyTest, SeparatedSmallSamplesUseTheExactDistribution) {
  // x entirely below y: U1 = 0; P(U <= 0) = 1 / binom(7, 3) = 1/35.
  const std::vector<double> x = {1, 2, 3}, y = {4, 5, 6, 7};
  auto r = MannWhitneyU(x, y, Alternative::kLess);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(r->u, 0);
  EXPECT_NEAR(r->p_value, 1.0 / 35, 1e-15);
  auto two = MannWhitneyU(x, y);
  EXPECT_NEAR(two->p_value, 2.0 / 35, 1e-15);
  auto greater = MannWhitneyU(x, y, Alternative::kGreater);
  EXPECT_NEAR(greater->p_value, 1.0, 1e-15);
}

TEST(MannWhitneyTest, TiesUseMidRanksAndTheApproximation) {
  // Pooled 1,2,2,3: ranks 1, 2.5, 2.5, 4. x = {2, 3}: R1 = 6.5, U1 = 3.5.
  const std::vector<double> x = {2, 3}, y = {1, 2};
  auto r = MannWhitneyU(x, y);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->exact);
  EXPECT_EQ(r->u, 3.5);
  EXPECT_FALSE(MannWhitneyU(x, y, Alternative::kTwoSided, RankMethod::kExact).ok());
}

TEST(MannWhitneyTest, NineAgainstNineIsAsymptoticEightAgainstManyIsExact) {
  std::vector<double> nine, other;
  for (int i = 0; i < 9; ++i) nine.push_back(i), other.push_back(i + 0.5);
  EXPECT_FALSE(MannWhitneyU(nine, other)->exact);
  std::vector<double> eight(nine.begin(), nine.begin() + 8), many;
  for (int i = 0; i < 50; ++i) many.push_back(i + 0.25);
  EXPECT_TRUE(MannWhitneyU(eight, many)->exact);
}

TEST(MannWhitneyTest, RejectsEmptyAndNonFiniteSamples) {
  const std::vector<double> empty, ok = {1, 2}, nan = {1, NAN}, inf = {INFINITY};
  EXPECT_FALSE(MannWhitneyU(empty, ok).ok());
  EXPECT_FALSE(MannWhitneyU(ok, empty).ok());
  EXPECT_FALSE(MannWhitneyU(nan, ok).ok());
  auto r = MannWhitneyU(ok, inf);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("finite"), std::string::npos);
}

TEST(FisherExactTest, OneSidedTailIsTheHypergeometricSum) {
  // [[3, 0], [0, 3]]: only the observed table is as extreme; 1/binom(6,3) = 1/20.
  auto r = FisherExact(3, 0, 0, 3, Alternative::kGreater);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->p_value, 0.05, 1e-15);
  EXPECT_TRUE(std::isinf(r->odds_ratio));
  EXPECT_NEAR(FisherExact(3, 0, 0, 3)->p_value, 0.1, 1e-15);
  EXPECT_EQ(FisherExact(0, 0, 1, 2)->p_value, 1);
}

}  // namespace
}  // namespace slipway::verify
