// Release gates end to end on a real server: a policy denies a deploy (it fails with the
// policy's message, the stable revision keeps serving), an emergency exemption with a
// justification lets the next deploy through, and the audit trail, `slipway gate explain` and
// /metrics show both; an exemption that needs a second person's approval unblocks only once
// another releaser approved it. A rule over change.files lets a docs-only change through and
// denies one that touches code. A deploy waits for approvals from distinct releasers who are
// not its author. And `slipway run` evaluates policies without a server.
#include "e2e/canary_service.h"
#include "util/sha256.h"

namespace slipway::e2e {
namespace {

// A launch freeze: every deploy from main is denied, beside a rule that passes.
constexpr std::string_view kLaunchFreeze = R"(policies:
  launch-freeze:
    environments: production
    rules:
      - rule: change.branch != "main"
        message: production is frozen for the launch; ask for an exemption
      - rule: run.tests.failed == 0
        message: no failing tests
)";

// Code reaches production from the release branch; from main only changes to docs/ do.
constexpr std::string_view kDocsOnlyFromMain = R"(policies:
  docs-only:
    environments: production
    rules:
      - rule: 'change.branch == "release" || change.files.all(f, f.startsWith("docs/"))'
        message: from main only changes to docs/ reach production
)";

// The canary service's pipeline with a rolling deploy and `policies` (YAML, "" for none).
std::string Pipeline(uint16_t port, std::string_view protection, std::string_view policies) {
  std::string yaml = R"(name: svc
on:
  manual:
environments:
  production:
    target:
      process:
        command: exec python3 server.py {port}
        readiness: { http: /healthz, interval: 100ms }
    router:
      proxy: { listen: 127.0.0.1:)" +
                     std::to_string(port) + " }\n" + std::string(protection) +
                     std::string(policies);
  return yaml + R"(jobs:
  build:
    artifacts: app
    steps:
      - run: mkdir -p app && cp server.py VERSION app/
  deploy:
    needs: build
    deploy:
      environment: production
      artifact: ./app
)";
}

class GateTest : public CanaryServiceTest {
 protected:
  GateTest() : CanaryServiceTest(/*instances=*/1, /*self_heal=*/false) {}

  Outcome Client(std::vector<std::string> args, const std::string& token = "") {
    args.insert(args.end(), {"--server", url(), "--token", token.empty() ? AdminToken() : token,
                             "--project", "svc"});
    return Slipway(args);
  }

  std::string Metrics() { return Call("GET", "/metrics").body; }

  // A user token with `role` named `name`.
  std::string UserToken(const std::string& name, const std::string& role) {
    ApiAnswer answer = Call("POST", "/api/v1/tokens",
                            Json{{"name", name}, {"kind", "user"}, {"role", role}}.dump());
    EXPECT_EQ(answer.status, 201) << answer;
    return answer.json.is_object() ? answer.json.value("token", "") : "";
  }
};

