// The release gate inside Deployments::Deploy, with a fake ledger: a deny fails the deploy
// before anything starts, an active exemption lets it through (its use noted), an exemption
// pending its second approval does not; a deploy waits for approvals, and a rejection or a
// rollback ends the wait. Exec targets whose commands record what they were asked to do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "deploy/deploy.h"
#include "deploy_test_util.h"
#include "fake_gate_ledger.h"

namespace slipway::deploy {
namespace {

using testing::FakeLedger;
using ::testing::HasSubstr;
using testing::Lines;
using testing::ReadText;
using testing::TempDir;
using testing::WaitUntil;

class DeployGateTest : public ::testing::Test {
 protected:
  // The pipeline: production runs revisions through exec commands that append to `applied`.
  // `environment_extra` is more of production's settings (protection:, promote-from:);
  // `staging`, when set, declares a staging environment like production.
  void Load(const std::string& environment_extra, const std::string& policies,
            const std::string& slos = "", bool staging = false) {
    const std::string target = R"(    target:
      exec:
        apply: echo "$SLIPWAY_REVISION" >> )" +
                               (dir_.path() / "applied").string() + R"(
        status: 'echo "{\"desired\":1,\"running\":1,\"ready\":1,\"endpoints\":[],\"message\":\"\"}"'
)";
    yaml_ = "environments:\n  production:\n" + target + environment_extra +
            (staging ? "  staging:\n" + target : "") + policies + slos +
            "jobs:\n  ship:\n    deploy: { environment: production, artifact: ./app }\n" +
            (staging ? "  stage:\n    deploy: { environment: staging, artifact: ./app }\n" : "");
    spec::LoadResult loaded = spec::ParsePipeline(yaml_, "p.yml");
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.front().ToString();
    pipeline_ = std::move(*loaded.pipeline);
    std::filesystem::create_directories(dir_.path() / "workspace" / "app");
    testing::WriteText(dir_.path() / "workspace" / "app" / "VERSION", "v1\n");
    DeploymentsOptions options;
    options.state_dir = dir_.path() / "state";
    options.ledger = &ledger_;
    options.approval_poll_interval = std::chrono::milliseconds(10);
    options.sli_sources = sli_sources_;
    options.freeze_check_interval = std::chrono::milliseconds(5);
    options.freeze_max_wait = std::chrono::milliseconds(50);
    deployments_ = std::make_unique<Deployments>(std::move(options));
  }

  runner::DeployOutcome Deploy(const std::string& job = "ship") { return DeployFromRun("7", job); }

  runner::DeployOutcome DeployFromRun(const std::string& run_id, const std::string& job = "ship") {
    runner::DeployRequest request;
    request.pipeline = &pipeline_;
    request.pipeline_yaml = yaml_;
    request.job = pipeline_.FindJob(job);
    request.artifact = "./app";
    request.workspace = dir_.path() / "workspace";
    request.project = "shop";
    request.branch = "main";
    request.run_id = run_id;
    request.job_id = job;
    request.log = &log_;
    return deployments_->Deploy(request);
  }

  // The revisions the target was asked to apply, each once ("r1 r2"); "" when none.
  std::string Applied() {
    std::set<std::string> revisions;
    std::istringstream lines(ReadText(dir_.path() / "applied"));
    for (std::string line; std::getline(lines, line);) revisions.insert(line);
    std::string out;
    for (const std::string& revision : revisions) out += (out.empty() ? "" : " ") + revision;
    return out;
  }

  TempDir dir_;
  FakeLedger ledger_;
  Lines log_;
  std::string yaml_;
  spec::Pipeline pipeline_;
  SliSourceFactory sli_sources_;
  std::unique_ptr<Deployments> deployments_;
};

// Half of all requests fail: far above any freeze threshold.
class FailingSli : public verify::SliSource {
 public:
  Result<double> ErrorRatio(std::chrono::milliseconds) override { return 0.5; }
};

constexpr char kTestsPolicy[] = R"(policies:
  tests:
    environments: production
    rules:
      - { rule: run.tests.failed == 0, message: the run's tests passed }
      - { rule: "change.author != ''", message: the change has an author }
)";

