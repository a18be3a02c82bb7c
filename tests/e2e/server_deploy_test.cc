// Deploys run by `slipway server`: its deploy agent rolls out a pipeline's deploy job through
// the built-in proxy; `slipway rollback` and `slipway env approve` reach the rollout through
// the API; a server restart leaves traffic alone and adopts the environment; drift made by
// hand in the proxy is healed by the reconciler.
#include "e2e/canary_service.h"

namespace slipway::e2e {
namespace {

class ServerDeployTest : public CanaryServiceTest {
 protected:
  ServerDeployTest() : CanaryServiceTest(/*instances=*/2, /*self_heal=*/true) {}

  Outcome Client(std::vector<std::string> args) {
    args.insert(args.end(), {"--server", url(), "--token", AdminToken(), "--project", "svc"});
    return Slipway(args);
  }
};

TEST_F(ServerDeployTest, RollbackApproveRestartAndDriftThroughTheServer) {
  StartServer();
  AddProject("svc");
  // The first deploy has nothing to compare with: it starts and takes all traffic.
  const int number = StartRun("svc");
  ASSERT_GT(number, 0);
  Json first = WaitForRun(number, "svc");
  ASSERT_EQ(first.value("status", ""), "success") << first.dump(2) << ServerLog();
  EXPECT_EQ(Production(), "200 v1\n");

  // v2 pauses at 50%: `slipway rollback` takes traffic back to v1 and fails the deploy.
  Write("VERSION", "v2\n");
  Commit("v2");
  const int second = StartRun("svc");
  ASSERT_TRUE(WaitForPause()) << Environment().dump(2) << ServerLog();
  Outcome rollback = Client({"rollback", "production", "--reason", "looks wrong"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Production(), "200 v1\n");
  Json rolled_back = WaitForRun(second, "svc");
  EXPECT_EQ(rolled_back.value("status", ""), "failure");
  EXPECT_CONTAINS(RunJobs(second, "svc")["deploy"].dump(), "looks wrong");
  EXPECT_CONTAINS(Call("GET", "/api/v1/audit").body, "environment.rollback");

  // v2 again, approved this time: it serves everything.
  const int third = StartRun("svc");
  ASSERT_TRUE(WaitForPause()) << Environment().dump(2);
  // The pause begins just after the weight step is recorded: approve once it waits.
  Outcome approve = Client({"env", "approve", "production"});
  for (int i = 0; i < 50 && approve.exit_code != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    approve = Client({"env", "approve", "production"});
  }
  ASSERT_EQ(approve.exit_code, 0) << approve;
  EXPECT_EQ(WaitForRun(third, "svc").value("status", ""), "success");
  EXPECT_EQ(Production(), "200 v2\n");

  Outcome history = Client({"env", "history", "production", "--json"});
  ASSERT_EQ(history.exit_code, 0) << history;
  const Json records = Json::parse(history.out);
  ASSERT_EQ(records.size(), 3u) << records.dump(2);
  EXPECT_EQ(records[1]["outcome"], "failed");
  EXPECT_EQ(records[2]["outcome"], "succeeded");

  // The server dies: production keeps serving; the restarted server adopts the environment.
  KillServer();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Production(), "200 v2\n");
  StartServer();
  const Json adopted = Environment();
  ASSERT_TRUE(adopted["stable"].is_object()) << adopted.dump(2);
  EXPECT_EQ(adopted["stable"]["ready"], 2) << adopted.dump(2);
  EXPECT_EQ(adopted["routes"].size(), 1u) << adopted.dump(2);

  // Drift: a pool added by hand in the proxy is found and removed (self-heal).
  const Json proxy = Json::parse(
      ReadText(data_dir() / "environments" / "svc" / "production" / "proxy" / "proxy.json"));
  http::ClientOptions options;
  options.base_url = "http://" + proxy["admin"].get<std::string>();
  auto admin = http::HttpClient::Create(options);
  Json routes =
      Json::parse((*admin)
                      ->Send("GET", "/routes", "",
                             {{"Authorization", "Bearer " + proxy["token"].get<std::string>()}})
                      ->body);
  routes["pools"].push_back({{"name", "rogue"}, {"weight", 50}, {"upstreams", {"127.0.0.1:1"}}});
  auto put = (*admin)->Send("PUT", "/routes", routes.dump(),
                            {{"Authorization", "Bearer " + proxy["token"].get<std::string>()}});
  ASSERT_TRUE(put.ok() && put->status == 200);
  bool healed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!healed && std::chrono::steady_clock::now() < deadline) {
    const Json status = Environment();
    for (const Json& event : status.value("drift", Json::array())) {
      healed = healed || (event.value("kind", "") == "router" && event.value("healed", false));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(healed) << Environment().dump(2) << ServerLog();
  EXPECT_EQ(Environment()["routes"].size(), 1u);
  EXPECT_CONTAINS(ServerLog(), "drift in svc/production (router)");
}

}  // namespace
}  // namespace slipway::e2e