TEST_F(GateTest, APolicyDeniesAndAnExemptionLetsTheNextDeployThrough) {
  StartServer();
  AddProject("svc");
  Write(".slipway.yml", Pipeline(port_, "", ""));
  Commit("no policy yet");
  const int first = StartRun("svc");
  ASSERT_EQ(WaitForRun(first, "svc").value("status", ""), "success") << ServerLog();
  EXPECT_EQ(Production(), "200 v1\n");

  // v2 with the launch freeze: the gate denies it, naming the rule; v1 keeps serving.
  Write("VERSION", "v2\n");
  Write(".slipway.yml", Pipeline(port_, "", kLaunchFreeze));
  Commit("v2 and the launch freeze");
  const int denied = StartRun("svc");
  EXPECT_EQ(WaitForRun(denied, "svc").value("status", ""), "failure");
  const std::string reason = RunJobs(denied, "svc")["deploy"].value("reason", "");
  EXPECT_CONTAINS(reason, "the release gate denied the deploy");
  EXPECT_CONTAINS(reason, "launch-freeze: production is frozen for the launch");
  EXPECT_EQ(reason.find("no failing tests"), std::string::npos) << reason;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Production(), "200 v1\n");
  EXPECT_CONTAINS(JobLog(denied, "deploy", 0, "svc"), "✘ gate: launch-freeze:");

  // The decision is stored with the digest of its input document.
  ApiAnswer gate = Call("GET", "/api/v1/projects/svc/environments/production/deploys/2/gate");
  ASSERT_EQ(gate.status, 200) << gate;
  EXPECT_EQ(gate.json["decision"], "deny");
  EXPECT_EQ(gate.json["input"]["change"]["branch"], "main");
  EXPECT_EQ(gate.json["input"]["run"]["tests"]["failed"], 0);
  EXPECT_EQ(gate.json["input_digest"], "sha256:" + Sha256Hex(gate.json["input"].dump()));
  EXPECT_EQ(gate.json["result"]["policies"][0]["rules"][0]["passed"], false);
  EXPECT_EQ(gate.json["result"]["policies"][0]["rules"][1]["passed"], true);
  Outcome explained = Client({"gate", "explain", "production.2"});
  ASSERT_EQ(explained.exit_code, 0) << explained;
  EXPECT_CONTAINS(explained.out, "gate of production.2: DENIED");
  EXPECT_CONTAINS(explained.out, "✘ change.branch != \"main\"");
  EXPECT_CONTAINS(explained.out, "✔ run.tests.failed == 0");
  EXPECT_CONTAINS(explained.out, "input document:");

  // An exemption needs a justification: refused without one, and nothing is stored.
  ApiAnswer bare = Call("POST", "/api/v1/projects/svc/environments/production/exemptions",
                        Json{{"justification", "  "}, {"duration", "30m"}}.dump());
  EXPECT_EQ(bare.status, 400) << bare;
  Outcome too_long =
      Client({"gate", "exempt", "production", "--justification", "x", "--for", "30d"});
  EXPECT_NE(too_long.exit_code, 0);
  EXPECT_CONTAINS(too_long.err, "max-duration");
  const std::string viewer = UserToken("viewer-1", "viewer");
  Outcome not_releaser =
      Client({"gate", "exempt", "production", "--justification", "let me", "--for", "30m"}, viewer);
  EXPECT_NE(not_releaser.exit_code, 0);
  EXPECT_EQ(Call("GET", "/api/v1/projects/svc/environments/production/exemptions").json.size(), 0u);

  Outcome exempt = Client({"gate", "exempt", "production", "--justification",
                           "checkout is down; v2 is the fix", "--for", "30m"});
  ASSERT_EQ(exempt.exit_code, 0) << exempt;
  EXPECT_CONTAINS(exempt.out, "EXEMPTION 1 by initial-admin");
  EXPECT_CONTAINS(exempt.out, "state: active");

  const int exempted = StartRun("svc");
  ASSERT_EQ(WaitForRun(exempted, "svc").value("status", ""), "success") << ServerLog();
  EXPECT_EQ(Production(), "200 v2\n");
  EXPECT_CONTAINS(JobLog(exempted, "deploy", 0, "svc"),
                  "⚠ gate: EXEMPTED — exemption 1 by initial-admin");
  Outcome shown = Client({"gate", "explain", "production", "3"});
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_CONTAINS(shown.out, "gate of production.3: DENIED, EXEMPTED");
  EXPECT_CONTAINS(shown.out, "checkout is down; v2 is the fix");
  Outcome history = Client({"env", "history", "production"});
  EXPECT_CONTAINS(history.out, "EXEMPTED");

  // The audit trail has the exemption and its use; /metrics counts both decisions.
  const std::string audit = Call("GET", "/api/v1/audit").body;
  EXPECT_CONTAINS(audit, "exemption.create");
  EXPECT_CONTAINS(audit, "exemption.use");
  EXPECT_CONTAINS(audit, "checkout is down; v2 is the fix");
  EXPECT_EQ(Call("GET", "/api/v1/audit/verify").status, 200);
  const std::string metrics = Metrics();
  EXPECT_CONTAINS(metrics, "slipway_gate_decisions_total{decision=\"deny\"} 1\n");
  EXPECT_CONTAINS(metrics, "slipway_gate_decisions_total{decision=\"exempted\"} 1\n");
  EXPECT_CONTAINS(metrics, "slipway_gate_exemptions_total 1\n");
}