TEST_F(DeployGateTest, ADenyFailsTheDeployBeforeAnythingStarts) {
  ASSERT_NO_FATAL_FAILURE(Load("", kTestsPolicy));
  ledger_.failed_tests = 2;
  const runner::DeployOutcome outcome = Deploy();
  EXPECT_EQ(outcome.outcome, runner::Outcome::kFailure);
  EXPECT_EQ(outcome.reason, "the release gate denied the deploy: tests: the run's tests passed");
  EXPECT_EQ(Applied(), "") << "nothing may be applied";
  ASSERT_EQ(ledger_.records.size(), 1u);
  const policy::GateRecord& record = ledger_.records[0];
  EXPECT_EQ(record.decision, "deny");
  EXPECT_EQ(record.deploy_id, 1);
  EXPECT_EQ(record.run_id, "7");
  EXPECT_EQ(record.input_digest, policy::InputDigest(record.input_json));
  EXPECT_THAT(record.input_json, HasSubstr(R"("failed":2)"));
  auto history = deployments_->History("shop", "production");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().outcome, "failed");
  EXPECT_EQ(history->front().gate, "deny");
  EXPECT_THAT(history->front().gate_json, HasSubstr(record.input_digest));
}

constexpr char kDocsOnlyPolicy[] = R"(policies:
  docs-only:
    environments: production
    rules:
      - { rule: 'change.files.all(f, f.startsWith("docs/"))', message: only docs change }
)";

TEST_F(DeployGateTest, ChangedFilesAreThoseSinceTheRunThatDeployedTheServingRevision) {
  ASSERT_NO_FATAL_FAILURE(Load("", kDocsOnlyPolicy));
  ledger_.changes["7"] = {"docs/index.md"};
  ledger_.changes["8"] = {"docs/a.md", "src/main.cc"};
  ledger_.changes["9"] = {"docs/b.md"};
  // Nothing serves production yet: the ledger is asked for every file of run 7's commit.
  ASSERT_EQ(DeployFromRun("7").outcome, runner::Outcome::kSuccess) << log_.text();
  EXPECT_THAT(log_.text(),
              HasSubstr("gate: change.files: every file of the commit, 1 file (nothing was "
                        "deployed to production before)"));
  const runner::DeployOutcome denied = DeployFromRun("8");
  EXPECT_EQ(denied.outcome, runner::Outcome::kFailure);
  EXPECT_EQ(denied.reason, "the release gate denied the deploy: docs-only: only docs change");
  EXPECT_THAT(log_.text(), HasSubstr("gate: change.files: 2 files changed since r1 (run 7)"));
  // The failed deploy of run 8 changed nothing: run 9 is compared with run 7 again.
  ASSERT_EQ(DeployFromRun("9").outcome, runner::Outcome::kSuccess) << log_.text();
  ASSERT_EQ(DeployFromRun("10").outcome, runner::Outcome::kSuccess) << log_.text();
  EXPECT_EQ(ledger_.diffs, (std::vector<std::string>{"..7", "7..8", "7..9", "9..10"}));
  ASSERT_EQ(ledger_.records.size(), 4u);
  EXPECT_THAT(ledger_.records[1].input_json,
              HasSubstr(R"("files":["docs/a.md","src/main.cc"],"files_known":true)"));
  EXPECT_THAT(ledger_.records[3].input_json, HasSubstr(R"("files":[],"files_known":true)"))
      << "nothing changed: every rule over the files holds";
}

