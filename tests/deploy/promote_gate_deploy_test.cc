// Policies `at: promote` inside Deployments::Deploy: a canary passes its deploy gate, its
// error budget starts burning while it pauses, and the promotion gate denies it: the rollout
// rolls back and the stable revision keeps serving; an active exemption lets it promote. A
// real haproxy routes (the canary needs a router) to endpoints that exec targets report; the
// SLI source is the test's, so the budget burns exactly when the test says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/fake_gate_ledger.h"
#include "deploy/haproxy_process.h"

namespace slipway::deploy {
namespace {

using testing::FakeLedger;
using testing::HaproxyProcess;
using ::testing::HasSubstr;
using testing::Lines;
using testing::TempDir;
using testing::WaitUntil;

// The share of failed requests the test sets; 0.5 burns any budget far above its freeze.
class TestSli : public verify::SliSource {
 public:
  explicit TestSli(const std::atomic<double>& ratio) : ratio_(ratio) {}
  Result<double> ErrorRatio(std::chrono::milliseconds) override { return ratio_.load(); }

 private:
  const std::atomic<double>& ratio_;
};

constexpr int kSlots = 4;

class PromoteGateDeployTest : public ::testing::Test {
 protected:
  void SetUp() override {
    haproxy_ = std::make_unique<HaproxyProcess>(dir_.path(), kSlots);
    ASSERT_TRUE(haproxy_->ok()) << haproxy_->error();
    // Revision rN reports one ready instance at 127.0.0.1:(9000 + N); nothing listens there,
    // haproxy only needs the addresses.
    yaml_ = R"(environments:
  production:
    target:
      exec:
        apply: 'true'
        status: 'echo "{\"desired\":1,\"running\":1,\"ready\":1,\"endpoints\":[\"127.0.0.1:$((9000 + ${SLIPWAY_REVISION#r}))\"],\"message\":\"\"}"'
    router:
      haproxy: { socket: )" +
            haproxy_->unix_socket() + ", backend: app, servers: " + std::to_string(kSlots) +
            R"( }
policies:
  tests:
    environments: production
    rules:
      - { rule: run.tests.failed == 0, message: the run's tests passed }
  error-budget:
    environments: production
    at: promote
    rules:
      - { rule: "!error_budget.frozen", message: the error budget is not burning }
      - { rule: "gate.step == 'promote'", message: this is the promotion gate }
slos:
  availability:
    objective: 99.9
    sli:
      prometheus:
        address: http://127.0.0.1:9
        good: 'sum(increase(ok[${{ window }}]))'
        total: 'sum(increase(all[${{ window }}]))'
    freeze: { environments: [production] }
jobs:
  ship:
    deploy:
      environment: production
      artifact: ./app
      strategy: { canary: { steps: [{set-weight: 20}, {pause: {}}] } }
)";
    spec::LoadResult loaded = spec::ParsePipeline(yaml_, "p.yml");
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.front().ToString();
    pipeline_ = std::move(*loaded.pipeline);
    std::filesystem::create_directories(dir_.path() / "workspace" / "app");
    testing::WriteText(dir_.path() / "workspace" / "app" / "VERSION", "v1\n");
    DeploymentsOptions options;
    options.state_dir = dir_.path() / "state";
    options.ledger = &ledger_;
    options.approval_poll_interval = std::chrono::milliseconds(10);
    options.sli_sources = [this](const spec::Slo&) -> Result<std::unique_ptr<verify::SliSource>> {
      return std::unique_ptr<verify::SliSource>(std::make_unique<TestSli>(error_ratio_));
    };
    options.freeze_check_interval = std::chrono::milliseconds(5);
    options.freeze_max_wait = std::chrono::milliseconds(50);
    deployments_ = std::make_unique<Deployments>(std::move(options));
  }

  runner::DeployRequest Request() {
    runner::DeployRequest request;
    request.pipeline = &pipeline_;
    request.pipeline_yaml = yaml_;
    request.job = pipeline_.FindJob("ship");
    request.artifact = "./app";
    request.workspace = dir_.path() / "workspace";
    request.project = "shop";
    request.branch = "main";
    request.run_id = "7";
    request.job_id = "ship";
    request.log = &log_;
    return request;
  }

  // Deploys, and when the canary pauses at 20% sets the error ratio to `ratio_at_pause`, then
  // approves the pause: what the promotion gate then measures is that ratio.
  runner::DeployOutcome DeployBurningAtPause(double ratio_at_pause) {
    error_ratio_ = 0;
    std::thread approver([&] {
      EXPECT_TRUE(WaitUntil([&] {
        auto status = deployments_->Describe("shop", "production");
        if (!status.ok() || !status->active) return false;
        for (const StepRecord& step : status->active->steps) {
          if (step.name == "set weight 20") return true;
        }
        return false;
      }));
      error_ratio_ = ratio_at_pause;
      EXPECT_TRUE(WaitUntil([&] { return deployments_->Approve("shop", "production").ok(); }));
    });
    const runner::DeployOutcome outcome = deployments_->Deploy(Request());
    approver.join();
    return outcome;
  }