TEST_F(GateTest, AnExemptionNeedingASecondApprovalUnblocksOnlyOnceAnotherReleaserApproves) {
  StartServer();
  AddProject("svc");
  const std::string protection =
      "    protection:\n      exemptions: { second-approval: true, max-duration: 4h }\n";
  Write(".slipway.yml", Pipeline(port_, protection, ""));
  Commit("second approval for exemptions");
  const int first = StartRun("svc");
  ASSERT_EQ(WaitForRun(first, "svc").value("status", ""), "success") << ServerLog();
  EXPECT_EQ(Production(), "200 v1\n");

  Write("VERSION", "v2\n");
  Write(".slipway.yml", Pipeline(port_, protection, kLaunchFreeze));
  Commit("v2 and the launch freeze");
  const std::string ana = UserToken("ana", "releaser");
  const std::string bo = UserToken("bo", "releaser");
  Outcome asked = Client({"gate", "exempt", "production", "--justification",
                          "checkout is down; v2 is the fix", "--for", "1h"},
                         ana);
  ASSERT_EQ(asked.exit_code, 0) << asked;
  EXPECT_CONTAINS(asked.out, "EXEMPTION 1 by ana");
  EXPECT_CONTAINS(asked.out, "state: pending");

  // Pending: the gate still denies, and v1 keeps serving.
  const int pending = StartRun("svc");
  EXPECT_EQ(WaitForRun(pending, "svc").value("status", ""), "failure");
  EXPECT_CONTAINS(RunJobs(pending, "svc")["deploy"].value("reason", ""),
                  "the release gate denied the deploy");
  EXPECT_EQ(Production(), "200 v1\n");

  // Who asked cannot approve; another releaser can, once.
  Outcome own = Client({"gate", "approve-exemption", "production", "1"}, ana);
  EXPECT_NE(own.exit_code, 0) << own;
  Outcome approved = Client({"gate", "approve-exemption", "production", "1"}, bo);
  ASSERT_EQ(approved.exit_code, 0) << approved;
  EXPECT_CONTAINS(approved.out, "state: active");

  const int exempted = StartRun("svc");
  ASSERT_EQ(WaitForRun(exempted, "svc").value("status", ""), "success") << ServerLog();
  EXPECT_EQ(Production(), "200 v2\n");
  EXPECT_CONTAINS(JobLog(exempted, "deploy", 0, "svc"), "⚠ gate: EXEMPTED — exemption 1 by ana");
  const std::string audit = Call("GET", "/api/v1/audit").body;
  EXPECT_CONTAINS(audit, "exemption.approve");
  EXPECT_CONTAINS(audit, "exemption.use");
}