TEST_F(DeployGateTest, UnknownChangedFilesAreLoggedAndNeverFailTheDeploy) {
  ASSERT_NO_FATAL_FAILURE(Load("", R"(policies:
  files:
    environments: production
    rules:
      - { rule: '!change.files_known && size(change.files) == 0', message: files unknown }
)"));
  ledger_.changes_error = NotFound("the server has no copy of /srv/shop.git");
  ASSERT_EQ(Deploy().outcome, runner::Outcome::kSuccess) << log_.text();
  EXPECT_THAT(
      log_.text(),
      HasSubstr("gate: change.files is unknown: the server has no copy of /srv/shop.git\n"));

  // More files than a gate lists: unknown, not cut short.
  ledger_.changes_error = Status::Ok();
  for (size_t i = 0; i <= policy::kMaxChangedFiles; ++i) {
    ledger_.changes["8"].push_back("docs/" + std::to_string(i) + ".md");
  }
  ASSERT_EQ(DeployFromRun("8").outcome, runner::Outcome::kSuccess) << log_.text();
  EXPECT_THAT(log_.text(), HasSubstr("gate: change.files is unknown: 10001 files changed, more "
                                     "than the 10000 a gate lists"));
  ASSERT_EQ(ledger_.records.size(), 2u);
  EXPECT_THAT(ledger_.records[1].input_json, HasSubstr(R"("files":[],"files_known":false)"));
}

TEST_F(DeployGateTest, AnActiveExemptionOverridesADenyAndAPendingOneDoesNot) {
  ASSERT_NO_FATAL_FAILURE(Load("", kTestsPolicy));
  ledger_.failed_tests = 1;
  policy::Exemption pending;
  pending.id = 4;
  pending.requested_by = "ana";
  pending.justification = "outage";
  pending.expires = std::chrono::system_clock::now() + std::chrono::hours(1);
  pending.needs_second_approval = true;
  ledger_.exemptions = {pending};
  EXPECT_EQ(Deploy().outcome, runner::Outcome::kFailure);
  EXPECT_TRUE(ledger_.uses.empty());

  ledger_.exemptions[0].approved_by = "bo";
  const runner::DeployOutcome outcome = Deploy();
  EXPECT_EQ(outcome.outcome, runner::Outcome::kSuccess) << outcome.reason << log_.text();
  EXPECT_EQ(Applied(), "r2");
  ASSERT_EQ(ledger_.records.size(), 2u);
  EXPECT_EQ(ledger_.records[1].decision, "exempted");
  EXPECT_EQ(ledger_.records[1].exemption_id, 4);
  ASSERT_EQ(ledger_.uses.size(), 1u);
  EXPECT_THAT(ledger_.uses[0], HasSubstr("4: the gate of deploy 2 to production"));
  EXPECT_THAT(log_.text(), HasSubstr("⚠ gate: EXEMPTED — exemption 4 by ana, approved by bo"));
}

TEST_F(DeployGateTest, PromotionOrderHoldsUntilStagingHadTheReleaseOrAnExemptionOverrides) {
  ASSERT_NO_FATAL_FAILURE(Load("    promote-from: [staging]\n", "", "", /*staging=*/true));
  runner::DeployOutcome refused = Deploy();
  EXPECT_EQ(refused.outcome, runner::Outcome::kFailure);
  EXPECT_EQ(refused.reason,
            "production takes releases promoted from staging, and the artifact of run 7 has not "
            "been deployed successfully to staging yet");
  EXPECT_EQ(Applied(), "") << "nothing may be applied";

  // The same run deployed it to staging: production takes it.
  ASSERT_EQ(Deploy("stage").outcome, runner::Outcome::kSuccess) << log_.text();
  const runner::DeployOutcome promoted = Deploy();
  EXPECT_EQ(promoted.outcome, runner::Outcome::kSuccess) << promoted.reason;
  auto history = deployments_->History("shop", "production");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->at(0).outcome, "failed");
  EXPECT_EQ(history->at(1).outcome, "succeeded");
  EXPECT_EQ(history->at(1).run_id, "7");
  EXPECT_EQ(history->at(1).triggered_by, "ana") << "who started the run, from the gate ledger";

  // An emergency: an active exemption lets a release skip staging, and says so.
  policy::Exemption exemption;
  exemption.id = 9;
  exemption.requested_by = "bo";
  exemption.justification = "hotfix";
  exemption.expires = std::chrono::system_clock::now() + std::chrono::hours(1);
  ledger_.exemptions = {exemption};
  const runner::DeployOutcome hotfix = DeployFromRun("8");  // never deployed to staging
  EXPECT_EQ(hotfix.outcome, runner::Outcome::kSuccess) << hotfix.reason;
  EXPECT_THAT(log_.text(), HasSubstr("⚠ deploy: promotion order OVERRIDDEN by exemption 9 (bo)"));
  ASSERT_FALSE(ledger_.uses.empty());
  EXPECT_THAT(ledger_.uses.back(), HasSubstr("the promotion order of production"));
}

TEST_F(DeployGateTest, ADeployLeftRunningByAProcessThatDiedIsClosedByTheNextOwner) {
  ASSERT_NO_FATAL_FAILURE(Load("", ""));
  ASSERT_EQ(Deploy().outcome, runner::Outcome::kSuccess) << log_.text();
  // Another process recorded deploy 2 as running, then died.
  DeployRecord stale;
  stale.id = 2;
  stale.project = "shop";
  stale.environment = "production";
  stale.outcome = "running";
  stale.started = std::chrono::system_clock::now();
  ASSERT_TRUE(MakeFileLedger(dir_.path() / "state")->RecordDeploy(stale).ok());
  auto history = deployments_->History("shop", "production");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().outcome, "running") << "this process still owns the environment";

  ASSERT_NO_FATAL_FAILURE(Load("", ""));  // a new process takes the environment over
  ASSERT_TRUE(deployments_->Describe("shop", "production").ok());
  history = deployments_->History("shop", "production");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->front().outcome, "succeeded");
  EXPECT_EQ(history->back().outcome, "failed");
  EXPECT_EQ(history->back().reason, "interrupted: the slipway process deploying it stopped");
}

