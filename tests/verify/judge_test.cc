// Judge: per-metric verdicts explain themselves, and the scoring rules decide the outcome.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

std::vector<double> LogNormal(std::mt19937& rng, int n, double median) {
  std::lognormal_distribution<double> dist(std::log(median), 0.3);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(dist(rng));
  return v;
}

MetricData Samples(std::vector<double> baseline, std::vector<double> canary) {
  MetricData d;
  d.baseline_samples = std::move(baseline);
  d.canary_samples = std::move(canary);
  return d;
}

MetricData CountData(uint64_t be, uint64_t bt, uint64_t ce, uint64_t ct) {
  MetricData d;
  d.baseline_counts = Counts{be, bt};
  d.canary_counts = Counts{ce, ct};
  return d;
}

MetricCriteria Metric(std::string name, Direction bad = Direction::kIncrease) {
  MetricCriteria c;
  c.name = std::move(name);
  c.bad = bad;
  return c;
}

TEST(JudgeTest, LatencyThirtyPercentWorseFailsWithItsNumbers) {
  std::mt19937 rng(1);
  const MetricData data = Samples(LogNormal(rng, 200, 100), LogNormal(rng, 200, 130));
  const MetricCriteria criteria[] = {Metric("latency")};
  const Judgement j = Judge(criteria, std::span(&data, 1));
  ASSERT_EQ(j.metrics.size(), 1u);
  const MetricVerdict& m = j.metrics[0];
  EXPECT_EQ(j.outcome, Outcome::kFail);
  EXPECT_EQ(m.outcome, Outcome::kFail);
  EXPECT_EQ(m.test, "mann-whitney asymptotic");
  EXPECT_EQ(m.baseline_n, 200u);
  EXPECT_EQ(m.canary_n, 200u);
  EXPECT_NEAR(m.baseline_center, 100, 8);
  EXPECT_NEAR(m.canary_center, 130, 10);
  EXPECT_LT(m.effect_low, 0.3);
  EXPECT_GT(m.effect_high, 0.3);
  EXPECT_LT(m.effect_low, m.effect);
  EXPECT_LT(m.effect, m.effect_high);
  auto u = MannWhitneyU(data.canary_samples, data.baseline_samples, Alternative::kGreater);
  EXPECT_EQ(m.statistic, u->u);
  EXPECT_EQ(m.p_value, u->p_value);
  EXPECT_LT(m.p_value, 1e-6);
  EXPECT_NE(m.rule.find("beyond +10.0% allowed"), std::string::npos) << m.rule;
  EXPECT_EQ(j.score, 0);
  EXPECT_NE(j.summary.find("latency fail"), std::string::npos) << j.summary;
}

TEST(JudgeTest, IdenticalDistributionsPass) {
  std::mt19937 rng(2);
  const MetricData data = Samples(LogNormal(rng, 100, 100), LogNormal(rng, 100, 100));
  const MetricCriteria criteria[] = {Metric("latency")};
  const Judgement j = Judge(criteria, std::span(&data, 1));
  EXPECT_EQ(j.outcome, Outcome::kPass) << j.summary;
  EXPECT_EQ(j.score, 100);
  EXPECT_NE(j.metrics[0].rule.find("no significant change"), std::string::npos);
}

TEST(JudgeTest, SignificantButToleratedChangePasses) {
  std::mt19937 rng(3);
  const MetricData data = Samples(LogNormal(rng, 5000, 100), LogNormal(rng, 5000, 104));
  const MetricCriteria criteria[] = {Metric("latency")};
  const Judgement j = Judge(criteria, std::span(&data, 1));
  EXPECT_EQ(j.outcome, Outcome::kPass) << j.summary;
  EXPECT_LT(j.metrics[0].p_value, 0.05);
  EXPECT_NE(j.metrics[0].rule.find("within +10.0% allowed"), std::string::npos)
      << j.metrics[0].rule;
}

TEST(JudgeTest, DecreaseIsBadForThroughput) {
  std::mt19937 rng(4);
  const MetricData data = Samples(LogNormal(rng, 100, 100), LogNormal(rng, 100, 60));
  const MetricCriteria up[] = {Metric("throughput", Direction::kIncrease)};
  const MetricCriteria down[] = {Metric("throughput", Direction::kDecrease)};
  const MetricCriteria either[] = {Metric("throughput", Direction::kEither)};
  EXPECT_EQ(Judge(up, std::span(&data, 1)).outcome, Outcome::kPass);
  EXPECT_EQ(Judge(down, std::span(&data, 1)).outcome, Outcome::kFail);
  EXPECT_EQ(Judge(either, std::span(&data, 1)).outcome, Outcome::kFail);
}