TEST_F(GateTest, ChangedFilesLetADocsOnlyChangeThroughAndHoldAnotherBack) {
  StartServer();
  AddProject("svc");
  Write(".slipway.yml", Pipeline(port_, "", kDocsOnlyFromMain));
  Commit("docs-only from main");
  Git({"branch", "release"});
  // The first deploy: nothing ran in production before, so every file of the commit counts.
  const int first = StartRun("svc", Json{{"branch", "release"}});
  ASSERT_EQ(WaitForRun(first, "svc").value("status", ""), "success") << ServerLog();
  EXPECT_EQ(Production(), "200 v1\n");
  EXPECT_CONTAINS(JobLog(first, "deploy", 0, "svc"),
                  "gate: change.files: every file of the commit, 3 files (nothing was deployed "
                  "to production before)");
  ApiAnswer gate = Call("GET", "/api/v1/projects/svc/environments/production/deploys/1/gate");
  ASSERT_EQ(gate.status, 200) << gate;
  EXPECT_EQ(gate.json["input"]["change"]["files"],
            Json::array({".slipway.yml", "VERSION", "server.py"}));
  EXPECT_EQ(gate.json["input"]["change"]["files_known"], true);

  // A docs-only change from main: compared with the commit production runs (release's).
  Write("docs/guide.md", "# Guide\n");
  Commit("a guide");
  const int docs = StartRun("svc");
  ASSERT_EQ(WaitForRun(docs, "svc").value("status", ""), "success") << ServerLog();
  EXPECT_CONTAINS(JobLog(docs, "deploy", 0, "svc"),
                  "gate: change.files: 1 file changed since r1 (run ");
  gate = Call("GET", "/api/v1/projects/svc/environments/production/deploys/2/gate");
  EXPECT_EQ(gate.json["decision"], "allow") << gate;
  EXPECT_EQ(gate.json["input"]["change"]["files"], Json::array({"docs/guide.md"}));

  // Code and docs from main: denied, and what serves keeps serving.
  Write("VERSION", "v2\n");
  Write("docs/guide.md", "# Guide for v2\n");
  Commit("v2");
  const int code = StartRun("svc");
  EXPECT_EQ(WaitForRun(code, "svc").value("status", ""), "failure");
  EXPECT_CONTAINS(RunJobs(code, "svc")["deploy"].value("reason", ""),
                  "the release gate denied the deploy: docs-only: from main only changes to "
                  "docs/ reach production");
  EXPECT_EQ(Production(), "200 v1\n");
  gate = Call("GET", "/api/v1/projects/svc/environments/production/deploys/3/gate");
  EXPECT_EQ(gate.json["decision"], "deny") << gate;
  EXPECT_EQ(gate.json["input"]["change"]["files"], Json::array({"VERSION", "docs/guide.md"}));
}

TEST_F(GateTest, ADeployWaitsForApprovalsFromDistinctReleasersWhoAreNotItsAuthor) {
  StartServer();
  AddProject("svc");
  Write(".slipway.yml", Pipeline(port_,
                                 "    protection:\n      approvals: { count: 2, role: releaser, "
                                 "not-author: true, expire-after: 1h }\n",
                                 ""));
  Commit("approvals");
  const std::string ana = UserToken("ana", "releaser");
  const std::string bo = UserToken("bo", "releaser");
  const std::string dev = UserToken("dev", "developer");
  // ana starts the run: she is its author.
  ApiAnswer started = Call("POST", "/api/v1/projects/svc/runs", "{}", ana);
  ASSERT_EQ(started.status, 201) << started;
  const int number = started.json.value("number", 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  Outcome first = Client({"env", "approve", "production"}, bo);
  while (first.exit_code != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    first = Client({"env", "approve", "production"}, bo);
  }
  ASSERT_EQ(first.exit_code, 0) << first << ServerLog();
  // bo again, a developer and the author do not make a second approval.
  EXPECT_EQ(Client({"env", "approve", "production"}, bo).exit_code, 0);
  Outcome low = Client({"env", "approve", "production"}, dev);
  EXPECT_NE(low.exit_code, 0);
  EXPECT_CONTAINS(low.err, "releaser");
  Outcome own = Client({"env", "approve", "production"}, ana);
  EXPECT_NE(own.exit_code, 0);
  EXPECT_CONTAINS(own.err, "not-author");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(Call("GET", "/api/v1/projects/svc/runs/" + std::to_string(number)).json["status"],
            "running");
  EXPECT_NE(Production(), "200 v1\n") << "nothing may serve before the approvals";
  // The admin is a second, distinct releaser.
  ASSERT_EQ(Client({"env", "approve", "production"}).exit_code, 0);
  ASSERT_EQ(WaitForRun(number, "svc").value("status", ""), "success") << ServerLog();
  EXPECT_EQ(Production(), "200 v1\n");
  EXPECT_CONTAINS(JobLog(number, "deploy", 0, "svc"), "✔ deploy: approved by 2 of the 2 needed");
  EXPECT_CONTAINS(Call("GET", "/api/v1/audit").body, "deploy.approve");
}

// `slipway run` has no server: policies are still evaluated, a deny fails the run, and
// `slipway gate explain --local` reads the decision from the deploy record.
class LocalGateTest : public E2eTest {
 protected:
  void TearDown() override {
    Outcome down = Slipway({"env", "destroy", "production", "--local", "--project", "repo"});
    EXPECT_EQ(down.exit_code, 0) << down;
    E2eTest::TearDown();
  }
};

TEST_F(LocalGateTest, SlipwayRunEvaluatesPoliciesAndExplainShowsTheDecision) {
  Write("app/VERSION", "v1\n");
  CommitPipeline(R"(environments:
  production:
    target:
      exec:
        apply: "true"
        status: 'echo "{\"desired\":1,\"running\":1,\"ready\":1,\"endpoints\":[],\"message\":\"\"}"'
policies:
  supply-chain:
    environments: production
    rules:
      - { rule: artifact.provenance.verified, message: only signed artifacts reach production }
      - { rule: "run.tests.failed == null", message: "no test results are known locally" }
  watch:
    environments: production
    mode: audit
    rules:
      - { rule: "change.branch == 'release'", message: production deploys come from release }
jobs:
  deploy:
    deploy: { environment: production, artifact: ./app }
)");
  Outcome run = Run();
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.out, "supply-chain: only signed artifacts reach production");
  EXPECT_CONTAINS(run.out, "gate (audit only): watch: production deploys come from release");
  EXPECT_EQ(run.out.find("no test results are known locally"), std::string::npos) << run.out;
  EXPECT_CONTAINS(run.out,
                  "gate: change.files is unknown: `slipway run` does not record the commit an "
                  "environment runs");

  Outcome explained = Slipway({"gate", "explain", "production.1", "--local", "--project", "repo"});
  ASSERT_EQ(explained.exit_code, 0) << explained;
  EXPECT_CONTAINS(explained.out, "gate of production.1: DENIED");
  EXPECT_CONTAINS(explained.out, "✘ artifact.provenance.verified");
  EXPECT_CONTAINS(explained.out, "policy watch (audit): FAILED");
  EXPECT_CONTAINS(explained.out, "\"reference\": \"./app\"");
  Outcome missing = Slipway({"gate", "explain", "production.9", "--local", "--project", "repo"});
  EXPECT_EQ(missing.exit_code, 1) << missing;
  EXPECT_CONTAINS(missing.err, "has no gate decision");
  Outcome exempt =
      Slipway({"gate", "exempt", "production", "--local", "--project", "repo", "-j", "why not"});
  EXPECT_NE(exempt.exit_code, 0);
  EXPECT_CONTAINS(exempt.err, "needs a server");
}

