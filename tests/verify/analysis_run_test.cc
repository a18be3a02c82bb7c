// RunAnalysis with scripted providers and a fake clock: Argo Rollouts' limits for condition
// metrics, the sequential judge for judged ones, and what gets recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "spec/spec.h"
#include "verify/verify.h"

namespace slipway::verify {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

// Answers from a script per revision; an empty script repeats its last answer.
class ScriptedProvider : public Provider {
 public:
  using Answer = std::function<Result<Measurement>(int call)>;
  explicit ScriptedProvider(std::map<std::string, Answer> answers) : answers_(std::move(answers)) {}
  Result<Measurement> Measure(const MeasureRequest& request) override {
    const std::string revision = request.variables.at("revision").as_string();
    return answers_.at(revision)(calls_[revision]++);
  }

 private:
  std::map<std::string, Answer> answers_;
  std::map<std::string, int> calls_;
};

Measurement Value(double value) {
  Measurement m;
  m.value = value;
  m.result = expr::Value(value);
  return m;
}

spec::AnalysisMetric ConditionMetric(std::string name, std::string success, std::string failure) {
  spec::AnalysisMetric metric;
  metric.name = std::move(name);
  metric.success_condition = std::move(success);
  metric.failure_condition = std::move(failure);
  return metric;
}

struct Harness {
  spec::AnalysisTemplate analysis;
  std::map<std::string, std::map<std::string, ScriptedProvider::Answer>> scripts;  // per metric
  std::atomic<bool> stop{false};
  std::chrono::system_clock::time_point clock{seconds(1'800'000'000)};
  std::vector<AnalysisRecord> looks;
  std::string baseline = "r1";
  // > 0: a background run, told to conclude during this sleep (the one before that look).
  int conclude_at_sleep = 0;
  std::atomic<bool> conclude{false};
  int sleeps = 0;

  AnalysisRecord Run() {
    AnalysisRunOptions options;
    options.analysis = &analysis;
    options.id = "production.2.1";
    options.canary_revision = "r2";
    options.baseline_revision = baseline;
    options.variables = {{"environment", "production"}};
    options.providers =
        [this](const spec::AnalysisMetric& metric) -> Result<std::unique_ptr<Provider>> {
      if (!scripts.count(metric.name)) return InvalidArgument("no script for " + metric.name);
      return std::unique_ptr<Provider>(new ScriptedProvider(scripts[metric.name]));
    };
    options.stop = &stop;
    options.sleep = [this](std::chrono::milliseconds duration) {
      clock += duration;
      if (++sleeps == conclude_at_sleep) conclude = true;
    };
    if (conclude_at_sleep > 0) {
      options.kind = "background";
      options.conclude = &conclude;
    }
    options.now = [this] { return clock; };
    options.on_look = [this](const AnalysisRecord& record) { looks.push_back(record); };
    return RunAnalysis(options);
  }
};

ScriptedProvider::Answer Always(double value) {
  return [value](int) { return Result<Measurement>(Value(value)); };
}

TEST(AnalysisRun, ConditionMetricThatHoldsEveryLookPasses) {
  Harness h;
  h.analysis.name = "smoke";
  h.analysis.count = 4;
  h.analysis.interval = seconds(5);
  h.analysis.metrics = {ConditionMetric("status", "result == 200", "")};
  h.scripts["status"]["r2"] = Always(200);
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kPass) << record.summary;
  EXPECT_FALSE(record.running);
  EXPECT_EQ(record.looks, 4);
  EXPECT_EQ(record.finished - record.started, seconds(20));
  ASSERT_EQ(record.conditions.size(), 1u);
  EXPECT_EQ(record.conditions[0].successful, 4);
  ASSERT_EQ(record.measurements.size(), 4u);
  EXPECT_EQ(record.measurements[0].phase, "successful");
  EXPECT_EQ(record.measurements[0].value, 200);
  EXPECT_THAT(record.summary, HasSubstr("status 4/4 successful"));
  EXPECT_EQ(h.looks.size(), 5u);  // each look, then the end
}

TEST(AnalysisRun, FailuresBeyondTheLimitFailTheRunAtOnce) {
  Harness h;
  h.analysis.name = "t";
  h.analysis.count = 10;
  auto metric = ConditionMetric("status", "result == 200", "");
  metric.failure_limit = 1;
  h.analysis.metrics = {metric};
  h.scripts["status"]["r2"] = [](int call) {
    return Result<Measurement>(Value(call == 0 ? 200 : 503));
  };
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kFail);
  EXPECT_EQ(record.looks, 3);  // ok, failed (tolerated), failed
  EXPECT_EQ(record.summary, "metric status failed 2 times (limit 1); last value 503");
}

TEST(AnalysisRun, ASourceThatKeepsFailingFailsTheRunAndNeverPasses) {
  Harness h;
  h.analysis.name = "t";
  h.analysis.count = 10;
  auto metric = ConditionMetric("p99", "result < 0.5", "");
  metric.consecutive_error_limit = 2;
  h.analysis.metrics = {metric};
  h.scripts["p99"]["r2"] = [](int) -> Result<Measurement> {
    return Unavailable("prometheus http://127.0.0.1:9: connection refused");
  };
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kFail);
  EXPECT_EQ(record.looks, 3);
  EXPECT_EQ(record.summary,
            "metric p99: 3 measurement errors in a row (limit 2): prometheus "
            "http://127.0.0.1:9: connection refused");
  EXPECT_EQ(record.measurements.back().phase, "error");
}

