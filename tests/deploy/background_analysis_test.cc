// A canary's background analysis, through the real template analyzer and analysis run with a
// fake metric provider: it aborts the rollout in the middle of a long pause as soon as the
// canary turns bad, concludes at promotion otherwise, and is recorded as "background".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/fake_deploy.h"
#include "deploy/template_analyzer.h"

namespace slipway::deploy {
namespace {

using ::testing::Contains;
using testing::FakeRouter;
using testing::FakeTarget;
using ::testing::HasSubstr;
using testing::TempDir;
using namespace std::chrono_literals;

RevisionSpec Revision(const std::string& id) {
  return {.id = id, .digest = "sha256:" + id, .artifact_dir = "/tmp", .instances = 2, .env = {}};
}

CanaryStepPlan Weight(int weight) {
  CanaryStepPlan step;
  step.weight = weight;
  return step;
}
CanaryStepPlan Pause(std::chrono::milliseconds pause) {
  CanaryStepPlan step;
  step.kind = CanaryStepPlan::Kind::kPause;
  step.pause = pause;
  return step;
}

// The canary's error rate as the fake source answers it: one number, settable at any time.
class ErrorRateSource : public verify::Provider {
 public:
  explicit ErrorRateSource(const std::atomic<double>& rate) : rate_(rate) {}
  Result<verify::Measurement> Measure(const verify::MeasureRequest&) override {
    verify::Measurement m;
    m.value = rate_.load();
    m.result = expr::Value(*m.value);
    return m;
  }

 private:
  const std::atomic<double>& rate_;
};

struct BackgroundAnalysisTest : ::testing::Test {
  FakeTarget target;
  FakeRouter router;
  spec::Pipeline pipeline;
  TempDir dir;
  std::atomic<double> error_rate{0.0};
  std::mutex log_mutex;
  std::vector<std::string> log;

  BackgroundAnalysisTest() {
    EXPECT_TRUE(target.Apply(Revision("stable")).ok());
    spec::AnalysisTemplate analysis;
    analysis.name = "errors";
    analysis.interval = 20ms;
    analysis.count = 3;  // a background analysis looks on past its count
    spec::AnalysisMetric metric;
    metric.name = "error-rate";
    metric.success_condition = "result < 0.1";
    analysis.metrics.push_back(metric);
    pipeline.analysis_templates.push_back(analysis);
  }

  Analyzer TemplateAnalyzer() {
    return MakeTemplateAnalyzer(
        {.pipeline = &pipeline,
         .project = "shop",
         .environment = "production",
         .deploy_id = 7,
         .analyses_dir = dir.path() / "analyses",
         .target = &target,
         .health = {},
         .proxy = std::nullopt,
         .log =
             [this](const std::string& line) {
               std::lock_guard lock(log_mutex);
               log.push_back(line);
             },
         .providers =
             [this](const spec::AnalysisMetric&) -> Result<std::unique_ptr<verify::Provider>> {
           return std::unique_ptr<verify::Provider>(new ErrorRateSource(error_rate));
         }});
  }

  RolloutOptions Options(Analyzer analyzer) {
    return {.target = &target,
            .router = &router,
            .analyzer = std::move(analyzer),
            .ready_timeout = 300ms,
            .poll_interval = 5ms,
            .drain_delay = 0ms,
            .on_step = {},
            .before_promotion = {}};
  }

  static StrategyPlan Canary(std::vector<CanaryStepPlan> steps, int start_after_step = 0) {
    StrategyPlan plan;
    plan.kind = StrategyPlan::Kind::kCanary;
    plan.steps = std::move(steps);
    plan.background_analysis = StrategyPlan::BackgroundAnalysis{
        .template_name = "errors", .args = {}, .start_after_step = start_after_step};
    return plan;
  }

  verify::AnalysisRecord Record(const std::string& id) {
    Result<verify::AnalysisRecord> record = ReadAnalysis(dir.path() / "analyses", id);
    EXPECT_TRUE(record.ok()) << record.status().message();
    return record.ok() ? record.value() : verify::AnalysisRecord{};
  }
};

std::vector<std::string> StepNames(const RolloutResult& result) {
  std::vector<std::string> names;
  for (const StepRecord& step : result.steps) names.push_back(step.name + ":" + step.outcome);
  return names;
}

// Waits (up to 10 s) until the rollout's current step starts with `prefix`.
bool WaitForStep(const Rollout& rollout, const std::string& prefix) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (rollout.current_step().starts_with(prefix)) return true;
    std::this_thread::sleep_for(2ms);
  }
  return false;
}