// A policy `at: [deploy, promote]` that only the deploy step passes: the deploy starts, its
// promotion is denied, and explain and history show both decisions.
TEST_F(LocalGateTest, APromotionGateDeniesAfterTheDeployGateAllowedAndExplainShowsBoth) {
  Write("app/VERSION", "v1\n");
  CommitPipeline(R"(environments:
  production:
    target:
      exec:
        apply: "true"
        status: 'echo "{\"desired\":1,\"running\":1,\"ready\":1,\"endpoints\":[],\"message\":\"\"}"'
    router:
      proxy: { listen: 127.0.0.1:)" +
                 std::to_string(FreePort()) + R"( }
policies:
  promotion:
    environments: production
    at: [deploy, promote]
    rules:
      - { rule: "gate.step == 'deploy'", message: this release is not promoted today }
jobs:
  deploy:
    deploy: { environment: production, artifact: ./app, strategy: { blue-green: {} } }
)");
  Outcome run = Run();
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.out, "✔ gate: 1 policy passed");
  EXPECT_CONTAINS(run.out,
                  "the release gate denied the promotion: promotion: this release is "
                  "not promoted today");

  Outcome explained = Slipway({"gate", "explain", "production.1", "--local", "--project", "repo"});
  ASSERT_EQ(explained.exit_code, 0) << explained;
  EXPECT_CONTAINS(explained.out, "gate of production.1: ALLOWED");
  EXPECT_CONTAINS(explained.out, "promotion gate of production.1: DENIED");
  EXPECT_CONTAINS(explained.out, "\"step\": \"promote\"");
  Outcome history = Slipway({"env", "history", "production", "--local", "--project", "repo"});
  EXPECT_CONTAINS(history.out, "allow, promote deny");
}

}  // namespace
}  // namespace slipway::e2e
