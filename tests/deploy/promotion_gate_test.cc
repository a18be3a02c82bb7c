// RolloutOptions::before_promotion (the promotion gate) with the fake target and router: a
// canary asks it after its last step and before the new revision takes all the traffic, a
// blue-green before its switch, a rolling update never; a refusal rolls back like a failed
// analysis and the stable revision keeps serving.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/deploy.h"
#include "deploy/fake_deploy.h"

namespace slipway::deploy {
namespace {

using ::testing::ElementsAre;
using testing::FakeRouter;
using testing::FakeTarget;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

RevisionSpec Revision(const std::string& id) {
  return {.id = id, .digest = "sha256:" + id, .artifact_dir = "/tmp", .instances = 2, .env = {}};
}

StrategyPlan Plan(StrategyPlan::Kind kind, std::vector<int> weights = {}) {
  StrategyPlan plan;
  plan.kind = kind;
  plan.scale_down_delay = 0ms;
  for (int weight : weights) {
    CanaryStepPlan step;
    step.weight = weight;
    plan.steps.push_back(step);
  }
  return plan;
}

std::vector<std::string> StepNames(const RolloutResult& result) {
  std::vector<std::string> names;
  for (const StepRecord& step : result.steps) names.push_back(step.name + ":" + step.outcome);
  return names;
}

struct PromotionGateTest : ::testing::Test {
  FakeTarget target;
  FakeRouter router;
  std::vector<std::vector<std::string>> seen;  // the router's tables when the gate was asked
  Status answer;

  PromotionGateTest() { EXPECT_TRUE(target.Apply(Revision("stable")).ok()); }

  RolloutOptions Options() {
    return {.target = &target,
            .router = &router,
            .analyzer = {},
            .ready_timeout = 300ms,
            .poll_interval = 5ms,
            .drain_delay = 0ms,
            .on_step = {},
            .before_promotion = [this] {
              seen.push_back(router.History());
              return answer;
            }};
  }
};

TEST_F(PromotionGateTest, ACanaryAsksAfterItsLastStepBeforeTheNewRevisionTakesAllTraffic) {
  Rollout rollout(Options(), Revision("stable"), Revision("next"),
                  Plan(StrategyPlan::Kind::kCanary, {10, 25}));
  const RolloutResult result = rollout.Run();
  ASSERT_TRUE(result.succeeded) << result.reason;
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_THAT(seen[0], ElementsAre("stable=90,next=10", "stable=75,next=25"));
  EXPECT_THAT(StepNames(result),
              ElementsAre("start next (1 instances):ok", "set weight 10:ok", "set weight 25:ok",
                          "promotion gate:ok", "promote next:ok", "stop stable:ok"));
}

TEST_F(PromotionGateTest, ARefusalRollsBackAndTheStableRevisionKeepsServing) {
  answer = FailedPrecondition("the release gate denied the promotion: budget: it holds");
  Rollout rollout(Options(), Revision("stable"), Revision("next"),
                  Plan(StrategyPlan::Kind::kCanary, {20}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  EXPECT_EQ(result.reason, "the release gate denied the promotion: budget: it holds");
  EXPECT_THAT(router.History(), ElementsAre("stable=80,next=20", "stable=100"));
  EXPECT_TRUE(target.Running("stable"));
  EXPECT_FALSE(target.Running("next"));
  EXPECT_THAT(StepNames(result), ElementsAre("start next (1 instances):ok", "set weight 20:ok",
                                             "promotion gate:failed", "rollback:ok"));
}

TEST_F(PromotionGateTest, ABlueGreenAsksBeforeItsSwitchAndARollingUpdateNever) {
  Rollout blue_green(Options(), Revision("stable"), Revision("next"),
                     Plan(StrategyPlan::Kind::kBlueGreen));
  ASSERT_TRUE(blue_green.Run().succeeded);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_THAT(seen[0], IsEmpty()) << "green had no traffic yet";

  seen.clear();
  answer = FailedPrecondition("never asked");
  Rollout rolling(Options(), Revision("next"), Revision("third"),
                  Plan(StrategyPlan::Kind::kRolling));
  const RolloutResult result = rolling.Run();
  EXPECT_TRUE(result.succeeded) << result.reason;
  EXPECT_THAT(seen, IsEmpty());
}

TEST_F(PromotionGateTest, AFirstDeployAsksToo) {
  FakeTarget empty;
  RolloutOptions options = Options();
  options.target = &empty;
  answer = FailedPrecondition("denied");
  Rollout rollout(options, std::nullopt, Revision("next"), Plan(StrategyPlan::Kind::kCanary, {10}));
  const RolloutResult result = rollout.Run();
  EXPECT_FALSE(result.succeeded);
  EXPECT_THAT(router.History(), IsEmpty()) << "nothing was ever routed to it";
  EXPECT_FALSE(empty.Running("next"));
}

}  // namespace
}  // namespace slipway::deploy
