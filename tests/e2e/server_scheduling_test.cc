// How the server schedules work onto remote agents: cancelling a run reaches a job running on
// an agent, a CPU-bound job keeps its lease, concurrency groups with cancel-in-progress, and
// runs-on labels.
#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ServerSchedulingTest : public ServerE2eTest {
 protected:
  // The pid a step wrote to $E2E_STATE/`file` (waits for it; 0 when it never came).
  pid_t PidFrom(const std::string& file) {
    const auto deadline = std::chrono::steady_clock::now() + kHangLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = ReadText(state_ / file);
      if (!text.empty() && text.back() == '\n') return std::stoi(text);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

  // A process has ended once /proc no longer lists it or it is a zombie (dead, not yet reaped).
  static bool Gone(pid_t pid) {
    const std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
    const size_t paren = stat.rfind(')');
    return stat.empty() || (paren != std::string::npos && stat.compare(paren, 3, ") Z") == 0);
  }

  // How long `pid` took to end (polled), or nullopt when it outlived `limit`.
  static std::optional<std::chrono::milliseconds> TimeToEnd(
      pid_t pid, std::chrono::steady_clock::time_point from, std::chrono::seconds limit) {
    while (!Gone(pid)) {
      if (std::chrono::steady_clock::now() - from > limit) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 from);
  }
};

// The job's process is gone within 2 s of the cancel call: the cancel travels to the agent
// with its next heartbeat, and the agent stops the job's processes.
TEST_F(ServerSchedulingTest, CancelStopsTheJobOnARemoteAgentWithinTwoSeconds) {
  CommitPipeline(R"(name: cancel
on: {manual: {}}
jobs:
  long:
    steps:
      - run: |
          echo $$ > "$E2E_STATE/pid"
          exec sleep 120
  after:
    needs: [long]
    steps: [{run: touch "$E2E_STATE/after-ran"}]
)");
  StartServer({"--local-agents", "0"});
  AddProject();
  StartAgent("a1");
  const int number = StartRun();
  const pid_t pid = PidFrom("pid");
  ASSERT_GT(pid, 0) << ServerLog();

  const auto cancelled = std::chrono::steady_clock::now();
  ApiAnswer cancel =
      Call("POST", "/api/v1/projects/demo/runs/" + std::to_string(number) + "/cancel");
  ASSERT_EQ(cancel.status, 202) << cancel;
  const auto took = TimeToEnd(pid, cancelled, std::chrono::seconds(30));
  ASSERT_TRUE(took.has_value()) << "the job's process outlived its cancelled run by 30 s";
  EXPECT_LT(took->count(), 2000) << "the job's process ended " << took->count()
                                 << " ms after the cancel";

  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "cancelled") << run.dump(2);
  const auto jobs = RunJobs(number);
  EXPECT_EQ(jobs.at("long").value("status", ""), "cancelled") << jobs.at("long").dump();
  EXPECT_EQ(jobs.at("after").value("status", ""), "cancelled") << jobs.at("after").dump();
  EXPECT_FALSE(fs::exists(state_ / "after-ran"));
  EXPECT_EQ(Call("POST", "/api/v1/projects/demo/runs/" + std::to_string(number) + "/cancel").status,
            412);
}

// A job that keeps every core busy for several lease periods keeps its lease: the agent's
// heartbeat runs on a thread of its own, so the job is not failed as an infra loss and retried.
TEST_F(ServerSchedulingTest, AJobSaturatingTheCpuKeepsItsLease) {
  CommitPipeline(R"yaml(name: busy
on: {manual: {}}
jobs:
  spin:
    steps:
      - run: |
          echo run >> "$E2E_STATE/starts"
          end=$(( $(date +%s) + 7 ))
          for i in $(seq $(( $(nproc) * 4 ))); do
            ( while [ "$(date +%s)" -lt "$end" ]; do :; done ) &
          done
          wait
)yaml");
  StartServer({"--local-agents", "0", "--lease", "2"});
  AddProject();
  StartAgent("a1");
  const int number = StartRun();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "success") << run.dump(2) << "\nagent log:\n"
                                                << AgentLog("a1");
  const auto jobs = RunJobs(number);
  EXPECT_EQ(jobs.at("spin").value("attempts", 0), 1) << jobs.at("spin").dump();
  EXPECT_EQ(ReadText(state_ / "starts"), "run\n");  // the step ran once
}

