// The server side of runs, end to end without HTTP: stored runs, the dispatcher, leases and
// real agents (LocalTransport) running real steps from a real git repository.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "agent/agent.h"
#include "engine/engine.h"
#include "shell.h"
#include "store/store.h"
#include "util/fs.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

using testing::Shell;

class ServerFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("server-flow-");
    ASSERT_TRUE(dir.ok());
    root_ = *dir;
    repo_ = root_ / "repo";
    state_ = root_ / "state";
    fs::create_directories(repo_);
    fs::create_directories(state_);
    Shell("cd " + repo_.string() + " && git init -q -b main");
    auto opened = store::Open({.url = (root_ / "db.sqlite").string()});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    store::Project project;
    project.name = "demo";
    project.repo = repo_.string();
    project.default_branch = "main";
    project.poll_interval_seconds = 0;
    project.created = Clock::now();
    auto created = store_->CreateProject(project);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_ = *created;

    engine::AgentServiceOptions options;
    options.lease = 1500ms;
    options.finished = &dispatch_;
    service_ = std::make_unique<engine::AgentService>(store_.get(), &work_, options);
    dispatcher_thread_ = std::thread([this] {
      engine::DispatcherOptions options;
      options.restart_grace = 0ms;
      engine::Dispatcher dispatcher(store_.get(), &work_, options, Clock::now());
      uint64_t seen = 0;
      while (!stop_.cancelled()) {
        auto ticked = dispatcher.Tick(Clock::now());
        EXPECT_TRUE(ticked.ok()) << ticked.status().ToString();
        seen = dispatch_.Wait(seen, 50ms);
      }
    });
  }

  void TearDown() override {
    stop_.Cancel();
    dispatch_.Notify();
    work_.Notify();
    for (auto& thread : agent_threads_) thread.join();
    dispatcher_thread_.join();
    agents_.clear();
    store_.reset();
    (void)RemoveTree(root_);
  }

  void Commit(const std::string& pipeline) {
    std::ofstream(repo_ / ".slipway.yml") << pipeline;
    Shell("cd " + repo_.string() +
          " && git add -A && git -c user.name=t -c user.email=t@t commit -qm change");
  }

  void StartAgent(const std::string& name, std::vector<std::string> labels = {}) {
    store::Agent record;
    record.name = name;
    record.labels = labels;
    record.registered = record.last_seen = Clock::now();
    auto registered = store_->RegisterAgent(record);
    ASSERT_TRUE(registered.ok());
    transports_.push_back(std::make_unique<LocalTransport>(service_.get(), registered->id, labels));
    AgentOptions options;
    options.work_dir = root_ / "agents" / name;
    options.environment = {"PATH=/usr/local/bin:/usr/bin:/bin", "STATE=" + state_.string()};
    options.poll_wait = 200ms;
    options.kill_grace = 200ms;
    options.log_flush = 50ms;
    agents_.push_back(std::make_unique<Agent>(transports_.back().get(), options));
    Agent* agent = agents_.back().get();
    agent_threads_.emplace_back([this, agent] { agent->Run(stop_); });
  }

  store::Run StartRun(std::map<std::string, std::string> inputs = {}) {
    engine::ManualRunRequest request;
    request.project = project_;
    request.actor = "test";
    request.inputs = std::move(inputs);
    request.mirrors_dir = root_ / "server";
    auto run = engine::StartManualRun(*store_, request, Clock::now());
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    dispatch_.Notify();
    return run.ok() ? *run : store::Run{};
  }

  store::Run WaitForEnd(int64_t run_id, std::chrono::seconds limit = 60s) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      auto run = store_->GetRun(run_id);
      if (run.ok() && run->finished) return *run;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "run " << run_id << " did not finish";
    return {};
  }

  store::Job JobOf(int64_t run_id, const std::string& instance) {
    auto jobs = store_->ListJobs(run_id);
    for (const auto& job : *jobs) {
      if (job.instance_id == instance) return job;
    }
    ADD_FAILURE() << "no job " << instance;
    return {};
  }

  std::string LogOf(const store::Job& job) {
    auto attempts = store_->ListAttempts(job.id);
    if (!attempts.ok() || attempts->empty()) return "";
    auto slice = store_->ReadLog(attempts->back().id, 0, 1 << 20);
    return slice.ok() ? slice->data : "";
  }

  fs::path root_, repo_, state_;
  std::unique_ptr<store::Store> store_;
  store::Project project_;
  engine::WorkSignal work_, dispatch_;
  std::unique_ptr<engine::AgentService> service_;
  std::vector<std::unique_ptr<LocalTransport>> transports_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::vector<std::thread> agent_threads_;
  std::thread dispatcher_thread_;
  CancelToken stop_;
};

