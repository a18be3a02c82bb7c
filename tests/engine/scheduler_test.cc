// The DAG scheduler: order, parallelism, skipping, conditions, matrix fail-fast, selection.
#include <algorithm>

#include "engine_test_util.h"

namespace slipway::engine::testing {
namespace {

using runner::Outcome;

size_t IndexOf(const std::vector<std::string>& items, const std::string& item) {
  return static_cast<size_t>(std::find(items.begin(), items.end(), item) - items.begin());
}

TEST_F(EngineTest, DependenciesFinishBeforeDependentsStart) {
  RunOptions options;
  options.parallelism = 4;
  auto result = Run(R"(
jobs:
  c: {needs: [a, b], steps: [{run: ok}]}
  a: {steps: [{run: sleep 20}]}
  b: {needs: a, steps: [{run: sleep 5}]}
  d: {needs: c, steps: [{run: ok}]}
)",
                    options);
  EXPECT_TRUE(result.success);
  auto order = launcher_.jobs_in_order();
  ASSERT_EQ(order.size(), 4u);
  EXPECT_LT(IndexOf(order, "a"), IndexOf(order, "b"));
  EXPECT_LT(IndexOf(order, "b"), IndexOf(order, "c"));
  EXPECT_LT(IndexOf(order, "c"), IndexOf(order, "d"));
  // Results come back in file order, whatever the run order.
  ASSERT_EQ(result.jobs.size(), 4u);
  EXPECT_EQ(result.jobs[0].id, "c");
  EXPECT_EQ(result.jobs[3].id, "d");
}

TEST_F(EngineTest, ParallelismIsReachedAndNeverExceeded) {
  RunOptions options;
  options.parallelism = 3;
  std::string yaml = "jobs:\n";
  for (int i = 0; i < 12; ++i) yaml += "  j" + std::to_string(i) + ": {steps: [{run: sleep 30}]}\n";
  auto result = Run(yaml, options);
  EXPECT_TRUE(result.success);
  EXPECT_EQ(launcher_.max_running(), 3);
}

TEST_F(EngineTest, ParallelismOfOneRunsOneAtATime) {
  RunOptions options;
  options.parallelism = 1;
  auto result =
      Run("jobs:\n  a: {steps: [{run: sleep 10}]}\n  b: {steps: [{run: sleep 10}]}\n", options);
  EXPECT_TRUE(result.success);
  EXPECT_EQ(launcher_.max_running(), 1);
}

TEST_F(EngineTest, FailureSkipsDependentsWithAReason) {
  auto result = Run(R"(
jobs:
  build: {steps: [{run: fail 3}]}
  test: {needs: build, steps: [{run: ok}]}
  deploy: {needs: test, steps: [{run: ok}]}
)");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(Job(result, "build").outcome, Outcome::kFailure);
  EXPECT_EQ(Job(result, "build").attempts.back().exit_code, 3);
  EXPECT_EQ(Job(result, "test").outcome, Outcome::kSkipped);
  EXPECT_EQ(Job(result, "test").reason, "needs 'build' did not succeed");
  EXPECT_EQ(Job(result, "deploy").outcome, Outcome::kSkipped);
  EXPECT_EQ(Job(result, "deploy").reason, "needs 'test' did not succeed");
  EXPECT_TRUE(Job(result, "test").attempts.empty());
}

TEST_F(EngineTest, StatusFunctionsInJobConditions) {
  auto result = Run(R"(
jobs:
  build: {steps: [{run: fail 1}]}
  test: {needs: build, steps: [{run: ok}]}
  report: {needs: test, if: always(), steps: [{run: ok}]}
  on_failure: {needs: test, if: failure(), steps: [{run: ok}]}
  on_success: {needs: build, if: success(), steps: [{run: ok}]}
  cleanup: {needs: build, if: "${{ always() && needs.build.result == 'failure' }}", steps: [{run: ok}]}
)");
  EXPECT_EQ(Job(result, "report").outcome, Outcome::kSuccess);
  // failure() sees failures of any ancestor, not only direct needs (as GitHub Actions).
  EXPECT_EQ(Job(result, "on_failure").outcome, Outcome::kSuccess);
  EXPECT_EQ(Job(result, "on_success").outcome, Outcome::kSkipped);
  EXPECT_EQ(Job(result, "cleanup").outcome, Outcome::kSuccess);
  EXPECT_FALSE(result.success);
}

TEST_F(EngineTest, FalseConditionSkipsWithoutFailingTheRun) {
  RunOptions options;
  options.branch = "feature/x";
  auto result = Run(R"(
jobs:
  deploy: {if: "branch == 'main'", steps: [{run: ok}]}
  after: {needs: deploy, steps: [{run: ok}]}
  always_after: {needs: deploy, if: always(), steps: [{run: ok}]}
)",
                    options);
  EXPECT_TRUE(result.success);
  EXPECT_EQ(Job(result, "deploy").outcome, Outcome::kSkipped);
  EXPECT_EQ(Job(result, "deploy").reason, "if: condition is false");
  EXPECT_EQ(Job(result, "after").outcome, Outcome::kSkipped);
  EXPECT_EQ(Job(result, "always_after").outcome, Outcome::kSuccess);
}

