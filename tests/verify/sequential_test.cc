// SequentialJudge: over many simulated A/A analyses with 10 looks each the false-fail rate
// stays within alpha (where looking at every step with the fixed-sample judge does not), and
// clear regressions stop early.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

constexpr int kAnalyses = 300;
constexpr int kLooks = 10;
constexpr double kAlpha = 0.05;
// Three standard errors of a rate of 0.05 estimated from 300 analyses.
const double kNoise = 3 * std::sqrt(kAlpha * (1 - kAlpha) / kAnalyses);

MetricCriteria Strict(std::string name) {
  MetricCriteria c;
  c.name = std::move(name);
  c.allowed_change = 0;  // any significant change counts: the statistics alone decide
  c.confidence = 1 - kAlpha;
  return c;
}

// Grows one metric's cumulative data by one look's worth.
struct Simulation {
  std::mt19937 rng;
  MetricData data;
  explicit Simulation(uint32_t seed) : rng(seed) {}

  void AddCounts(double baseline_rate, double canary_rate, uint64_t requests) {
    if (!data.baseline_counts) data.baseline_counts = Counts{}, data.canary_counts = Counts{};
    std::binomial_distribution<uint64_t> b(requests, baseline_rate), c(requests, canary_rate);
    data.baseline_counts->events += b(rng), data.baseline_counts->total += requests;
    data.canary_counts->events += c(rng), data.canary_counts->total += requests;
  }
  void AddSamples(double baseline_median, double canary_median, int n) {
    std::lognormal_distribution<double> b(std::log(baseline_median), 0.4),
        c(std::log(canary_median), 0.4);
    for (int i = 0; i < n; ++i) {
      data.baseline_samples.push_back(b(rng));
      data.canary_samples.push_back(c(rng));
    }
  }
};

struct AnalysisRun {
  bool failed = false;
  int look = 0;  // the look that failed
};

// One analysis: kLooks looks, the last final; stops at the first fail.
template <typename Grow>
AnalysisRun Analyse(const MetricCriteria& criteria, uint32_t seed, Grow grow, bool naive) {
  Simulation sim(seed);
  SequentialJudge judge({criteria});
  for (int look = 1; look <= kLooks; ++look) {
    grow(sim);
    const bool final = look == kLooks;
    const Outcome outcome = naive ? Judge(std::span(&criteria, 1), std::span(&sim.data, 1)).outcome
                                  : judge.Look(std::span(&sim.data, 1), final).outcome;
    if (outcome == Outcome::kFail) return {true, look};
    if (!final && !naive) {
      EXPECT_EQ(outcome, Outcome::kInconclusive);
    }
  }
  return {};
}

template <typename Grow>
double FalseFailRate(const MetricCriteria& criteria, Grow grow, bool naive) {
  int failed = 0;
  for (int i = 0; i < kAnalyses; ++i) failed += Analyse(criteria, 1000 + i, grow, naive).failed;
  return static_cast<double>(failed) / kAnalyses;
}

TEST(SequentialJudgeTest, AaCountsKeepTheFalseFailRateWithinAlpha) {
  const auto grow = [](Simulation& s) { s.AddCounts(0.02, 0.02, 300); };
  const double sequential = FalseFailRate(Strict("errors"), grow, false);
  const double naive = FalseFailRate(Strict("errors"), grow, true);
  std::printf("A/A counts: false fails %.3f sequential, %.3f naive\n", sequential, naive);
  EXPECT_LE(sequential, kAlpha + kNoise) << "naive repeated looks: " << naive;
  EXPECT_LT(sequential, naive);
}

TEST(SequentialJudgeTest, AaSamplesKeepTheFalseFailRateWithinAlpha) {
  const auto grow = [](Simulation& s) { s.AddSamples(100, 100, 20); };
  const double sequential = FalseFailRate(Strict("latency"), grow, false);
  const double naive = FalseFailRate(Strict("latency"), grow, true);
  std::printf("A/A samples: false fails %.3f sequential, %.3f naive\n", sequential, naive);
  EXPECT_LE(sequential, kAlpha + kNoise) << "naive repeated looks: " << naive;
  // The test can tell: judging every look at full alpha inflates the rate well past alpha.
  EXPECT_GT(naive, kAlpha + kNoise) << "sequential: " << sequential;
}

