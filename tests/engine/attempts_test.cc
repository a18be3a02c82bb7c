// Attempts of one job instance: retries, timeouts, infra errors, outputs, artifacts, flaky tests.
#include "engine_test_util.h"

namespace slipway::engine::testing {
namespace {

using runner::Outcome;

TEST_F(EngineTest, RetriesUntilAnAttemptSucceeds) {
  auto result = Run(R"(
jobs:
  test: {retry: 3, steps: [{run: flaky t 2}]}
)");
  EXPECT_TRUE(result.success);
  const auto& job = Job(result, "test");
  ASSERT_EQ(job.attempts.size(), 3u);
  EXPECT_EQ(job.attempts[0].outcome, Outcome::kFailure);
  EXPECT_EQ(job.attempts[1].outcome, Outcome::kFailure);
  EXPECT_EQ(job.attempts[2].outcome, Outcome::kSuccess);
  EXPECT_EQ(job.attempts[2].attempt, 3);
}

TEST_F(EngineTest, GivesUpAfterMaxRetries) {
  auto result = Run("jobs:\n  test: {retry: 1, steps: [{run: fail 2}]}\n");
  const auto& job = Job(result, "test");
  EXPECT_EQ(job.outcome, Outcome::kFailure);
  EXPECT_EQ(job.attempts.size(), 2u);
  EXPECT_EQ(job.reason, "step 'fail 2' exited with 2");
}

TEST_F(EngineTest, RetryExitCodesFilter) {
  auto result = Run(R"(
jobs:
  listed: {retry: {max: 2, exit-codes: [75]}, steps: [{run: fail 75}]}
  other: {retry: {max: 2, exit-codes: [75]}, steps: [{run: fail 1}]}
)");
  EXPECT_EQ(Job(result, "listed").attempts.size(), 3u);
  EXPECT_EQ(Job(result, "other").attempts.size(), 1u);
}

TEST_F(EngineTest, RetryReasonsAreRespected) {
  auto result = Run(R"(
jobs:
  timeout_not_retried: {retry: {max: 2, on: failure}, steps: [{run: timeout}]}
  timeout_retried: {retry: {max: 2, on: timeout}, steps: [{run: timeout}]}
  infra_retried: {retry: {max: 1, on: [infra]}, steps: [{run: nostart}]}
  failure_not_retried: {retry: {max: 2, on: [infra]}, steps: [{run: fail 1}]}
)");
  EXPECT_EQ(Job(result, "timeout_not_retried").attempts.size(), 1u);
  EXPECT_EQ(Job(result, "timeout_not_retried").outcome, Outcome::kTimedOut);
  EXPECT_EQ(Job(result, "timeout_retried").attempts.size(), 3u);
  EXPECT_EQ(Job(result, "infra_retried").attempts.size(), 2u);
  EXPECT_EQ(Job(result, "infra_retried").outcome, Outcome::kInfra);
  EXPECT_EQ(Job(result, "failure_not_retried").attempts.size(), 1u);
}

TEST_F(EngineTest, OutputsReachDependents) {
  auto result = Run(R"(
jobs:
  build:
    outputs: [version, unused]
    steps:
      - run: output version 1.2.3
      - run: output undeclared x
  deploy:
    needs: build
    env:
      V: ${{ needs.build.outputs.version }}
    steps:
      - run: expect marker-${{ needs.build.outputs.version }}
        if: "needs.build.outputs.version == '1.2.3'"
        continue-on-error: true
)");
  const auto& build = Job(result, "build");
  ASSERT_EQ(build.outputs.size(), 1u);  // only declared and written outputs
  EXPECT_EQ(build.outputs[0].first, "version");
  EXPECT_EQ(build.outputs[0].second, "1.2.3");
  // The step ran (its condition saw the output) and its rendered command used it.
  bool saw = false;
  for (const auto& call : launcher_.calls()) saw = saw || call == "deploy:expect marker-1.2.3";
  EXPECT_TRUE(saw);
}

TEST_F(EngineTest, ArtifactsReachDirectDependentsOnly) {
  auto result = Run(R"(
jobs:
  build:
    artifacts: [dist/app, "reports/*.txt"]
    steps:
      - run: touch dist/app
      - run: touch reports/a.txt
      - run: touch scratch/tmp
  test:
    needs: build
    steps:
      - run: expect dist/app
      - run: expect reports/a.txt
      - {run: expect scratch/tmp, if: always(), continue-on-error: true}
  unrelated:
    steps:
      - run: expect dist/app
)");
  EXPECT_EQ(Job(result, "test").outcome, Outcome::kSuccess);
  EXPECT_EQ(Job(result, "test").attempts[0].steps[2].exit_code, 1);  // not an artifact
  EXPECT_EQ(Job(result, "unrelated").outcome, Outcome::kFailure);
}

TEST_F(EngineTest, EachAttemptStartsFromACleanWorkspace) {
  std::ofstream(root_ / "source" / "committed.txt") << "from the repository\n";
  auto result = Run(R"(
jobs:
  a:
    steps:
      - run: expect committed.txt
      - run: touch left-by-a
  b:
    needs: a
    steps:
      - run: expect committed.txt
      - run: expect left-by-a
)");
  EXPECT_EQ(Job(result, "a").outcome, Outcome::kSuccess);
  EXPECT_EQ(Job(result, "b").outcome, Outcome::kFailure);
  EXPECT_EQ(Job(result, "b").reason, "step 'expect left-by-a' exited with 1");
}

TEST_F(EngineTest, TestThatFailsThenPassesOnRetryIsFlaky) {
  auto result = Run(R"(
jobs:
  test:
    retry: 2
    reports: {junit: "out/*.xml"}
    steps:
      - run: junit out/stable.xml stable pass
      - run: flaky t 1
      - {run: junit out/flaky.xml shaky fail, if: failure()}
      - {run: junit out/flaky.xml shaky pass, if: success()}
)");
  const auto& job = Job(result, "test");
  EXPECT_EQ(job.outcome, Outcome::kSuccess);
  ASSERT_EQ(job.attempts.size(), 2u);
  ASSERT_EQ(job.flaky_tests.size(), 1u);
  EXPECT_EQ(job.flaky_tests[0], "s/c/shaky");
  EXPECT_EQ(job.attempts[0].tests.size(), 2u);
}

TEST_F(EngineTest, BadInputsAreRejectedBeforeAnythingRuns) {
  RunOptions options;
  options.inputs = {{"count", "many"}};
  loaded_ = spec::ParsePipeline(R"(
on:
  manual:
    inputs:
      count: {type: number}
jobs:
  a: {steps: [{run: ok}]}
)",
                                "p.yml");
  ASSERT_TRUE(loaded_.ok());
  auto inputs = ResolveInputs(*loaded_.pipeline, options.inputs);
  ASSERT_FALSE(inputs.ok());
  EXPECT_EQ(inputs.status().message(), "input 'count' is a number: got 'many'");
  auto unknown = ResolveInputs(*loaded_.pipeline, {{"cuont", "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "unknown input 'cuont' (declared: count)");
  auto typed = ResolveInputs(*loaded_.pipeline, {{"count", "3"}});
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(typed->at("count").as_int(), 3);
}

TEST_F(EngineTest, RequiredInputsAndDefaults) {
  loaded_ = spec::ParsePipeline(R"(
on:
  manual:
    inputs:
      env: {type: string, required: true}
      level: {type: choice, options: [low, high], default: low}
      dry: {type: boolean}
jobs:
  a: {steps: [{run: ok}]}
)",
                                "p.yml");
  ASSERT_TRUE(loaded_.ok());
  auto missing = ResolveInputs(*loaded_.pipeline, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "input 'env' is required: pass --input env=VALUE");
  auto resolved = ResolveInputs(*loaded_.pipeline, {{"env", "prod"}});
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->at("level").as_string(), "low");
  EXPECT_EQ(resolved->at("dry").as_bool(), false);
  auto bad_choice = ResolveInputs(*loaded_.pipeline, {{"env", "x"}, {"level", "mid"}});
  ASSERT_FALSE(bad_choice.ok());
  EXPECT_EQ(bad_choice.status().message(), "input 'level' must be one of low, high: got 'mid'");
}

}  // namespace
}  // namespace slipway::engine::testing