TEST(AnalysisRun, ErrorsBetweenGoodMeasurementsAreToleratedUpToTheLimit) {
  Harness h;
  h.analysis.name = "t";
  h.analysis.count = 6;
  auto metric = ConditionMetric("status", "result == 200", "");
  metric.consecutive_error_limit = 1;
  h.analysis.metrics = {metric};
  h.scripts["status"]["r2"] = [](int call) -> Result<Measurement> {
    if (call % 2 == 1) return Unavailable("slow");
    return Value(200);
  };
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kPass) << record.summary;
  EXPECT_EQ(record.conditions[0].errors, 3);
  EXPECT_EQ(record.conditions[0].successful, 3);
}

TEST(AnalysisRun, AConditionThatCannotBeEvaluatedIsAnErrorNotAPass) {
  Harness h;
  h.analysis.name = "t";
  h.analysis.count = 3;
  auto metric = ConditionMetric("status", "result", "");  // a number is not a bool
  metric.consecutive_error_limit = 0;
  h.analysis.metrics = {metric};
  h.scripts["status"]["r2"] = Always(1);
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kFail);
  EXPECT_THAT(record.summary, HasSubstr("condition 'result'"));
}

TEST(AnalysisRun, NeitherConditionHoldingIsInconclusiveBeyondItsLimit) {
  Harness h;
  h.analysis.name = "t";
  h.analysis.count = 5;
  auto metric = ConditionMetric("rate", "result == 1", "result == 0");
  metric.inconclusive_limit = 1;
  h.analysis.metrics = {metric};
  h.scripts["rate"]["r2"] = Always(0.5);
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kInconclusive);
  EXPECT_EQ(record.summary, "metric rate was inconclusive 2 times (limit 1)");
}

TEST(AnalysisRun, StoppingEndsTheRunAsFailed) {
  Harness h;
  h.analysis.name = "t";
  h.analysis.count = 100;
  h.analysis.metrics = {ConditionMetric("status", "result == 200", "")};
  h.scripts["status"]["r2"] = [&h](int call) {
    if (call == 2) h.stop = true;
    return Result<Measurement>(Value(200));
  };
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kFail);
  EXPECT_EQ(record.summary, "stopped");
  EXPECT_EQ(record.looks, 3);
}

TEST(AnalysisRun, AProviderThatCannotBeMadeFailsTheRun) {
  Harness h;
  h.analysis.name = "t";
  h.analysis.metrics = {ConditionMetric("nowhere", "result == 1", "")};
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kFail);
  EXPECT_EQ(record.summary, "metric nowhere: no script for nowhere");
}

TEST(AnalysisRun, RecordsSurviveTheirJsonForm) {
  Harness h;
  h.analysis.name = "smoke";
  h.analysis.count = 2;
  h.analysis.metrics = {ConditionMetric("status", "result == 200", "")};
  h.scripts["status"]["r2"] = Always(200);
  const AnalysisRecord record = h.Run();
  Result<AnalysisRecord> back = ParseAnalysisRecordJson(AnalysisRecordJson(record));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value().id, "production.2.1");
  EXPECT_EQ(back.value().outcome, Outcome::kPass);
  EXPECT_EQ(back.value().started, record.started);
  EXPECT_EQ(back.value().finished, record.finished);
  EXPECT_EQ(back.value().measurements.size(), 2u);
  EXPECT_EQ(back.value().measurements[1].value, 200);
  EXPECT_EQ(back.value().conditions[0].successful, 2);
  // The list's form leaves the measurements out and keeps the rest.
  const nlohmann::json summaries = nlohmann::json::parse(AnalysisSummariesJson({record, record}));
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_FALSE(summaries[0].contains("measurements"));
  EXPECT_EQ(summaries[0]["id"], "production.2.1");
  EXPECT_EQ(summaries[0]["conditions"][0]["successful"], 2);
  EXPECT_FALSE(ParseAnalysisRecordJson("{\"id\": 3}").ok());
  EXPECT_FALSE(ParseAnalysisRecordJson("not json").ok());
}