TEST(JudgeTest, TooLittleDataIsInconclusiveNeverAPass) {
  const MetricData data = Samples({1, 2, 3}, {1, 2, 3, 4});
  const MetricCriteria criteria[] = {Metric("latency")};
  const Judgement j = Judge(criteria, std::span(&data, 1));
  EXPECT_EQ(j.outcome, Outcome::kInconclusive);
  EXPECT_EQ(j.score, 0);
  EXPECT_EQ(j.metrics[0].baseline_n, 3u);
  EXPECT_EQ(j.metrics[0].canary_center, 2.5);
  EXPECT_NE(j.metrics[0].rule.find("too little data"), std::string::npos);
  EXPECT_NE(j.summary.find("inconclusive"), std::string::npos);
}

TEST(JudgeTest, SparseErrorRegressionFailsTheCountTest) {
  const MetricData data = CountData(20, 2000, 100, 2000);  // 1% vs 5%
  const MetricCriteria criteria[] = {Metric("errors")};
  const Judgement j = Judge(criteria, std::span(&data, 1));
  const MetricVerdict& m = j.metrics[0];
  EXPECT_EQ(j.outcome, Outcome::kFail);
  EXPECT_EQ(m.test, "fisher exact");
  EXPECT_EQ(m.statistic, 100);
  EXPECT_DOUBLE_EQ(m.baseline_center, 0.01);
  EXPECT_DOUBLE_EQ(m.canary_center, 0.05);
  EXPECT_NEAR(m.effect, 4.0, 1e-12);
  EXPECT_LT(m.effect_low, 4.0);
  EXPECT_GT(m.effect_low, 1.0);
  EXPECT_EQ(m.p_value, FisherExact(100, 1900, 20, 1980, Alternative::kGreater)->p_value);
}

TEST(JudgeTest, ZeroBaselineErrorsStillGiveAFiniteEffect) {
  const MetricData data = CountData(0, 1000, 12, 1000);
  const MetricCriteria criteria[] = {Metric("errors")};
  const Judgement j = Judge(criteria, std::span(&data, 1));
  EXPECT_EQ(j.outcome, Outcome::kFail);
  EXPECT_TRUE(std::isfinite(j.metrics[0].effect));
  EXPECT_GT(j.metrics[0].effect, 10);
}

TEST(JudgeTest, ScoreThresholdsAndCriticalMetrics) {
  // Ten metrics of equal weight; the bad ones fail the count test.
  std::vector<MetricCriteria> criteria;
  std::vector<MetricData> data;
  auto run = [&](int bad, bool first_critical) {
    criteria.clear(), data.clear();
    for (int i = 0; i < 10; ++i) {
      criteria.push_back(Metric("m" + std::to_string(i)));
      criteria.back().critical = first_critical && i == 0;
      data.push_back(i < bad ? CountData(20, 2000, 100, 2000) : CountData(20, 2000, 20, 2000));
    }
    return Judge(criteria, data);
  };
  EXPECT_EQ(run(0, false).outcome, Outcome::kPass);
  const Judgement one = run(1, false);
  EXPECT_EQ(one.score, 90);
  EXPECT_EQ(one.outcome, Outcome::kMarginal);
  EXPECT_EQ(run(1, true).outcome, Outcome::kFail);  // critical: fails whatever the score
  const Judgement three = run(3, false);
  EXPECT_EQ(three.score, 70);
  EXPECT_EQ(three.outcome, Outcome::kFail);
}

TEST(JudgeTest, CriticalMetricWithoutDataBlocksAPass) {
  const MetricCriteria criteria[] = {Metric("errors"), Metric("latency")};
  MetricCriteria c[] = {criteria[0], criteria[1]};
  c[1].critical = true;
  const MetricData data[] = {CountData(20, 2000, 20, 2000), Samples({1}, {2})};
  const Judgement j = Judge(c, data);
  EXPECT_EQ(j.score, 100);
  EXPECT_EQ(j.outcome, Outcome::kInconclusive);
  EXPECT_NE(j.summary.find("latency inconclusive"), std::string::npos) << j.summary;
}

TEST(JudgeTest, CriticalFailureWithoutWeightStillFails) {
  MetricCriteria c[] = {Metric("errors"), Metric("latency")};
  c[0].critical = true;
  c[0].weight = 0;
  const MetricData data[] = {CountData(20, 2000, 100, 2000), Samples({1}, {2})};
  const Judgement j = Judge(c, data);
  EXPECT_EQ(j.outcome, Outcome::kFail) << j.summary;
}

TEST(JudgeTest, BadDataIsInconclusiveWithTheReason) {
  std::vector<double> with_nan(30, 1.0), fine(30, 2.0);
  with_nan[7] = NAN;
  const MetricData data[] = {Samples(with_nan, fine), CountData(30, 20, 1, 40), MetricData{}};
  const MetricCriteria criteria[] = {Metric("a"), Metric("b"), Metric("c")};
  const Judgement j = Judge(criteria, data);
  EXPECT_EQ(j.outcome, Outcome::kInconclusive);
  EXPECT_NE(j.metrics[0].rule.find("not a finite number"), std::string::npos) << j.metrics[0].rule;
  EXPECT_NE(j.metrics[1].rule.find("more events than the total"), std::string::npos);
  EXPECT_NE(j.metrics[2].rule.find("too little data"), std::string::npos);
}

}  // namespace
}  // namespace slipway::verify
