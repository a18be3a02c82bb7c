// Crash safety of `slipway server` with remote agents: a server killed with -9 in the middle of
// a run, and an agent killed with -9 in the middle of a job.
#include <sstream>

#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ServerCrashTest : public ServerE2eTest {
 protected:
  // Polls until $E2E_STATE/`file` has at least `lines` lines (false after kHangLimit).
  bool WaitForLines(const std::string& file, size_t lines) {
    const auto deadline = std::chrono::steady_clock::now() + kHangLimit;
    while (Lines(ReadText(state_ / file)).size() < lines) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
};

constexpr int kJobs = 50;
constexpr int kLogLines = 5;

std::string JobName(int i) { return (i < 10 ? "job0" : "job") + std::to_string(i); }

// kJobs independent jobs; each prints kLogLines numbered lines over ~0.2 s, then records that
// it ran (its side effect) in $E2E_STATE/ran. A lease the server granted just before it died
// never reaches its agent; that attempt expires as an infrastructure failure, which the retry
// policy takes back into the queue.
std::string FiftyJobPipeline() {
  std::ostringstream yaml;
  yaml << "name: many\non: {manual: {}}\njobs:\n";
  for (int i = 1; i <= kJobs; ++i) {
    yaml << "  " << JobName(i) << ":\n    retry: {max: 1, on: infra}\n    steps:\n      - run: |\n"
         << "          for i in $(seq " << kLogLines << "); do echo \"$SLIPWAY_JOB line $i\"; "
         << "sleep 0.04; done\n"
         << "          echo \"$SLIPWAY_JOB\" >> \"$E2E_STATE/ran\"\n";
  }
  return yaml.str();
}

// The server dies (kill -9) while two remote agents work through a 50-job run, and comes back
// on the same port: the agents carry on, the run succeeds, every job's side effect happened
// exactly once, and every log line an agent shipped is stored exactly once, in order.
TEST_F(ServerCrashTest, ServerKilledMidRunFinishesEveryJobExactlyOnceWithItsWholeLog) {
  CommitPipeline(FiftyJobPipeline());
  const std::vector<std::string> server_args = {"--local-agents", "0", "--lease", "5"};
  StartServer(server_args);
  AddProject();
  StartAgent("a1", {"--capacity", "2"});
  StartAgent("a2", {"--capacity", "2"});
  const int number = StartRun();
  ASSERT_GT(number, 0);

  ASSERT_TRUE(WaitForLines("ran", 8)) << ServerLog();
  KillServer();
  const size_t ran_at_kill = Lines(ReadText(state_ / "ran")).size();
  ASSERT_LT(ran_at_kill, static_cast<size_t>(kJobs)) << "the kill did not land mid-run";
  StartServer(server_args);

  Json run = WaitForRun(number, "demo", std::chrono::seconds(90));
  ASSERT_EQ(run.value("status", ""), "success") << run.dump(2) << ServerLog();

  std::map<std::string, int> ran;
  for (const auto& line : Lines(ReadText(state_ / "ran"))) ++ran[line];
  for (int i = 1; i <= kJobs; ++i) EXPECT_EQ(ran[JobName(i)], 1) << JobName(i);
  EXPECT_EQ(ran.size(), static_cast<size_t>(kJobs));

  const auto jobs = RunJobs(number);
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kJobs));
  for (int i = 1; i <= kJobs; ++i) {
    const std::string name = JobName(i);
    ASSERT_TRUE(jobs.count(name)) << name;
    EXPECT_EQ(jobs.at(name).value("status", ""), "success") << jobs.at(name).dump();
    // A second attempt only for a job whose first never started (a lease lost in the crash).
    const int attempts = jobs.at(name).value("attempts", 0);
    EXPECT_TRUE(attempts == 1 || (attempts == 2 && JobLog(number, name, 1).empty()))
        << jobs.at(name).dump() << "\nattempt 1's log:\n"
        << JobLog(number, name, 1);
    // Exactly kLogLines of the job's own lines, in order (the log also holds step headers).
    std::vector<std::string> numbered;
    for (const auto& line : Lines(JobLog(number, name))) {
      if (line.rfind(name + " line ", 0) == 0) numbered.push_back(line);
    }
    std::vector<std::string> expected;
    for (int n = 1; n <= kLogLines; ++n) expected.push_back(name + " line " + std::to_string(n));
    EXPECT_EQ(numbered, expected) << JobLog(number, name);
  }
}

