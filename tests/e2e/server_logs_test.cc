// What `slipway logs` shows from a real server: a pipeline file that does not validate (the
// run's own log, with file:line:col), a follow that rides out a graceful restart and a crash of
// the server and prints exactly the stored log, and secrets an agent did not mask, which the
// server masks before storing.
#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ServerLogsTest : public ServerE2eTest {
 protected:
  Env ClientEnv() const {
    return {{"SLIPWAY_CONFIG_DIR", (root_ / "config").string()},
            {"SLIPWAY_SERVER", url()},
            {"SLIPWAY_TOKEN", AdminToken()}};
  }

  // Waits until the log of job `instance` of run `number` holds `text`.
  void WaitForLogText(int number, const std::string& instance, const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      ApiAnswer log = Call("GET", "/api/v1/projects/demo/runs/" + std::to_string(number) +
                                      "/jobs/" + instance + "/logs");
      if (log.status == 200 && log.body.find(text) != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the log never showed '" << text << "'";
  }

  // Stops the server the way an operator does (SIGTERM: streams end cleanly) and waits.
  void StopServerGracefully() {
    server().Signal(SIGTERM);
    Outcome stopped = server().Wait();
    EXPECT_EQ(stopped.exit_code, 0) << ServerLog();
  }
};

TEST_F(ServerLogsTest, AnInvalidPipelinesRunLogShowsEveryProblemWithItsPosition) {
  CommitPipeline(
      "on: {manual: {}}\njobs:\n  build:\n    stepz: []\n  test:\n    needs: biuld\n"
      "    steps: [{run: 'true'}]\n");
  StartServer();
  AddProject();
  const int number = StartRun();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "failure") << run.dump(2);
  const std::string ref = "demo/" + std::to_string(number);

  for (const auto& args :
       {std::vector<std::string>{"logs", ref}, std::vector<std::string>{"logs", "-f", ref}}) {
    Outcome logs = Slipway(args, ClientEnv());
    EXPECT_EQ(logs.exit_code, 0) << logs;
    EXPECT_CONTAINS(logs.out, "==> run " + ref + " <==");
    EXPECT_CONTAINS(logs.out, ".slipway.yml:3:3: job 'build' has no steps");
    EXPECT_CONTAINS(logs.out, ".slipway.yml:4:5: unknown key 'stepz' in job 'build'");
    EXPECT_CONTAINS(logs.out, ".slipway.yml:6:12: job 'test' needs 'biuld', which is not a job");
  }
  // The run's error says the same, for scripts that read the run.
  EXPECT_CONTAINS(run.value("error", ""), ".slipway.yml:4:5: unknown key 'stepz'");
  // Asking for a job of that run says where to look.
  Outcome job = Slipway({"logs", ref + "/test"}, ClientEnv());
  EXPECT_NE(job.exit_code, 0);
  EXPECT_CONTAINS(job.err, "failed before any job could run");
}

TEST_F(ServerLogsTest, FollowRidesOutARestartAndACrashAndPrintsExactlyTheStoredLog) {
  // The job runs on a remote agent, which goes on while the server is down; one line rewrites
  // itself with carriage returns, which a follow must pass through as they are.
  CommitPipeline(R"(name: demo
on: {manual: {}}
jobs:
  slow:
    runs-on: [remote]
    steps:
      - run: |
          for i in $(seq 1 40); do echo "line $i"; sleep 0.25; done
          printf 'progress 50%%\rprogress 100%%\n'
          echo done
)");
  StartServer({"--local-agents", "0"});
  AddProject();
  StartAgent("remote-1", {"--labels", "remote"});
  const int number = StartRun();
  Process follow = Start({"logs", "-f", "demo/" + std::to_string(number) + "/slow"}, ClientEnv());

  WaitForLogText(number, "slow", "line 5\n");
  StopServerGracefully();  // the follow's stream ends cleanly: it must come back for more
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  StartServer({"--local-agents", "0"});
  WaitForLogText(number, "slow", "line 25\n");
  KillServer();  // the stream breaks
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  StartServer({"--local-agents", "0"});

  Outcome followed = follow.Wait();
  EXPECT_EQ(followed.exit_code, 0) << followed << "\nserver log:\n" << ServerLog();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "success") << run.dump(2);
  const std::string stored = JobLog(number, "slow");
  EXPECT_CONTAINS(stored, "progress 50%\rprogress 100%\n");
  EXPECT_EQ(followed.out, stored);  // every byte once, in order, CRs included
}

TEST_F(ServerLogsTest, TheServerMasksTokensAnAgentPassedToItsJobUnmasked) {
  // An agent given its registration token in the environment passes that environment to its
  // jobs, and does not know the token is a secret: the job prints it. The server knows the
  // token (by its hash) and masks it before it is stored.
  CommitPipeline(R"(name: demo
on: {manual: {}}
jobs:
  leaky:
    runs-on: [remote]
    steps:
      - run: env | grep '^SLIPWAY_AGENT_TOKEN='; echo "after"
)");
  StartServer({"--local-agents", "0"});
  AddProject();
  const std::string registration = RegistrationToken();
  Process agent = Start({"agent", "--server", url(), "--name", "leaky-agent", "--labels", "remote",
                         "--work-dir", (root_ / "agent-leaky").string()},
                        {{"SLIPWAY_AGENT_TOKEN", registration}});
  const int number = StartRun();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "success") << run.dump(2);

  const std::string log = JobLog(number, "leaky");
  EXPECT_CONTAINS(log, "SLIPWAY_AGENT_TOKEN=" + std::string(registration.size(), '*') + "\n");
  EXPECT_CONTAINS(log, "after\n");
  EXPECT_NOT_CONTAINS(log, registration.substr(4));
  Outcome followed =
      Slipway({"logs", "-f", "demo/" + std::to_string(number) + "/leaky"}, ClientEnv());
  EXPECT_NOT_CONTAINS(followed.out, registration.substr(4));
  // The server's log says it happened, without the value.
  EXPECT_CONTAINS(ServerLog(), "unmasked secret");
  EXPECT_NOT_CONTAINS(ServerLog(), registration.substr(4));
}

}  // namespace
}  // namespace slipway::e2e