TEST_F(ServerFlowTest, DagRunsOnAgentsWithOutputsAndLogs) {
  Commit(R"(
on: {manual: {inputs: {greeting: {default: hello}}}}
jobs:
  build:
    outputs: [version]
    steps:
      - run: echo "version=1.2.3" >> "$SLIPWAY_OUTPUT"
      - run: echo building at $(git --version >/dev/null 2>&1; echo ok)
  test:
    needs: build
    matrix: {n: [1, 2]}
    steps:
      - run: echo "${{ inputs.greeting }} ${{ needs.build.outputs.version }} ${{ matrix.n }}" > "$STATE/test-${{ matrix.n }}"
  skipped:
    needs: test
    if: "branch == 'other'"
    steps: [{run: "true"}]
)");
  StartAgent("a1");
  StartAgent("a2");
  store::Run run = WaitForEnd(StartRun().id);
  EXPECT_EQ(run.status, store::RunStatus::kSuccess) << run.error;
  EXPECT_EQ(JobOf(run.id, "build").outputs_json, R"({"version":"1.2.3"})");
  std::string line;
  std::getline(std::ifstream(state_ / "test-2"), line);
  EXPECT_EQ(line, "hello 1.2.3 2");
  EXPECT_EQ(JobOf(run.id, "skipped").status, store::JobStatus::kSkipped);
  EXPECT_NE(LogOf(JobOf(run.id, "build")).find("building at ok"), std::string::npos);
}

TEST_F(ServerFlowTest, FailedAttemptIsRetriedAndFailureSkipsDependents) {
  Commit(R"(
jobs:
  flaky:
    retry: 2
    steps:
      - run: |
          n=$(cat "$STATE/count" 2>/dev/null || echo 0); echo $((n+1)) > "$STATE/count"
          [ "$n" -ge 1 ]
  broken:
    steps: [{run: exit 3}]
  after:
    needs: broken
    steps: [{run: "true"}]
)");
  StartAgent("a1");
  store::Run run = WaitForEnd(StartRun().id);
  EXPECT_EQ(run.status, store::RunStatus::kFailure);
  store::Job flaky = JobOf(run.id, "flaky");
  EXPECT_EQ(flaky.status, store::JobStatus::kSuccess);
  EXPECT_EQ(flaky.attempts, 2);
  store::Job broken = JobOf(run.id, "broken");
  EXPECT_EQ(broken.status, store::JobStatus::kFailure);
  EXPECT_EQ(broken.reason, "step 'exit 3' exited with 3");
  EXPECT_EQ(JobOf(run.id, "after").status, store::JobStatus::kSkipped);
}

