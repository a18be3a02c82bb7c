// RunPlanCache and the leases that read it: a run's pipeline is parsed once, not per lease,
// the cache stays bounded, and a lease from the cache gives what a lease without it gives.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/run_plan.h"
#include "store/store.h"
#include "util/fs.h"

namespace slipway::engine {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

constexpr const char* kChain = R"(
on: manual
jobs:
  build:
    outputs: [version]
    steps: [{run: "true"}]
  test:
    needs: build
    matrix: {n: [1, 2]}
    steps: [{run: "true"}]
)";

class RunPlanCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("run-plan-cache-");
    ASSERT_TRUE(dir.ok());
    root_ = *dir;
    auto opened = store::Open({.url = (root_ / "db.sqlite").string()});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    store::Project project;
    project.name = "demo";
    project.repo = "/nowhere";
    project.default_branch = "main";
    project.created = Clock::now();
    auto created = store_->CreateProject(project);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_id_ = created->id;
    store::Agent agent;
    agent.name = "a1";
    agent.registered = agent.last_seen = Clock::now();
    auto registered = store_->RegisterAgent(agent);
    ASSERT_TRUE(registered.ok());
    agent_id_ = registered->id;
  }
  void TearDown() override {
    store_.reset();
    (void)RemoveTree(root_);
  }

  store::Run NewRun(const std::string& yaml = kChain) {
    RunRequest request;
    request.project_id = project_id_;
    request.pipeline_yaml = yaml;
    request.branch = "main";
    request.ref = "refs/heads/main";
    request.commit = std::string(40, 'a');
    auto run = CreateRun(*store_, request, Clock::now());
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : store::Run{};
  }

  // The run's stored jobs, counting how often they were read.
  std::function<Result<std::vector<store::Job>>()> Jobs(int64_t run_id) {
    return [this, run_id]() -> Result<std::vector<store::Job>> {
      ++job_reads_;
      return store_->ListJobs(run_id);
    };
  }

  // Leases the job the dispatcher queued next and finishes it with `outputs`.
  JobAssignment LeaseAndFinish(AgentService& service,
                               std::vector<std::pair<std::string, std::string>> outputs = {}) {
    auto lease = service.Lease(agent_id_, {}, 0ms);
    EXPECT_TRUE(lease.ok() && lease->has_value());
    if (!lease.ok() || !lease->has_value()) return {};
    runner::AttemptReport report;
    report.attempt = (*lease)->attempt;
    report.outputs = std::move(outputs);
    EXPECT_TRUE(service.Finish((*lease)->attempt_id, (*lease)->lease_token, report).ok());
    return **lease;
  }

  std::filesystem::path root_;
  std::unique_ptr<store::Store> store_;
  int64_t project_id_ = 0, agent_id_ = 0;
  int job_reads_ = 0;
  WorkSignal work_;
};

TEST_F(RunPlanCacheTest, BuildsAPlanOnceAndReusesIt) {
  store::Run run = NewRun();
  RunPlanCache cache;
  auto first = cache.Get(run, Jobs(run.id));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = cache.Get(run, Jobs(run.id));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(job_reads_, 1);
  EXPECT_EQ((*first)->pipeline().jobs.size(), 2u);
  EXPECT_EQ((*first)->job_index_of.size(), 3u);  // build, test (1), test (2)
  const RunPlanCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.size, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 1u);
}

TEST_F(RunPlanCacheTest, AnotherPipelineUnderTheSameRunIdIsNotServedTheOldPlan) {
  store::Run run = NewRun();
  RunPlanCache cache;
  auto old_plan = cache.Get(run, Jobs(run.id));
  ASSERT_TRUE(old_plan.ok());
  // The run was removed and its id reused for a run of another pipeline (same jobs, so the
  // stored rows still fit it), or with other inputs.
  store::Run reused = run;
  reused.pipeline_yaml = std::string(kChain) + "# changed\n";
  auto new_plan = cache.Get(reused, Jobs(run.id));
  ASSERT_TRUE(new_plan.ok());
  EXPECT_NE(old_plan->get(), new_plan->get());
  EXPECT_EQ((*new_plan)->digest, RunDigest(reused));
  reused.inputs_json = R"({"x":"1"})";
  auto with_inputs = cache.Get(reused, Jobs(run.id));
  ASSERT_TRUE(with_inputs.ok());
  EXPECT_NE(new_plan->get(), with_inputs->get());
  EXPECT_EQ(cache.stats().misses, 3u);
  EXPECT_EQ(cache.stats().size, 1u);
}

