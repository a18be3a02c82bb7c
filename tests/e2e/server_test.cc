// `slipway server` with an embedded agent and `slipway agent` processes, driven over HTTP.
#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ServerTest : public ServerE2eTest {};

TEST_F(ServerTest, FirstStartWritesAnAdminTokenOnlyItsOwnerCanRead) {
  StartServer();
  const fs::path token_file = data_dir() / "initial-admin-token";
  ASSERT_TRUE(fs::exists(token_file));
  EXPECT_EQ(fs::status(token_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_CONTAINS(ServerLog(), token_file.string());
  EXPECT_EQ(Call("GET", "/api/v1/whoami").json.value("role", ""), "admin");
  EXPECT_EQ(Call("GET", "/api/v1/whoami", "", "").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/whoami", "", "slw_wrong").status, 401);
}

TEST_F(ServerTest, ManualRunRunsOnTheEmbeddedAgentAndOnARemoteAgent) {
  CommitPipeline(R"(name: demo
on: {manual: {}}
jobs:
  local:
    steps: [{run: echo hello from $SLIPWAY_JOB}]
  remote:
    runs-on: [gpu]
    needs: [local]
    steps: [{run: echo remote side}]
)");
  StartServer();
  AddProject();
  StartAgent("gpu-1", {"--labels", "gpu"});
  const int number = StartRun();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "success") << run.dump(2) << ServerLog();
  ApiAnswer log =
      Call("GET", "/api/v1/projects/demo/runs/" + std::to_string(number) + "/jobs/remote/logs");
  EXPECT_EQ(log.status, 200) << log;
  EXPECT_CONTAINS(log.body, "remote side");
  EXPECT_CONTAINS(AgentLog("gpu-1"), "gpu-1");
}

}  // namespace
}  // namespace slipway::e2e