TEST_F(ServerFlowTest, CancellingARunStopsItsJobOnTheAgent) {
  Commit(R"(
jobs:
  long:
    steps:
      - run: touch "$STATE/started"; sleep 300
  later:
    needs: long
    steps: [{run: "true"}]
)");
  StartAgent("a1");
  store::Run run = StartRun();
  for (int i = 0; i < 500 && !fs::exists(state_ / "started"); ++i)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(fs::exists(state_ / "started"));
  auto stored = store_->GetRun(run.id);
  ASSERT_TRUE(stored.ok());
  stored->cancel_requested = true;
  ASSERT_TRUE(store_->UpdateRun(*stored).ok());
  dispatch_.Notify();
  const auto asked = Clock::now();
  store::Run ended = WaitForEnd(run.id);
  // The agent hears it at its next heartbeat (a third of the 1.5 s lease).
  EXPECT_LT(Clock::now() - asked, 5s);
  EXPECT_EQ(ended.status, store::RunStatus::kCancelled);
  EXPECT_EQ(JobOf(run.id, "long").status, store::JobStatus::kCancelled);
  EXPECT_EQ(JobOf(run.id, "later").status, store::JobStatus::kCancelled);
}

TEST_F(ServerFlowTest, LostLeaseIsRetriedElsewhereAndTheLateResultIsRejected) {
  Commit(R"(
jobs:
  work:
    retry: {max: 1, on: [infra]}
    steps:
      - run: echo done >> "$STATE/side-effect"
)");
  // An agent that takes the job and then dies: no heartbeat, no result.
  store::Agent dead_agent;
  dead_agent.name = "dead";
  dead_agent.registered = Clock::now();
  auto dead = store_->RegisterAgent(dead_agent);
  ASSERT_TRUE(dead.ok());
  store::Run run = StartRun();
  std::optional<engine::JobAssignment> taken;
  for (int i = 0; i < 100 && !taken; ++i) {
    auto lease = service_->Lease(dead->id, {}, 100ms);
    ASSERT_TRUE(lease.ok());
    taken = *lease;
  }
  ASSERT_TRUE(taken.has_value());
  StartAgent("alive");
  store::Run ended = WaitForEnd(run.id);
  EXPECT_EQ(ended.status, store::RunStatus::kSuccess);
  store::Job job = JobOf(run.id, "work");
  EXPECT_EQ(job.attempts, 2);
  auto attempts = store_->ListAttempts(job.id);
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_TRUE((*attempts)[0].lost);
  // The dead agent comes back with a result: too late, and it changes nothing.
  runner::AttemptReport late;
  late.attempt = 1;
  late.outcome = runner::Outcome::kFailure;
  Status status = service_->Finish(taken->attempt_id, taken->lease_token, late);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(JobOf(run.id, "work").status, store::JobStatus::kSuccess);
  std::ifstream effects(state_ / "side-effect");
  int lines = 0;
  for (std::string line; std::getline(effects, line);) ++lines;
  EXPECT_EQ(lines, 1);  // the side effect happened exactly once
}

TEST_F(ServerFlowTest, RunsOnMatchesAgentLabels) {
  Commit(R"(
jobs:
  gpu:
    runs-on: [gpu]
    steps: [{run: echo "$AGENT_NAME" > "$STATE/gpu"}]
)");
  StartAgent("plain");
  StartAgent("gpu-box", {"gpu", "linux"});
  store::Run run = WaitForEnd(StartRun().id);
  EXPECT_EQ(run.status, store::RunStatus::kSuccess);
  auto attempts = store_->ListAttempts(JobOf(run.id, "gpu").id);
  ASSERT_EQ(attempts->size(), 1u);
  auto agents = store_->ListAgents();
  std::string leased_by;
  for (const auto& agent : *agents) {
    if (agent.id == (*attempts)[0].agent_id) leased_by = agent.name;
  }
  EXPECT_EQ(leased_by, "gpu-box");
}

TEST_F(ServerFlowTest, InvalidPipelineMakesAFailedRunWithPositions) {
  Commit("jobs:\n  a:\n    step: []\n");
  StartAgent("a1");
  store::Run run = WaitForEnd(StartRun().id);
  EXPECT_EQ(run.status, store::RunStatus::kFailure);
  EXPECT_NE(run.error.find(".slipway.yml:3:5: unknown key 'step'"), std::string::npos) << run.error;
}

}  // namespace
}  // namespace slipway::agent