// An agent dies (kill -9) in the middle of a job: once its lease expires the job is retried on
// the other agent and succeeds. The retry policy allows only infrastructure failures, so the
// second attempt also proves the first was classified as one.
TEST_F(ServerCrashTest, AgentKilledMidJobIsRetriedOnTheOtherAgentAfterItsLease) {
  CommitPipeline(R"(name: lost
on: {manual: {}}
jobs:
  slow:
    retry: {max: 1, on: infra}
    steps:
      - run: |
          echo "attempt $SLIPWAY_ATTEMPT starts"
          )" + RecordAncestors("ancestors-$SLIPWAY_ATTEMPT") +
                 R"(
          if [ "$SLIPWAY_ATTEMPT" = 1 ]; then exec sleep 300; fi
          echo "attempt $SLIPWAY_ATTEMPT done"
)");
  StartServer({"--local-agents", "0", "--lease", "2"});
  AddProject();
  const size_t a1 = StartAgent("a1");
  const size_t a2 = StartAgent("a2");
  const int number = StartRun();
  ASSERT_GT(number, 0);

  ASSERT_TRUE(WaitForFile(state_ / "ancestors-1")) << ServerLog();
  // The step may still be writing the file: wait until its chain reaches one of the agents.
  const auto deadline = std::chrono::steady_clock::now() + kHangLimit;
  while (!RanUnder("ancestors-1", agent(a1).pid()) && !RanUnder("ancestors-1", agent(a2).pid())) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << ReadText(state_ / "ancestors-1");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const bool first_on_a1 = RanUnder("ancestors-1", agent(a1).pid());
  const size_t victim = first_on_a1 ? a1 : a2, survivor = first_on_a1 ? a2 : a1;
  const pid_t step = std::stoi(Lines(ReadText(state_ / "ancestors-1")).front());
  const pid_t step_group = ::getpgid(step);
  // Kill the agent only once the server has the first line of the attempt's log: what an agent
  // shipped survives it (what it had not shipped yet dies with it).
  while (JobLog(number, "slow", 1).find("attempt 1 starts") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << ServerLog();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  agent(victim).Signal(SIGKILL);
  // The orphaned step (sleep 300) belongs to no one now; a real machine would have lost it with
  // its agent.
  if (step_group > 1 && step_group != ::getpgrp()) ::kill(-step_group, SIGKILL);

  Json run = WaitForRun(number, "demo", std::chrono::seconds(60));
  ASSERT_EQ(run.value("status", ""), "success") << run.dump(2) << ServerLog();
  const auto jobs = RunJobs(number);
  ASSERT_TRUE(jobs.count("slow"));
  EXPECT_EQ(jobs.at("slow").value("status", ""), "success") << jobs.at("slow").dump();
  EXPECT_EQ(jobs.at("slow").value("attempts", 0), 2) << jobs.at("slow").dump();
  EXPECT_TRUE(RanUnder("ancestors-2", agent(survivor).pid())) << ReadText(state_ / "ancestors-2");
  EXPECT_CONTAINS(JobLog(number, "slow", 1), "attempt 1 starts");
  const std::string second = JobLog(number, "slow", 2);
  EXPECT_CONTAINS(second, "attempt 2 done");
  EXPECT_NOT_CONTAINS(second, "attempt 1");
}

}  // namespace
}  // namespace slipway::e2e