// Two runs of one concurrency group with cancel-in-progress: the second cancels the first
// (whose job is stopped on its agent) and then runs itself.
TEST_F(ServerSchedulingTest, ConcurrencyGroupCancelInProgressReplacesTheRunningRun) {
  CommitPipeline(R"(name: deploy
on: {manual: {}}
concurrency: {group: deploy, cancel-in-progress: true}
jobs:
  deploy:
    steps:
      - run: |
          echo "$SLIPWAY_RUN_NUMBER" >> "$E2E_STATE/started"
          echo $$ > "$E2E_STATE/pid-$SLIPWAY_RUN_NUMBER"
          if [ "$SLIPWAY_RUN_NUMBER" = 1 ]; then exec sleep 120; fi
          echo "$SLIPWAY_RUN_NUMBER" >> "$E2E_STATE/finished"
)");
  StartServer({"--local-agents", "0"});
  AddProject();
  StartAgent("a1");
  StartAgent("a2");  // free capacity: only the group keeps the second run from starting at once
  const int first = StartRun();
  const pid_t pid = PidFrom("pid-" + std::to_string(first));
  ASSERT_GT(pid, 0) << ServerLog();

  const int second = StartRun();
  Json second_run = WaitForRun(second);
  EXPECT_EQ(second_run.value("status", ""), "success") << second_run.dump(2);
  Json first_run = WaitForRun(first);
  EXPECT_EQ(first_run.value("status", ""), "cancelled") << first_run.dump(2);
  EXPECT_TRUE(Gone(pid)) << "run " << first << "'s job still runs";
  // The second run started only after the first had stopped; the first never finished.
  EXPECT_EQ(ReadText(state_ / "started"),
            std::to_string(first) + "\n" + std::to_string(second) + "\n");
  EXPECT_EQ(ReadText(state_ / "finished"), std::to_string(second) + "\n");
}

// Jobs go only to agents having every label their runs-on asks for; jobs without runs-on go
// anywhere.
TEST_F(ServerSchedulingTest, RunsOnLabelsRouteJobsToTheAgentsHavingThem) {
  std::string yaml = "name: labels\non: {manual: {}}\njobs:\n";
  const std::vector<std::string> gpu = {"g1", "g2", "g3"}, arm = {"r1", "r2", "r3"};
  for (const auto& job : gpu) {
    yaml += "  " + job + ":\n    runs-on: [gpu]\n    steps:\n      - run: |\n          " +
            RecordAncestors(job) + "\n";
  }
  for (const auto& job : arm) {
    yaml += "  " + job + ":\n    runs-on: [arm, linux]\n    steps:\n      - run: |\n          " +
            RecordAncestors(job) + "\n";
  }
  yaml += "  any:\n    steps:\n      - run: |\n          " + RecordAncestors("any") + "\n";
  CommitPipeline(yaml);
  StartServer({"--local-agents", "0"});
  AddProject();
  const size_t gpu_agent = StartAgent("gpu", {"--labels", "gpu,linux"});
  const size_t arm_agent = StartAgent("arm", {"--labels", "arm,linux"});
  // Has one of the arm jobs' labels but not both: must get none of them.
  const size_t linux_agent = StartAgent("linux", {"--labels", "linux"});
  Json run = WaitForRun(StartRun());
  ASSERT_EQ(run.value("status", ""), "success") << run.dump(2) << ServerLog();

  for (const auto& job : gpu) {
    EXPECT_TRUE(RanUnder(job, agent(gpu_agent).pid())) << job << ReadText(state_ / job);
  }
  for (const auto& job : arm) {
    EXPECT_TRUE(RanUnder(job, agent(arm_agent).pid())) << job << ReadText(state_ / job);
  }
  int ran_any = 0;
  for (size_t i : {gpu_agent, arm_agent, linux_agent}) ran_any += RanUnder("any", agent(i).pid());
  EXPECT_EQ(ran_any, 1) << ReadText(state_ / "any");
}

}  // namespace
}  // namespace slipway::e2e
