// The example service's pipeline deploys itself: staging (blue-green) then production (canary
// with analysis) behind the built-in proxy; a good release is promoted, a bad one is rolled
// back by the analysis while traffic flows, and production keeps serving the good one.
#include <map>
#include <regex>
#include <thread>

#include "e2e/e2e_util.h"
#include "e2e/request_load.h"

namespace slipway::e2e {
namespace {

class DeployExampleTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    fs::copy(fs::path(SLIPWAY_SOURCE_DIR) / "examples" / "hello-service", repo_,
             fs::copy_options::recursive);
    // Private ports, so tests and a running demo never meet.
    production_ = FreePort();
    staging_ = FreePort();
    std::string pipeline = ReadText(repo_ / ".slipway.yml");
    pipeline = std::regex_replace(pipeline, std::regex("127\\.0\\.0\\.1:18080"),
                                  "127.0.0.1:" + std::to_string(production_));
    pipeline = std::regex_replace(pipeline, std::regex("127\\.0\\.0\\.1:18081"),
                                  "127.0.0.1:" + std::to_string(staging_));
    Write(".slipway.yml", pipeline);
    Commit("hello-service");
  }

  void TearDown() override {
    for (const char* environment : {"production", "staging"}) {
      Outcome down = Slipway({"env", "destroy", environment, "--local", "--project", "repo"});
      EXPECT_EQ(down.exit_code, 0) << down;
    }
    E2eTest::TearDown();
  }

  void Release(const std::string& version, const std::string& error_rate) {
    Write("VERSION", version + "\n");
    Write("hello.env", "HELLO_DELAY_MS=0\nHELLO_ERROR_RATE=" + error_rate + "\n");
    Commit("release " + version);
  }

  std::string Get(uint16_t port) {
    http::ClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(port);
    auto client = http::HttpClient::Create(options);
    auto answer = (*client)->Send("GET", "/");
    return answer.ok() ? std::to_string(answer->status) + " " + answer->body : "error";
  }

  uint16_t production_ = 0, staging_ = 0;
};

TEST_F(DeployExampleTest, PromotesAGoodReleaseAndRollsBackABadOneUnderTraffic) {
  Release("1.0.0", "0");
  Outcome first = Run({"--json", "-j", "4", "--secret", "DEMO_TOKEN=tok-" + marker_});
  ASSERT_EQ(first.exit_code, 0) << first;
  EXPECT_EQ(first.Result("deploy-staging"), "success");
  EXPECT_EQ(first.Result("deploy-production"), "success");
  EXPECT_EQ(Get(staging_), "200 hello from 1.0.0\n");
  EXPECT_EQ(Get(production_), "200 hello from 1.0.0\n");

  RequestLoad load("http://127.0.0.1:" + std::to_string(production_),
                   std::chrono::milliseconds(10));
  // A good release goes through the canary and its analysis: production serves it.
  Release("1.1.0", "0");
  Outcome good = Run({"--json", "-j", "4", "--secret", "DEMO_TOKEN=tok-" + marker_});
  ASSERT_EQ(good.exit_code, 0) << good;
  EXPECT_CONTAINS(good.err, "analysis production.2.1: pass");
  EXPECT_EQ(Get(production_), "200 hello from 1.1.0\n");
  std::map<std::string, int> during_good = load.TakeCounts();
  for (const auto& [answer, count] : during_good) {
    EXPECT_TRUE(answer == "200 hello from 1.0.0\n" || answer == "200 hello from 1.1.0\n")
        << count << " x " << answer;
  }
  EXPECT_GT(during_good["200 hello from 1.1.0\n"], 0) << "the canary got no traffic";

  // A bad release (half its answers are 500): the analysis rolls it back on its own.
  Release("1.2.0", "0.5");
  Outcome bad = Run({"--json", "-j", "4", "--secret", "DEMO_TOKEN=tok-" + marker_});
  EXPECT_NE(bad.exit_code, 0) << bad;
  EXPECT_EQ(bad.Result("deploy-staging"), "success");
  EXPECT_EQ(bad.Result("deploy-production"), "failure");
  EXPECT_CONTAINS(bad.err, "analysis failed: analysis production.3.1:");
  EXPECT_CONTAINS(bad.err, "deploy: rolled back");
  load.TakeCounts();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // After the rollback every answer comes from the good release.
  const std::map<std::string, int> after = load.TakeCounts();
  ASSERT_FALSE(after.empty());
  for (const auto& [answer, count] : after) {
    EXPECT_EQ(answer, "200 hello from 1.1.0\n") << count << " answers";
  }

  Outcome history =
      Slipway({"env", "history", "production", "--local", "--project", "repo", "--json"});
  ASSERT_EQ(history.exit_code, 0) << history;
  const Json records = Json::parse(history.out);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["outcome"], "succeeded");
  EXPECT_EQ(records[1]["outcome"], "succeeded");
  EXPECT_EQ(records[2]["outcome"], "failed");
  EXPECT_CONTAINS(records[2]["reason"].get<std::string>(), "analysis failed");
  EXPECT_EQ(records[2]["strategy"], "canary");
  EXPECT_TRUE(records[2]["steps"].size() >= 3u) << records[2].dump();

  // The judge's numbers: the canary's error rate against the stable revision's.
  Outcome shown =
      Slipway({"analysis", "show", "production.3.1", "--local", "--project", "repo", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown;
  const Json analysis = Json::parse(shown.out);
  EXPECT_EQ(analysis["outcome"], "fail");
  EXPECT_EQ(analysis["template"], "canary-health");
  EXPECT_EQ(analysis["canary"], "r3");
  EXPECT_EQ(analysis["baseline"], "r2");
  const Json& errors = analysis["judgement"]["metrics"][0];
  EXPECT_EQ(errors["name"], "error-rate");
  EXPECT_EQ(errors["outcome"], "fail");
  EXPECT_GT(errors["canary_center"].get<double>(), 0.2);
  EXPECT_LT(errors["p_value"].get<double>(), 0.05);
  EXPECT_FALSE(analysis["measurements"].empty());
  Outcome listed = Slipway({"analysis", "list", "production", "--local", "--project", "repo"});
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_CONTAINS(listed.out, "production.2.1");
  EXPECT_CONTAINS(listed.out, "production.3.1");

  Outcome status = Slipway({"env", "status", "production", "--local", "--project", "repo"});
  ASSERT_EQ(status.exit_code, 0) << status;
  EXPECT_CONTAINS(status.out, "100%");
}

}  // namespace
}  // namespace slipway::e2e