spec::AnalysisMetric JudgedMetric(std::string name, int64_t min_samples) {
  spec::AnalysisMetric metric;
  metric.name = std::move(name);
  metric.judge = spec::JudgeSpec{};
  metric.judge->min_samples = min_samples;
  metric.judge->critical = true;
  return metric;
}

// Cumulative error counters as the proxy reports them: `rate` of `per_look` requests fail.
ScriptedProvider::Answer Counter(double rate, uint64_t per_look, uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  auto counts = std::make_shared<Counts>(Counts{.events = 5, .total = 1000});  // before the start
  return [=](int) {
    std::bernoulli_distribution failed(rate);
    for (uint64_t i = 0; i < per_look; ++i) {
      ++counts->total;
      if (failed(*rng)) ++counts->events;
    }
    Measurement m;
    m.counts = *counts;
    m.value = static_cast<double>(counts->events) / counts->total;
    m.result = expr::Value(*m.value);
    return Result<Measurement>(m);
  };
}

TEST(AnalysisRun, AJudgedErrorRateRegressionStopsTheRunEarly) {
  Harness h;
  h.analysis.name = "canary";
  h.analysis.count = 30;
  h.analysis.interval = seconds(2);
  h.analysis.metrics = {JudgedMetric("errors", 50)};
  h.scripts["errors"]["r1"] = Counter(0.01, 400, 1);  // baseline: 1% of 200 req/s
  h.scripts["errors"]["r2"] = Counter(0.05, 100, 2);  // canary: 5% of 50 req/s
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kFail) << record.summary;
  EXPECT_LT(record.looks, 30);
  ASSERT_EQ(record.judgement.metrics.size(), 1u);
  const MetricVerdict& verdict = record.judgement.metrics[0];
  EXPECT_EQ(verdict.outcome, Outcome::kFail);
  // Counted from the start of the analysis, not since the proxy started.
  EXPECT_EQ(verdict.canary_n, 100u * record.looks);
  EXPECT_EQ(verdict.baseline_n, 400u * record.looks);
  EXPECT_GT(verdict.canary_center, 0.02);
  EXPECT_LT(verdict.p_value, 0.05);
  // Both revisions are measured at every look.
  EXPECT_EQ(record.measurements.size(), 2u * record.looks);
  EXPECT_EQ(record.measurements[0].counts->total, 100u);
}

TEST(AnalysisRun, IdenticalRevisionsPass) {
  Harness h;
  h.analysis.name = "canary";
  h.analysis.count = 10;
  h.analysis.metrics = {JudgedMetric("errors", 50)};
  h.scripts["errors"]["r1"] = Counter(0.01, 400, 3);
  h.scripts["errors"]["r2"] = Counter(0.01, 100, 4);
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kPass) << record.summary;
  EXPECT_EQ(record.looks, 10);
}

TEST(AnalysisRun, TooLittleDataIsExtendedThenInconclusive) {
  Harness h;
  h.analysis.name = "canary";
  h.analysis.count = 4;
  h.analysis.extend = 2;
  h.analysis.metrics = {JudgedMetric("errors", 500)};
  h.scripts["errors"]["r1"] = Counter(0.01, 50, 5);
  h.scripts["errors"]["r2"] = Counter(0.01, 10, 6);  // 60 canary requests in 6 looks
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kInconclusive) << record.summary;
  EXPECT_EQ(record.looks, 6);
}

TEST(AnalysisRun, WithoutABaselineOnlyConditionsDecide) {
  Harness h;
  h.baseline = "";
  h.analysis.name = "canary";
  h.analysis.count = 2;
  h.analysis.metrics = {JudgedMetric("errors", 50), ConditionMetric("up", "result == 1", "")};
  h.scripts["up"]["r2"] = Always(1);
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kPass) << record.summary;
  EXPECT_THAT(record.summary, HasSubstr("no baseline revision to compare errors with"));
  EXPECT_TRUE(record.judgement.metrics.empty());
}