TEST_F(EngineTest, ConditionsSeeEventInputsAndNeedsResults) {
  RunOptions options;
  options.event = "manual";
  options.inputs = {{"target", "prod"}, {"dry", "true"}};
  auto result = Run(R"(
on:
  manual:
    inputs:
      target: {type: choice, options: [staging, prod]}
      dry: {type: boolean}
jobs:
  a: {steps: [{run: ok}]}
  b: {needs: a, if: "event == 'manual' && inputs.target == 'prod' && inputs.dry && needs.a.result == 'success'", steps: [{run: ok}]}
  c: {needs: a, if: "!inputs.dry", steps: [{run: ok}]}
)",
                    options);
  EXPECT_EQ(Job(result, "b").outcome, Outcome::kSuccess);
  EXPECT_EQ(Job(result, "c").outcome, Outcome::kSkipped);
}

TEST_F(EngineTest, MatrixFailFastCancelsSiblings) {
  RunOptions options;
  options.parallelism = 2;
  auto result = Run(R"(
jobs:
  test:
    matrix:
      n: [1, 2, 3, 4]
    steps:
      - {if: "matrix.n == '1'", run: fail 1}
      - {if: "matrix.n != '1'", run: hang}
)",
                    options);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(Job(result, "test (1)").outcome, Outcome::kFailure);
  EXPECT_EQ(Job(result, "test (2)").outcome, Outcome::kCancelled);  // was running
  EXPECT_EQ(Job(result, "test (3)").outcome, Outcome::kCancelled);  // never started
  EXPECT_EQ(Job(result, "test (3)").reason, "fail-fast: 'test (1)' failed");
  EXPECT_TRUE(Job(result, "test (4)").attempts.empty());
}

TEST_F(EngineTest, MatrixWithoutFailFastRunsEveryCell) {
  auto result = Run(R"(
jobs:
  test:
    matrix:
      n: [1, 2, 3]
      fail-fast: false
    steps:
      - {if: "matrix.n == '2'", run: fail 1}
)");
  EXPECT_EQ(Job(result, "test (1)").outcome, Outcome::kSuccess);
  EXPECT_EQ(Job(result, "test (2)").outcome, Outcome::kFailure);
  EXPECT_EQ(Job(result, "test (3)").outcome, Outcome::kSuccess);
}

TEST_F(EngineTest, MaxParallelLimitsOneJobsCells) {
  RunOptions options;
  options.parallelism = 4;
  auto result = Run(R"(
jobs:
  test:
    matrix:
      n: [1, 2, 3, 4, 5]
      max-parallel: 2
    steps: [{run: sleep 20}]
)",
                    options);
  EXPECT_TRUE(result.success);
  EXPECT_EQ(launcher_.max_running(), 2);
}