  // The routes haproxy has now, as "r1=100".
  std::string Routes() {
    auto status = deployments_->Describe("shop", "production");
    if (!status.ok()) return status.status().ToString();
    std::string out;
    for (const Backend& backend : status->routes) {
      if (backend.weight == 0) continue;
      out += (out.empty() ? "" : ",") + backend.revision + "=" + std::to_string(backend.weight);
    }
    return out;
  }

  std::vector<std::string> Decisions() {
    std::lock_guard lock(ledger_.mutex);
    std::vector<std::string> out;
    for (const policy::GateRecord& record : ledger_.records) {
      out.push_back(std::to_string(record.deploy_id) + " " + spec::GateStepName(record.step) + " " +
                    record.decision);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<HaproxyProcess> haproxy_;
  FakeLedger ledger_;
  Lines log_;
  std::string yaml_;
  spec::Pipeline pipeline_;
  std::atomic<double> error_ratio_{0};
  std::unique_ptr<Deployments> deployments_;
};

TEST_F(PromoteGateDeployTest, ABudgetBurningAtPromotionRollsTheCanaryBack) {
  // The first deploy has nothing to replace: its promotion gate passes, r1 serves.
  const runner::DeployOutcome first = deployments_->Deploy(Request());
  ASSERT_EQ(first.outcome, runner::Outcome::kSuccess) << first.reason << log_.text();
  EXPECT_EQ(Routes(), "r1=100");

  const runner::DeployOutcome outcome = DeployBurningAtPause(0.5);
  EXPECT_EQ(outcome.outcome, runner::Outcome::kFailure) << log_.text();
  EXPECT_EQ(outcome.reason,
            "deploy to production rolled back: the release gate denied the promotion: "
            "error-budget: the error budget is not burning");
  EXPECT_EQ(Routes(), "r1=100") << "the stable revision keeps serving";
  auto status = deployments_->Describe("shop", "production");
  ASSERT_TRUE(status.ok());
  ASSERT_TRUE(status->stable.has_value());
  EXPECT_EQ(status->stable->id, "r1");

  EXPECT_THAT(Decisions(), ::testing::ElementsAre("1 deploy allow", "1 promote allow",
                                                  "2 deploy allow", "2 promote deny"));
  const policy::GateRecord& denied = ledger_.records.back();
  EXPECT_EQ(denied.input_digest, policy::InputDigest(denied.input_json));
  EXPECT_THAT(denied.input_json, HasSubstr(R"("frozen":true)"));
  EXPECT_THAT(denied.input_json, HasSubstr(R"("step":"promote")"));
  EXPECT_THAT(ledger_.records[2].input_json, HasSubstr(R"("frozen":false)"))
      << "the deploy gate measured the budget before it burned";
  EXPECT_THAT(log_.text(), HasSubstr("✘ promotion gate: error-budget: the error budget is not "
                                     "burning"));

  auto history = deployments_->History("shop", "production");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  const DeployRecord& record = history->back();
  EXPECT_EQ(record.outcome, "failed");
  EXPECT_EQ(record.gate, "allow");
  EXPECT_EQ(record.promote_gate, "deny");
  EXPECT_THAT(record.promote_gate_json, HasSubstr(denied.input_digest));
  ASSERT_GE(record.steps.size(), 2u);
  EXPECT_EQ(record.steps[record.steps.size() - 2].name, "promotion gate");
  EXPECT_EQ(record.steps.back().name, "rollback");
}

TEST_F(PromoteGateDeployTest, AnActiveExemptionLetsTheCanaryPromote) {
  const runner::DeployOutcome first = deployments_->Deploy(Request());
  ASSERT_EQ(first.outcome, runner::Outcome::kSuccess) << first.reason << log_.text();
  policy::Exemption exemption;
  exemption.id = 3;
  exemption.requested_by = "bo";
  exemption.justification = "the fix for the burn";
  exemption.expires = std::chrono::system_clock::now() + std::chrono::hours(1);
  ledger_.exemptions = {exemption};

  const runner::DeployOutcome outcome = DeployBurningAtPause(0.5);
  EXPECT_EQ(outcome.outcome, runner::Outcome::kSuccess) << outcome.reason << log_.text();
  EXPECT_EQ(Routes(), "r2=100");
  EXPECT_THAT(Decisions(), ::testing::ElementsAre("1 deploy allow", "1 promote allow",
                                                  "2 deploy allow", "2 promote exempted"));
  EXPECT_EQ(ledger_.records.back().exemption_id, 3);
  ASSERT_EQ(ledger_.uses.size(), 1u);
  EXPECT_THAT(ledger_.uses[0], HasSubstr("3: the promotion gate of deploy 2 to production"));
  EXPECT_THAT(log_.text(), HasSubstr("⚠ promotion gate: EXEMPTED — exemption 3 by bo"));
  auto history = deployments_->History("shop", "production");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().promote_gate, "exempted");
}

}  // namespace
}  // namespace slipway::deploy