TEST(AnalysisRun, ABackgroundRunLooksPastItsCountUntilToldToConclude) {
  Harness h;
  h.analysis.name = "smoke";
  h.analysis.count = 3;
  h.analysis.interval = seconds(5);
  h.analysis.metrics = {ConditionMetric("status", "result == 200", "")};
  h.scripts["status"]["r2"] = Always(200);
  h.conclude_at_sleep = 8;
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kPass) << record.summary;
  EXPECT_EQ(record.kind, "background");
  EXPECT_EQ(record.looks, 8);  // the look after the conclude request is the last
  EXPECT_EQ(record.measurements.size(), 8u);
  EXPECT_THAT(record.summary, HasSubstr("status 8/8 successful"));
  EXPECT_EQ(nlohmann::json::parse(AnalysisRecordJson(record))["kind"], "background");
  EXPECT_EQ(ParseAnalysisRecordJson(AnalysisRecordJson(record)).value().kind, "background");
}

TEST(AnalysisRun, ABackgroundRunFailsAsSoonAsTheCanaryTurnsBad) {
  Harness h;
  h.analysis.name = "smoke";
  h.analysis.count = 2;
  h.analysis.metrics = {ConditionMetric("status", "result == 200", "")};
  // Good for 10 looks (well past the count), then 500s.
  h.scripts["status"]["r2"] = [](int call) {
    return Result<Measurement>(Value(call < 10 ? 200 : 500));
  };
  h.conclude_at_sleep = 1000;
  const AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kFail) << record.summary;
  EXPECT_EQ(record.looks, 11);
  EXPECT_THAT(record.summary, HasSubstr("metric status failed 1 times"));
  EXPECT_FALSE(h.conclude.load());
}

TEST(AnalysisRun, ABackgroundRunJudgesItsDataSoFarWhenItConcludes) {
  Harness h;
  h.analysis.name = "canary";
  h.analysis.count = 10;
  h.analysis.metrics = {JudgedMetric("errors", 50)};
  h.scripts["errors"]["r1"] = Counter(0.01, 400, 3);
  h.scripts["errors"]["r2"] = Counter(0.01, 100, 4);
  h.conclude_at_sleep = 4;  // before the count: the final verdict on 4 looks
  AnalysisRecord record = h.Run();
  EXPECT_EQ(record.outcome, Outcome::kPass) << record.summary;
  EXPECT_EQ(record.looks, 4);
  EXPECT_EQ(record.judgement.metrics.at(0).canary_n, 400u);

  Harness thin;  // too little data when it concludes: inconclusive, never a pass
  thin.analysis.name = "canary";
  thin.analysis.count = 10;
  thin.analysis.metrics = {JudgedMetric("errors", 500)};
  thin.scripts["errors"]["r1"] = Counter(0.01, 50, 5);
  thin.scripts["errors"]["r2"] = Counter(0.01, 10, 6);
  thin.conclude_at_sleep = 2;
  record = thin.Run();
  EXPECT_EQ(record.outcome, Outcome::kInconclusive) << record.summary;
  EXPECT_EQ(record.looks, 2);  // no extension: it concludes when told
}

// The proxy's latency ring holds the newest samples; only those that arrived since the last
// look are new.
TEST(MeasurementSeries, TakesOnlyNewSamplesFromARing) {
  Harness h;
  h.analysis.name = "canary";
  h.analysis.count = 3;
  h.analysis.metrics = {JudgedMetric("latency", 1)};
  auto ring = [](double base) {
    return [base](int call) {
      Measurement m;
      const uint64_t seen = 10 + 5 * static_cast<uint64_t>(call);  // 5 new requests per look
      for (uint64_t i = seen > 8 ? seen - 8 : 0; i < seen; ++i) m.samples.push_back(base + i);
      m.samples_seen = seen;
      return Result<Measurement>(m);
    };
  };
  h.scripts["latency"]["r1"] = ring(100);
  h.scripts["latency"]["r2"] = ring(100);
  const AnalysisRecord record = h.Run();
  ASSERT_EQ(record.judgement.metrics.size(), 1u);
  EXPECT_EQ(record.judgement.metrics[0].canary_n, 15u);
  EXPECT_EQ(record.measurements[0].samples, 5u);
}

}  // namespace
}  // namespace slipway::verify