TEST(SequentialJudgeTest, OnePercentAgainstFivePercentErrorsFailsEarly) {
  // 250 requests per side between looks (50 requests/s looked at every 5 s).
  MetricCriteria criteria = Strict("errors");
  criteria.allowed_change = 0.1;
  std::vector<int> looks;
  for (int i = 0; i < 50; ++i) {
    const AnalysisRun run = Analyse(
        criteria, 7 + i, [](Simulation& s) { s.AddCounts(0.01, 0.05, 250); }, false);
    ASSERT_TRUE(run.failed);
    looks.push_back(run.look);
  }
  std::sort(looks.begin(), looks.end());
  std::printf("1%% vs 5%% errors: stopped at look %d (median), %d (latest)\n",
              looks[looks.size() / 2], looks.back());
  EXPECT_LE(looks[looks.size() / 2], 3);  // the median analysis stops by its third look
  EXPECT_LT(looks.back(), kLooks);        // and every one before the final look
}

TEST(SequentialJudgeTest, LatencyRegressionFailsBeforeTheEnd) {
  MetricCriteria criteria = Strict("latency");
  criteria.allowed_change = 0.1;
  int early = 0;
  for (int i = 0; i < 20; ++i) {
    const AnalysisRun run = Analyse(
        criteria, 50 + i, [](Simulation& s) { s.AddSamples(100, 150, 20); }, false);
    ASSERT_TRUE(run.failed);
    early += run.look < kLooks;
    std::printf("%d ", run.look);
  }
  std::printf("<- latency +50%%: the look each analysis stopped at\n");
  EXPECT_GE(early, 18);
}

TEST(SequentialJudgeTest, AnEarlyFailStaysAndTheFinalVerdictExplainsIt) {
  Simulation sim(3);
  MetricCriteria errors = Strict("errors"), latency = Strict("latency");
  errors.critical = true;
  SequentialJudge judge({errors, latency});
  MetricData data[2];
  sim.AddCounts(0.01, 0.2, 500);
  data[0] = sim.data;
  data[1].baseline_samples.assign(30, 1.0);
  data[1].canary_samples.assign(30, 1.0);
  const Judgement first = judge.Look(data, false);
  EXPECT_EQ(first.outcome, Outcome::kFail) << first.summary;
  EXPECT_EQ(first.metrics[0].outcome, Outcome::kFail);
  EXPECT_EQ(first.metrics[0].test, "msprt (fisher-noncentral mixture)");
  EXPECT_LT(first.metrics[0].p_value, 0.025);
  EXPECT_EQ(first.metrics[1].outcome, Outcome::kInconclusive);
  EXPECT_NE(first.summary.find("fail early"), std::string::npos) << first.summary;
  const Judgement last = judge.Look(data, true);
  EXPECT_EQ(last.outcome, Outcome::kFail);
  EXPECT_NE(last.metrics[0].rule.find("look 1:"), std::string::npos) << last.metrics[0].rule;
  EXPECT_EQ(last.metrics[1].outcome, Outcome::kPass) << last.metrics[1].rule;
}

TEST(SequentialJudgeTest, QuietAnalysisPassesAtTheFinalLook) {
  Simulation sim(11);
  SequentialJudge judge({Strict("errors")});
  for (int look = 1; look < kLooks; ++look) {
    sim.AddCounts(0.01, 0.01, 1000);
    EXPECT_EQ(judge.Look(std::span(&sim.data, 1), false).outcome, Outcome::kInconclusive);
  }
  const Judgement last = judge.Look(std::span(&sim.data, 1), true);
  EXPECT_EQ(last.outcome, Outcome::kPass) << last.summary;
  EXPECT_NE(last.metrics[0].rule.find("final, at the alpha left 0.025"), std::string::npos)
      << last.metrics[0].rule;
}

}  // namespace
}  // namespace slipway::verify