TEST_F(BackgroundAnalysisTest, ACanaryTurningBadMidPauseIsRolledBackWithoutWaitingForThePause) {
  Rollout rollout(Options(TemplateAnalyzer()), Revision("stable"), Revision("next"),
                  Canary({Weight(25), Pause(10min)}));
  std::thread turn_bad([&] {
    ASSERT_TRUE(WaitForStep(rollout, "pause"));
    // Good looks first, more than the template's count of 3.
    EXPECT_TRUE(testing::WaitUntil([&] {
      auto record = ReadAnalysis(dir.path() / "analyses", "production.7.1");
      return record.ok() && record->looks > 3;
    }));
    error_rate = 0.5;
  });
  const auto started = std::chrono::steady_clock::now();
  const RolloutResult result = rollout.Run();
  const auto took = std::chrono::steady_clock::now() - started;
  turn_bad.join();

  EXPECT_FALSE(result.succeeded);
  EXPECT_LT(took, 5min) << "the rollout waited for its pause instead of rolling back";
  EXPECT_THAT(result.reason, HasSubstr("background analysis failed: analysis production.7.1: "
                                       "metric error-rate failed 1 times (limit 0); last "
                                       "value 0.5"));
  EXPECT_THAT(
      StepNames(result),
      ::testing::ElementsAre("start next (1 instances):ok", "start background analysis errors:ok",
                             "set weight 25:ok", "pause 10m00s:aborted", "rollback:ok"));
  EXPECT_EQ(router.History().back(), "stable=100");
  EXPECT_THAT(target.removed, Contains("next"));

  const verify::AnalysisRecord record = Record("production.7.1");
  EXPECT_EQ(record.kind, "background");
  EXPECT_EQ(record.outcome, verify::Outcome::kFail);
  EXPECT_FALSE(record.running);
  EXPECT_GT(record.looks, 3) << "it should have looked on past its count of 3";
  EXPECT_EQ(record.measurements.back().phase, "failed");
  std::lock_guard lock(log_mutex);
  EXPECT_THAT(log, Contains(HasSubstr("analysis production.7.1 (background): template errors, "
                                      "next against stable")));
}

TEST_F(BackgroundAnalysisTest, AGoodCanaryIsPromotedAndTheAnalysisConcludesAtPromotion) {
  Rollout rollout(Options(TemplateAnalyzer()), Revision("stable"), Revision("next"),
                  Canary({Weight(25), Pause(150ms), Weight(50)}, /*start_after_step=*/1));
  const RolloutResult result = rollout.Run();
  ASSERT_TRUE(result.succeeded) << result.reason;
  // It starts after the first step and concludes before the promotion.
  EXPECT_THAT(StepNames(result),
              ::testing::ElementsAre("start next (1 instances):ok", "set weight 25:ok",
                                     "start background analysis errors:ok", "pause 150ms:ok",
                                     "set weight 50:ok", "conclude background analysis:ok",
                                     "promote next:ok", "stop stable:ok"));
  const verify::AnalysisRecord record = Record("production.7.1");
  EXPECT_EQ(record.kind, "background");
  EXPECT_EQ(record.outcome, verify::Outcome::kPass) << record.summary;
  EXPECT_FALSE(record.running);
  EXPECT_GE(record.looks, 1);
  EXPECT_EQ(result.steps[5].message, "analysis production.7.1: " + record.summary);
}

TEST_F(BackgroundAnalysisTest, AFailingStepStopsTheBackgroundAnalysisToo) {
  // A step analysis that fails while the background one runs: the rollout rolls back and the
  // background thread ends with it (Run returns; the record is no longer running).
  pipeline.analysis_templates.push_back(pipeline.analysis_templates[0]);
  pipeline.analysis_templates[1].name = "strict";
  pipeline.analysis_templates[1].metrics[0].success_condition = "result < 0.0";
  CanaryStepPlan strict;
  strict.kind = CanaryStepPlan::Kind::kAnalysis;
  strict.analysis = "strict";
  Rollout rollout(Options(TemplateAnalyzer()), Revision("stable"), Revision("next"),
                  Canary({Weight(25), strict, Pause(10min)}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  // Both analyses start at once: which gets which number depends on the threads.
  Result<std::vector<verify::AnalysisRecord>> records = ReadAnalyses(dir.path() / "analyses");
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 2u);
  std::map<std::string, verify::AnalysisRecord> by_kind;
  for (const verify::AnalysisRecord& record : *records) by_kind[record.kind] = record;
  ASSERT_EQ(by_kind.size(), 2u);
  EXPECT_THAT(result.reason,
              HasSubstr("analysis failed: analysis " + by_kind["step"].id + ": metric error-rate"));
  EXPECT_EQ(by_kind["step"].template_name, "strict");
  EXPECT_EQ(by_kind["background"].template_name, "errors");
  EXPECT_FALSE(by_kind["background"].running);
}

TEST_F(BackgroundAnalysisTest, InconclusiveAtTheEndWaitsForAHuman) {
  // An analyzer that has too little data when it is asked to conclude.
  std::atomic<bool> asked{false};
  Analyzer analyzer = [&](const AnalysisRequest& request) {
    EXPECT_TRUE(request.background);
    while (!request.conclude->load() && !request.stop->load()) std::this_thread::sleep_for(1ms);
    asked = true;
    return AnalysisVerdict{AnalysisVerdict::Outcome::kInconclusive, "too few requests"};
  };
  Rollout rollout(Options(analyzer), Revision("stable"), Revision("next"), Canary({Weight(25)}));
  std::thread approver([&] {
    ASSERT_TRUE(WaitForStep(rollout, "background analysis inconclusive: waiting for approval"));
    EXPECT_EQ(router.History().back(), "stable=75,next=25") << "nothing promoted before approval";
    EXPECT_TRUE(rollout.Approve().ok());
  });
  const RolloutResult result = rollout.Run();
  approver.join();
  EXPECT_TRUE(asked.load());
  ASSERT_TRUE(result.succeeded) << result.reason;
  EXPECT_EQ(result.steps[3].name, "conclude background analysis");
  EXPECT_EQ(result.steps[3].message, "too few requests (inconclusive; approved)");
}

}  // namespace
}  // namespace slipway::deploy