TEST_F(DeployGateTest, ADeployWaitsForDistinctApprovalsWithTheRole) {
  ASSERT_NO_FATAL_FAILURE(Load(R"(    protection:
      approvals: { count: 2, role: releaser, not-author: true }
)",
                               ""));
  std::thread approvers([&] {
    EXPECT_TRUE(WaitUntil(
        [&] { return deployments_->AwaitingApproval("shop", "production").has_value(); }));
    const auto pending = deployments_->AwaitingApproval("shop", "production");
    EXPECT_EQ(pending ? pending->deploy_id : 0, 1);
    EXPECT_EQ(pending ? pending->run_id : "", "7");
    ledger_.Approve("ana", "admin");      // the author
    ledger_.Approve("dev", "developer");  // role too low
    ledger_.Approve("bo", "releaser");
    ledger_.Approve("bo", "releaser");  // counted once
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(Applied(), "") << "one valid approval is not enough";
    ledger_.Approve("cy", "admin");
  });
  const runner::DeployOutcome outcome = Deploy();
  approvers.join();
  EXPECT_EQ(outcome.outcome, runner::Outcome::kSuccess) << outcome.reason;
  EXPECT_EQ(Applied(), "r1");
  EXPECT_THAT(log_.text(), HasSubstr("✔ deploy: approved by 2 of the 2 needed"));
  EXPECT_FALSE(deployments_->AwaitingApproval("shop", "production").has_value());
}

TEST_F(DeployGateTest, ARejectionOrARollbackEndsTheWait) {
  ASSERT_NO_FATAL_FAILURE(Load("    protection: { approvals: 1 }\n", ""));
  std::thread rejecter([&] {
    EXPECT_TRUE(WaitUntil(
        [&] { return deployments_->AwaitingApproval("shop", "production").has_value(); }));
    ledger_.Approve("bo", "releaser", /*approved=*/false);
  });
  runner::DeployOutcome rejected = Deploy();
  rejecter.join();
  EXPECT_EQ(rejected.outcome, runner::Outcome::kFailure);
  EXPECT_THAT(rejected.reason, HasSubstr("the deploy was rejected by bo"));

  ledger_.approvals.clear();
  std::thread rollback([&] {
    EXPECT_TRUE(WaitUntil(
        [&] { return deployments_->AwaitingApproval("shop", "production").has_value(); }));
    EXPECT_TRUE(deployments_->Rollback("shop", "production", "not today").ok());
  });
  runner::DeployOutcome rolled_back = Deploy();
  rollback.join();
  EXPECT_EQ(rolled_back.outcome, runner::Outcome::kFailure);
  EXPECT_THAT(rolled_back.reason, HasSubstr("rolled back while waiting for approvals: not today"));
  EXPECT_EQ(Applied(), "");
}

TEST_F(DeployGateTest, AnExemptionLiftsTheReleaseFreeze) {
  sli_sources_ = [](const spec::Slo&) -> Result<std::unique_ptr<verify::SliSource>> {
    return std::unique_ptr<verify::SliSource>(std::make_unique<FailingSli>());
  };
  ASSERT_NO_FATAL_FAILURE(Load("", "", R"(slos:
  availability:
    objective: 99.9
    sli:
      prometheus:
        address: http://127.0.0.1:9
        good: 'sum(increase(ok[${{ window }}]))'
        total: 'sum(increase(all[${{ window }}]))'
    freeze: { environments: [production] }
)"));
  const runner::DeployOutcome frozen = Deploy();
  EXPECT_EQ(frozen.outcome, runner::Outcome::kTimedOut) << frozen.reason;
  EXPECT_EQ(Applied(), "");

  policy::Exemption exemption;
  exemption.id = 9;
  exemption.requested_by = "ana";
  exemption.justification = "the fix for the burn";
  exemption.expires = std::chrono::system_clock::now() + std::chrono::hours(1);
  ledger_.exemptions = {exemption};
  const runner::DeployOutcome lifted = Deploy();
  EXPECT_EQ(lifted.outcome, runner::Outcome::kSuccess) << lifted.reason;
  EXPECT_EQ(Applied(), "r1");
  ASSERT_EQ(ledger_.uses.size(), 1u);
  EXPECT_EQ(ledger_.uses[0], "9: the release freeze of production");
  EXPECT_THAT(log_.text(), HasSubstr("release freeze of production OVERRIDDEN by exemption 9"));
}

}  // namespace
}  // namespace slipway::deploy
