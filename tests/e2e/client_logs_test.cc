// `slipway logs -f` riding out a server restart: it reconnects and resumes after the last byte
// it printed, so the log it shows has every line exactly once.
#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ClientLogsTest : public ServerE2eTest {};

TEST_F(ClientLogsTest, FollowResumesAcrossAServerRestartWithoutGapsOrRepeats) {
  // The job runs on a remote agent, which keeps running it while the server restarts.
  CommitPipeline(R"(name: demo
on: {manual: {}}
jobs:
  slow:
    runs-on: [remote]
    steps:
      - run: for i in $(seq 1 25); do echo "line $i"; sleep 0.2; done
)");
  StartServer({"--local-agents", "0"});
  AddProject();
  StartAgent("remote-1", {"--labels", "remote"});
  const int number = StartRun();
  const Env env = {{"SLIPWAY_CONFIG_DIR", (root_ / "config").string()},
                   {"SLIPWAY_SERVER", url()},
                   {"SLIPWAY_TOKEN", AdminToken()}};
  Process follow = Start({"logs", "-f", "demo/" + std::to_string(number) + "/slow"}, env);

  // Once a few lines are out, crash the server and bring it back on the same port.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    ApiAnswer log =
        Call("GET", "/api/v1/projects/demo/runs/" + std::to_string(number) + "/jobs/slow/logs");
    if (log.status == 200 && log.body.find("line 4\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  KillServer();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  StartServer({"--local-agents", "0"});

  Outcome outcome = follow.Wait();
  EXPECT_EQ(outcome.exit_code, 0) << outcome << "\nserver log:\n" << ServerLog();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "success") << run.dump(2);
  std::string expected;
  for (int i = 1; i <= 25; ++i) expected += "line " + std::to_string(i) + "\n";
  // Each line once, in order (the runner may add lines of its own around them).
  std::string lines;
  for (const auto& line : Lines(outcome.out)) {
    if (line.rfind("line ", 0) == 0) lines += line + "\n";
  }
  EXPECT_EQ(lines, expected) << outcome;
}

}  // namespace
}  // namespace slipway::e2e
