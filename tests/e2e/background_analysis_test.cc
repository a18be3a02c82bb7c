// A canary's background analysis on `slipway server` with the built-in proxy: the canary is
// fine when it gets 25% of the traffic, turns bad while the rollout pauses there, and the
// background analysis (the judge over the proxy's error counts) rolls it back on its own —
// nobody approves or aborts anything.
#include <map>
#include <thread>

#include "e2e/request_load.h"
#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class BackgroundAnalysisTest : public ServerE2eTest {
 protected:
  void SetUp() override {
    ServerE2eTest::SetUp();
    port_ = FreePort();
    flags_ = root_ / "flags";
    fs::create_directories(flags_);
    // The service answers 500 to GET / once the test creates flags/bad-<its version>.
    Write("server.py", R"(import http.server, os, sys
version = open("VERSION").read().strip()
bad = os.path.join(sys.argv[2], "bad-" + version)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        failing = self.path != "/healthz" and os.path.exists(bad)
        body = b"ok\n" if self.path == "/healthz" else (version + "\n").encode()
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
)");
    Write("VERSION", "v1\n");
    Write(".slipway.yml", R"(name: svc
on:
  manual:
environments:
  production:
    target:
      process:
        command: exec python3 server.py {port} )" +
                              flags_.string() +
                              R"(
        readiness: { http: /healthz, interval: 100ms }
    router:
      proxy: { listen: 127.0.0.1:)" +
                              std::to_string(port_) + R"( }
analysis-templates:
  errors:
    interval: 500ms
    count: 4
    metrics:
      - name: error-rate
        provider: { proxy: { signal: error-rate } }
        judge: { direction: increase, allowed-change: 1.0, critical: true, min-samples: 20 }
jobs:
  build:
    artifacts: app
    steps:
      - run: mkdir -p app && cp server.py VERSION app/
  deploy:
    needs: build
    deploy:
      environment: production
      artifact: ./app
      strategy:
        canary:
          steps:
            - set-weight: 25
            - pause: {}
          analysis: { template: errors }
)");
    Commit("svc");
  }

  void TearDown() override {
    TakeDownEnvironment("svc", "production");
    ServerE2eTest::TearDown();
  }

  Json Environment() { return Call("GET", "/api/v1/projects/svc/environments/production").json; }

  // Waits until the rollout in progress pauses after its 25% step.
  bool WaitForPause() { return WaitForRolloutStep("svc", "production", "set weight 25"); }

  uint16_t port_ = 0;
  fs::path flags_;
};

TEST_F(BackgroundAnalysisTest, ACanaryThatTurnsBadAt25PercentIsRolledBackByIt) {
  StartServer();
  AddProject("svc");
  const int first = StartRun("svc");
  ASSERT_EQ(WaitForRun(first, "svc").value("status", ""), "success") << ServerLog();

  RequestLoad load("http://127.0.0.1:" + std::to_string(port_), std::chrono::milliseconds(20));
  Write("VERSION", "v2\n");
  Commit("v2");
  const int second = StartRun("svc");
  ASSERT_TRUE(WaitForPause()) << Environment().dump(2) << ServerLog();
  // Good at first: the canary serves its share without errors.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::map<std::string, int> before = load.TakeCounts();
  EXPECT_GT(before.count("200 v2\n") ? before.at("200 v2\n") : 0, 0) << "the canary got no traffic";
  EXPECT_EQ(before.count("500 v2\n"), 0u);

  // Now it breaks; nobody touches the paused rollout.
  std::ofstream(flags_ / "bad-v2") << "1";
  const Json run = WaitForRun(second, "svc", std::chrono::seconds(90));
  EXPECT_EQ(run.value("status", ""), "failure");
  const std::string deploy = RunJobs(second, "svc")["deploy"].dump();
  EXPECT_CONTAINS(deploy, "background analysis failed: analysis production.2.1:");
  load.TakeCounts();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::map<std::string, int> after = load.TakeCounts();
  ASSERT_FALSE(after.empty());
  for (const auto& [answer, count] : after) {
    EXPECT_EQ(answer, "200 v1\n") << count << " answers after the rollback";
  }

  // The record says what ran it and why it failed, with the judge's numbers.
  const ApiAnswer analyses = Call("GET", "/api/v1/projects/svc/environments/production/analyses");
  ASSERT_EQ(analyses.status, 200) << analyses;
  ASSERT_EQ(analyses.json.size(), 1u) << analyses.json.dump(2);
  EXPECT_EQ(analyses.json[0]["kind"], "background");
  EXPECT_EQ(analyses.json[0]["outcome"], "fail");
  EXPECT_EQ(analyses.json[0]["canary"], "r2");
  EXPECT_EQ(analyses.json[0]["baseline"], "r1");
  const Json& verdict = analyses.json[0]["judgement"]["metrics"][0];
  EXPECT_EQ(verdict["name"], "error-rate");
  EXPECT_EQ(verdict["outcome"], "fail");
  EXPECT_GT(verdict["canary_center"].get<double>(), 0);

  const Outcome listed = Slipway({"analysis", "list", "production", "--server", url(), "--token",
                                  AdminToken(), "--project", "svc"});
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_CONTAINS(listed.out, "background");
  const Json history = Call("GET", "/api/v1/projects/svc/environments/production/deploys").json;
  ASSERT_EQ(history.size(), 2u) << history.dump(2);
  EXPECT_EQ(history[1]["outcome"], "failed");
  EXPECT_CONTAINS(history[1]["reason"].get<std::string>(), "background analysis failed");
}

}  // namespace
}  // namespace slipway::e2e