TEST_F(EngineTest, ConcurrencyGroupSerialisesJobs) {
  RunOptions options;
  options.parallelism = 4;
  auto result = Run(R"(
jobs:
  a: {concurrency: "deploy-${{ branch }}", steps: [{run: sleep 20}]}
  b: {concurrency: "deploy-${{ branch }}", steps: [{run: sleep 20}]}
  c: {concurrency: "deploy-${{ branch }}", steps: [{run: sleep 20}]}
)",
                    options);
  EXPECT_TRUE(result.success);
  EXPECT_EQ(launcher_.max_running(), 1);
}

TEST_F(EngineTest, SelectedJobsRunWithWhatTheyNeedOnly) {
  RunOptions options;
  options.jobs = {"test"};
  auto result = Run(R"(
jobs:
  lint: {steps: [{run: ok}]}
  build: {steps: [{run: ok}]}
  test: {needs: build, steps: [{run: ok}]}
  deploy: {needs: test, steps: [{run: ok}]}
)",
                    options);
  EXPECT_TRUE(result.success);
  ASSERT_EQ(result.jobs.size(), 2u);
  EXPECT_EQ(result.jobs[0].id, "build");
  EXPECT_EQ(result.jobs[1].id, "test");
}

TEST_F(EngineTest, UnknownSelectedJobIsAnError) {
  loaded_ = spec::ParsePipeline("jobs:\n  build: {steps: [{run: ok}]}\n", "p.yml");
  ASSERT_TRUE(loaded_.ok());
  RunOptions options;
  options.jobs = {"biuld"};
  options.source = root_ / "source";
  options.work_dir = root_ / "work";
  options.launcher = &launcher_;
  options.observer = &observer_;
  auto result = RunPipeline(*loaded_.pipeline, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "--job biuld: no such job in p.yml (jobs: build)");
  EXPECT_TRUE(launcher_.calls().empty());
}

TEST_F(EngineTest, CancellingTheRunStopsRunningAndPendingJobs) {
  CancelToken cancel;
  RunOptions options;
  options.parallelism = 1;
  options.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel.Cancel();
  });
  auto result = Run(R"(
jobs:
  a: {steps: [{run: hang}]}
  b: {steps: [{run: ok}]}
  c: {needs: a, steps: [{run: ok}]}
  cleanup: {needs: a, if: always(), steps: [{run: ok}]}
  on_cancel: {needs: c, if: cancelled(), steps: [{run: ok}]}
)",
                    options);
  canceller.join();
  EXPECT_TRUE(result.cancelled);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(Job(result, "a").outcome, Outcome::kCancelled);
  EXPECT_EQ(Job(result, "b").outcome, Outcome::kCancelled);
  EXPECT_EQ(Job(result, "b").reason, "the run was cancelled");
  EXPECT_EQ(Job(result, "c").outcome, Outcome::kCancelled);
  // Clean-up jobs still run, as in GitHub Actions.
  EXPECT_EQ(Job(result, "cleanup").outcome, Outcome::kSuccess);
  EXPECT_EQ(Job(result, "on_cancel").outcome, Outcome::kSuccess);
  EXPECT_EQ(launcher_.calls().size(), 3u);  // hang, and the two clean-up jobs
}

TEST_F(EngineTest, AbortStopsCleanUpJobsToo) {
  CancelToken cancel, abort;
  RunOptions options;
  options.parallelism = 1;
  options.cancel = &cancel;
  options.abort = &abort;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel.Cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    abort.Cancel();
  });
  auto result = Run(R"(
jobs:
  a: {steps: [{run: hang}]}
  cleanup: {needs: a, if: always(), steps: [{run: hang}]}
  later: {needs: cleanup, if: always(), steps: [{run: ok}]}
)",
                    options);
  canceller.join();
  EXPECT_EQ(Job(result, "a").outcome, Outcome::kCancelled);
  EXPECT_EQ(Job(result, "cleanup").outcome, Outcome::kCancelled);
  EXPECT_FALSE(Job(result, "cleanup").attempts.empty());  // it had started
  EXPECT_EQ(Job(result, "later").outcome, Outcome::kCancelled);
  EXPECT_TRUE(Job(result, "later").attempts.empty());
}

}  // namespace
}  // namespace slipway::engine::testing
