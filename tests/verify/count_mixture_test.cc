// The sequential count test's core claim: each look's likelihood ratio has mean exactly 1 when
// both revisions share one event probability, so the mixture is a martingale (Ville's
// inequality then bounds its false alarms).
#include "verify/count_mixture.h"

#include <gtest/gtest.h>

#include <cmath>

namespace slipway::verify {
namespace {

double LogChoose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

// Sum over the canary's possible event counts x (given the look's margins) of
// P_null(x) * M(x), for a first look: canary total nc, baseline total nb, k events in all.
double NullMean(Direction bad, uint64_t nc, uint64_t nb, uint64_t k) {
  double mean = 0;
  for (uint64_t x = (k > nb ? k - nb : 0); x <= std::min(k, nc); ++x) {
    CountMixture mixture(bad, 0.1);
    EXPECT_TRUE(mixture.Add(Counts{k - x, nb}, Counts{x, nc}));
    const double p =
        std::exp(LogChoose(double(nc), double(x)) + LogChoose(double(nb), double(k - x)) -
                 LogChoose(double(nc + nb), double(k)));
    mean += p * mixture.value();
  }
  return mean;
}

TEST(CountMixtureTest, EachLookHasMeanOneUnderTheNullHypothesis) {
  EXPECT_NEAR(NullMean(Direction::kIncrease, 100, 100, 7), 1, 1e-9);
  EXPECT_NEAR(NullMean(Direction::kIncrease, 50, 400, 30), 1, 1e-9);
  EXPECT_NEAR(NullMean(Direction::kDecrease, 300, 120, 60), 1, 1e-9);
  EXPECT_NEAR(NullMean(Direction::kEither, 1000, 1000, 25), 1, 1e-9);
}

TEST(CountMixtureTest, EvidenceGrowsWithARegressionAndPValueOnlyFalls) {
  CountMixture mixture(Direction::kIncrease, 0.1);
  double previous_p = 1;
  for (uint64_t look = 1; look <= 5; ++look) {
    ASSERT_TRUE(mixture.Add(Counts{5 * look, 500 * look}, Counts{25 * look, 500 * look}));
    EXPECT_LE(mixture.p_value(), previous_p);
    previous_p = mixture.p_value();
  }
  EXPECT_LT(previous_p, 1e-6);
  EXPECT_GT(mixture.value(), 1e6);
  // A canary with fewer errors is no evidence of an increase.
  CountMixture better(Direction::kIncrease, 0.1);
  ASSERT_TRUE(better.Add(Counts{25, 500}, Counts{5, 500}));
  EXPECT_EQ(better.p_value(), 1);
}

TEST(CountMixtureTest, CountsThatGoDownAreRefused) {
  CountMixture mixture(Direction::kIncrease, 0);
  ASSERT_TRUE(mixture.Add(Counts{5, 100}, Counts{5, 100}));
  EXPECT_FALSE(mixture.Add(Counts{4, 120}, Counts{6, 120}));
  EXPECT_FALSE(mixture.Add(Counts{5, 120}, Counts{200, 120}));
}

}  // namespace
}  // namespace slipway::verify