TEST_F(RunPlanCacheTest, HoldsAtMostItsCapacityDroppingTheLeastRecentlyUsed) {
  store::Run a = NewRun(), b = NewRun(), c = NewRun();
  RunPlanCache cache(2);
  ASSERT_TRUE(cache.Get(a, Jobs(a.id)).ok());
  ASSERT_TRUE(cache.Get(b, Jobs(b.id)).ok());
  ASSERT_TRUE(cache.Get(a, Jobs(a.id)).ok());  // a is now more recent than b
  ASSERT_TRUE(cache.Get(c, Jobs(c.id)).ok());  // drops b
  EXPECT_EQ(cache.stats().size, 2u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  job_reads_ = 0;
  ASSERT_TRUE(cache.Get(a, Jobs(a.id)).ok());
  ASSERT_TRUE(cache.Get(c, Jobs(c.id)).ok());
  EXPECT_EQ(job_reads_, 0);
  ASSERT_TRUE(cache.Get(b, Jobs(b.id)).ok());
  EXPECT_EQ(job_reads_, 1);
}

TEST_F(RunPlanCacheTest, RetainDropsThePlansOfFinishedRuns) {
  store::Run a = NewRun(), b = NewRun();
  RunPlanCache cache;
  auto held = cache.Get(a, Jobs(a.id));
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(cache.Get(b, Jobs(b.id)).ok());
  cache.Retain({b.id});
  EXPECT_EQ(cache.stats().size, 1u);
  EXPECT_EQ((*held)->pipeline().jobs[0].name, "build");  // still valid while held
  job_reads_ = 0;
  ASSERT_TRUE(cache.Get(b, Jobs(b.id)).ok());
  EXPECT_EQ(job_reads_, 0);
  ASSERT_TRUE(cache.Get(a, Jobs(a.id)).ok());
  EXPECT_EQ(job_reads_, 1);
}

TEST_F(RunPlanCacheTest, APipelineThatNoLongerParsesIsAnErrorAndNotCached) {
  store::Run run = NewRun();
  run.pipeline_yaml = "jobs: [";
  RunPlanCache cache;
  EXPECT_FALSE(cache.Get(run, Jobs(run.id)).ok());
  EXPECT_EQ(cache.stats().size, 0u);
}

TEST_F(RunPlanCacheTest, LeasesUseTheDispatchersPlansAndGiveWhatAColdLeaseGives) {
  WorkSignal finished;
  AgentServiceOptions options;
  options.finished = &finished;
  AgentService warm(store_.get(), &work_, options);
  DispatcherOptions dispatch_options;
  dispatch_options.restart_grace = 0ms;
  dispatch_options.plans = &warm.plans();
  Dispatcher dispatcher(store_.get(), &work_, dispatch_options, Clock::now());

  store::Run run = NewRun();
  ASSERT_TRUE(dispatcher.Tick(Clock::now()).ok());  // queues build, shares the plan
  EXPECT_EQ(warm.plans().stats().size, 1u);
  JobAssignment build = LeaseAndFinish(warm, {{"version", "1.2.3"}});
  EXPECT_EQ(build.instance_id, "build");
  EXPECT_EQ(build.needs_json, "{}");
  ASSERT_TRUE(dispatcher.Tick(Clock::now()).ok());  // build succeeded: queues test (1), (2)
  JobAssignment test = LeaseAndFinish(warm);
  EXPECT_EQ(test.instance_id, "test (1)");
  EXPECT_EQ(test.needs_json, R"({"build":{"outputs":{"version":"1.2.3"},"result":"success"}})");
  RunPlanCache::Stats stats = warm.plans().stats();
  EXPECT_EQ(stats.misses, 0u);  // never parsed for a lease: the dispatcher's plan was there
  EXPECT_EQ(stats.hits, 2u);

  // A server that does not dispatch builds the plan on its first lease, and leases the same.
  AgentService cold(store_.get(), &work_, options);
  JobAssignment other = LeaseAndFinish(cold);
  EXPECT_EQ(other.instance_id, "test (2)");
  EXPECT_EQ(other.needs_json, test.needs_json);
  EXPECT_EQ(other.pipeline_yaml, test.pipeline_yaml);
  EXPECT_EQ(other.inputs_json, test.inputs_json);
  EXPECT_EQ(cold.plans().stats().misses, 1u);

  // The run finishes in this pass; the next pass no longer lists it and drops its plan.
  ASSERT_TRUE(dispatcher.Tick(Clock::now()).ok());
  auto ended = store_->GetRun(run.id);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->status, store::RunStatus::kSuccess);
  ASSERT_TRUE(dispatcher.Tick(Clock::now()).ok());
  EXPECT_EQ(warm.plans().stats().size, 0u);
}

}  // namespace
}  // namespace slipway::engine
