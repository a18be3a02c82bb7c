#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "deploy/deploy.h"
#include "deploy/fake_deploy.h"

namespace slipway::deploy {
namespace {

using ::testing::ElementsAre;
using testing::FakeRouter;
using testing::FakeTarget;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

RevisionSpec Revision(const std::string& id, int instances = 2) {
  return {.id = id,
          .digest = "sha256:" + id,
          .artifact_dir = "/tmp",
          .instances = instances,
          .env = {}};
}

CanaryStepPlan Weight(int weight) {
  CanaryStepPlan step;
  step.weight = weight;
  return step;
}
CanaryStepPlan Pause(std::optional<std::chrono::milliseconds> pause) {
  CanaryStepPlan step;
  step.kind = CanaryStepPlan::Kind::kPause;
  step.pause = pause;
  return step;
}
CanaryStepPlan Analysis() {
  CanaryStepPlan step;
  step.kind = CanaryStepPlan::Kind::kAnalysis;
  return step;
}

StrategyPlan Canary(std::vector<CanaryStepPlan> steps) {
  StrategyPlan plan;
  plan.kind = StrategyPlan::Kind::kCanary;
  plan.steps = std::move(steps);
  return plan;
}

Analyzer Verdict(AnalysisVerdict::Outcome outcome, std::string summary) {
  return [=](const AnalysisRequest&) { return AnalysisVerdict{outcome, summary}; };
}

struct RolloutTest : ::testing::Test {
  FakeTarget target;
  FakeRouter router;
  RolloutTest() {
    // The stable revision is already serving.
    EXPECT_TRUE(target.Apply(Revision("stable")).ok());
  }
  RolloutOptions Options(Analyzer analyzer = {}) {
    return {.target = &target,
            .router = &router,
            .analyzer = std::move(analyzer),
            .ready_timeout = 300ms,
            .poll_interval = 5ms,
            .drain_delay = 0ms,
            .on_step = {},
            .before_promotion = {}};
  }
};

std::vector<std::string> StepNames(const RolloutResult& result) {
  std::vector<std::string> names;
  for (const StepRecord& step : result.steps) names.push_back(step.name + ":" + step.outcome);
  return names;
}

TEST_F(RolloutTest, CanaryShiftsTrafficStepByStepThenStopsTheOldRevision) {
  Rollout rollout(Options(Verdict(AnalysisVerdict::Outcome::kPass, "fine")), Revision("stable"),
                  Revision("next"), Canary({Weight(5), Pause(10ms), Analysis(), Weight(25)}));
  const RolloutResult result = rollout.Run();
  ASSERT_TRUE(result.succeeded) << result.reason;
  EXPECT_THAT(router.History(), ElementsAre("stable=95,next=5", "stable=75,next=25",
                                            "stable=0,next=100", "next=100"));
  EXPECT_THAT(StepNames(result),
              ElementsAre("start next (1 instances):ok", "set weight 5:ok", "pause 10ms:ok",
                          "analysis:ok", "set weight 25:ok", "promote next:ok", "stop stable:ok"));
  EXPECT_EQ(result.steps[3].message, "fine");
  EXPECT_FALSE(target.Running("stable"));
  // Canary instances grow with the weight: 1 for 5% and 25% of 2, then all 2.
  EXPECT_EQ(target.applies.back(), (std::pair<std::string, int>("next", 2)));
}

TEST_F(RolloutTest, FailedAnalysisRollsBackToStableAndStopsTheCanary) {
  Rollout rollout(Options(Verdict(AnalysisVerdict::Outcome::kFail, "5xx 9% vs 1%")),
                  Revision("stable"), Revision("next"),
                  Canary({Weight(10), Analysis(), Weight(50)}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  EXPECT_THAT(result.reason, HasSubstr("5xx 9% vs 1%"));
  EXPECT_THAT(router.History(), ElementsAre("stable=90,next=10", "stable=100"));
  EXPECT_FALSE(target.Running("next"));
  EXPECT_TRUE(target.Running("stable"));
  EXPECT_EQ(result.steps.back().name, "rollback");
}

TEST_F(RolloutTest, AbortRoutesToStableBeforeItReturnsAndSkipsRemainingSteps) {
  Rollout rollout(Options(), Revision("stable"), Revision("next"),
                  Canary({Weight(20), Pause(std::nullopt), Weight(100)}));
  std::thread runner([&] {
    const RolloutResult result = rollout.Run();
    EXPECT_FALSE(result.succeeded);
    EXPECT_EQ(result.reason, "manual rollback by ana");
  });
  while (rollout.current_step() != "pause until approved") std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(rollout.Abort("manual rollback by ana").ok());
  // Traffic is back on stable the moment Abort returns, whatever the rollout thread does.
  EXPECT_EQ(router.History().back(), "stable=100");
  runner.join();
  EXPECT_FALSE(target.Running("next"));
  for (const std::string& table : router.History()) EXPECT_NE(table, "stable=0,next=100");
  EXPECT_FALSE(rollout.Abort("again").ok()) << "a finished rollout cannot be aborted";
}

TEST_F(RolloutTest, ApproveReleasesAPauseWithoutDuration) {
  Rollout rollout(Options(), Revision("stable"), Revision("next"),
                  Canary({Weight(50), Pause(std::nullopt)}));
  std::thread approver([&] {
    while (rollout.current_step() != "pause until approved") std::this_thread::sleep_for(1ms);
    while (!rollout.Approve().ok()) std::this_thread::sleep_for(1ms);
  });
  const RolloutResult result = rollout.Run();
  approver.join();
  EXPECT_TRUE(result.succeeded) << result.reason;
}

TEST_F(RolloutTest, AnApprovalGivenBeforeAPauseIsRefusedNotKept) {
  Rollout rollout(Options(), Revision("stable"), Revision("next"),
                  Canary({Weight(50), Pause(50ms), Pause(std::nullopt)}));
  std::thread runner([&] { EXPECT_FALSE(rollout.Run().succeeded); });
  while (rollout.current_step() != "pause 50ms") std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(rollout.Approve().ok()) << "nothing waits for an approval during a timed pause";
  while (rollout.current_step() != "pause until approved") std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rollout.current_step(), "pause until approved") << "the early approval was kept";
  ASSERT_TRUE(rollout.Abort("done").ok());
  runner.join();
}

TEST_F(RolloutTest, RequiredApprovalsComeBeforeAnythingStarts) {
  StrategyPlan plan = Canary({Weight(50)});
  plan.approvals_before_start = 2;
  Rollout rollout(Options(), Revision("stable"), Revision("next"), plan);
  std::thread approver([&] {
    for (const char* step : {"wait for approval 1 of 2", "wait for approval 2 of 2"}) {
      while (rollout.current_step() != step) std::this_thread::sleep_for(1ms);
      EXPECT_FALSE(target.Running("next")) << "started before its approvals";
      while (!rollout.Approve().ok()) std::this_thread::sleep_for(1ms);
    }
  });
  const RolloutResult result = rollout.Run();
  approver.join();
  ASSERT_TRUE(result.succeeded) << result.reason;
  EXPECT_EQ(result.steps[0].name, "wait for approval 1 of 2");
  EXPECT_EQ(result.steps[2].name, "start next (1 instances)");
}

TEST_F(RolloutTest, InconclusiveAnalysisWaitsForAHumanInsteadOfPassing) {
  Rollout rollout(Options(Verdict(AnalysisVerdict::Outcome::kInconclusive, "3 requests")),
                  Revision("stable"), Revision("next"), Canary({Weight(10), Analysis()}));
  std::thread watcher([&] {
    while (rollout.current_step() != "analysis inconclusive: waiting for approval") {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(router.History().back(), "stable=90,next=10") << "no promotion while waiting";
    while (!rollout.Approve().ok()) std::this_thread::sleep_for(1ms);
  });
  const RolloutResult result = rollout.Run();
  watcher.join();
  EXPECT_TRUE(result.succeeded);
  EXPECT_THAT(result.steps[2].message, HasSubstr("inconclusive; approved"));
}

TEST_F(RolloutTest, CanaryThatNeverBecomesReadyFailsWithTheReasonAndStableKeepsServing) {
  target.never_ready.insert("next");
  Rollout rollout(Options(), Revision("stable"), Revision("next"), Canary({Weight(10)}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  EXPECT_THAT(result.reason, HasSubstr("revision next has 0 of 1 instances ready after 300ms"));
  EXPECT_THAT(router.History(), ElementsAre("stable=100"));
  EXPECT_TRUE(target.Running("stable"));
}

TEST_F(RolloutTest, CrashLoopingCanaryFailsAtOnce) {
  target.crash_looping.insert("next");
  Rollout rollout(Options(), Revision("stable"), Revision("next"), Canary({Weight(10)}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  EXPECT_THAT(result.reason, HasSubstr("crash-looping"));
  EXPECT_THAT(result.reason, HasSubstr("exit status 3"));
}

TEST_F(RolloutTest, UnreachableRouterAbortsTheDeploy) {
  router.unavailable = true;
  Rollout rollout(Options(), Revision("stable"), Revision("next"), Canary({Weight(10)}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  EXPECT_THAT(result.reason, HasSubstr("router down"));
  EXPECT_THAT(result.steps.back().message, HasSubstr("rollback: router down"));
  EXPECT_FALSE(target.Running("next"));
}

StrategyPlan BlueGreen(std::chrono::milliseconds keep_warm, bool auto_promote = true) {
  StrategyPlan plan;
  plan.kind = StrategyPlan::Kind::kBlueGreen;
  plan.scale_down_delay = keep_warm;
  plan.auto_promote = auto_promote;
  return plan;
}

TEST_F(RolloutTest, BlueGreenSwitchesAtOnceAfterGreenIsReadyAndAnalysed) {
  std::vector<AnalysisRequest> requests;
  Analyzer analyzer = [&](const AnalysisRequest& request) {
    requests.push_back(request);
    // Green gets no traffic before the switch.
    EXPECT_TRUE(router.History().empty());
    return AnalysisVerdict{AnalysisVerdict::Outcome::kPass, "healthy"};
  };
  Rollout rollout(Options(analyzer), Revision("stable"), Revision("next", 3), BlueGreen(5ms));
  const RolloutResult result = rollout.Run();
  ASSERT_TRUE(result.succeeded) << result.reason;
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].receives_traffic);
  EXPECT_THAT(router.History(), ElementsAre("stable=0,next=100", "next=100"));
  EXPECT_EQ(target.applies[1], (std::pair<std::string, int>("next", 3)));
  EXPECT_FALSE(target.Running("stable"));
}

TEST_F(RolloutTest, AbortWhileBlueIsKeptWarmSwitchesBackToBlue) {
  Rollout rollout(Options(), Revision("stable"), Revision("next"), BlueGreen(10s));
  std::thread runner([&] { EXPECT_FALSE(rollout.Run().succeeded); });
  while (rollout.current_step().rfind("keep stable warm", 0) != 0) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(rollout.Abort("errors after the switch").ok());
  EXPECT_EQ(router.History().back(), "stable=100");
  runner.join();
  EXPECT_TRUE(target.Running("stable"));
  EXPECT_FALSE(target.Running("next"));
}

TEST_F(RolloutTest, BlueGreenWithoutAutoPromoteWaitsForApproval) {
  Rollout rollout(Options(), Revision("stable"), Revision("next"), BlueGreen(0ms, false));
  std::thread approver([&] {
    while (rollout.current_step() != "wait for approval to switch") {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_TRUE(router.History().empty());
    while (!rollout.Approve().ok()) std::this_thread::sleep_for(1ms);
  });
  EXPECT_TRUE(rollout.Run().succeeded);
  approver.join();
  EXPECT_EQ(router.History().back(), "next=100");
}

TEST_F(RolloutTest, RollingReplacesInstancesBatchByBatch) {
  StrategyPlan plan;
  plan.kind = StrategyPlan::Kind::kRolling;
  plan.batch_size = 1;
  Rollout rollout(Options(), Revision("stable", 2), Revision("next", 2), plan);
  const RolloutResult result = rollout.Run();
  ASSERT_TRUE(result.succeeded) << result.reason;
  EXPECT_THAT(router.History(),
              ElementsAre("stable=50,next=50", "stable=50,next=50", "stable=0,next=100",
                          "stable=0,next=100", "stable=0,next=100", "next=100"));
  // New instances come up before old ones go (no max-unavailable): next 1, stable 1, next 2.
  EXPECT_EQ(target.applies[1], (std::pair<std::string, int>("next", 1)));
  EXPECT_EQ(target.applies[2], (std::pair<std::string, int>("stable", 1)));
  EXPECT_FALSE(target.Running("stable"));
}

TEST_F(RolloutTest, FirstDeployStartsAndRoutesEverything) {
  FakeTarget empty;
  RolloutOptions options = Options();
  options.target = &empty;
  Rollout rollout(options, std::nullopt, Revision("next"), Canary({Weight(10)}));
  const RolloutResult result = rollout.Run();
  ASSERT_TRUE(result.succeeded) << result.reason;
  EXPECT_THAT(router.History(), ElementsAre("next=100"));
}

TEST_F(RolloutTest, CanaryWithoutRouterIsRefused) {
  RolloutOptions options = Options();
  options.router = nullptr;
  Rollout rollout(options, Revision("stable"), Revision("next"), Canary({Weight(10)}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  EXPECT_THAT(result.reason, HasSubstr("need a router"));
  EXPECT_TRUE(target.Running("stable"));
}

}  // namespace
}  // namespace slipway::deploy
