// `if:` conditions, continue-on-error, skipped jobs, and the exit status that sums a run up.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class ConditionsTest : public E2eTest {};

TEST_F(ConditionsTest, FailureAlwaysSkipAndContinueOnError) {
  CommitPipeline(R"yaml(jobs:
  build:
    steps:
      - name: breaks
        run: exit 1
      - name: normal step
        run: touch "$E2E_STATE/normal-step"
      - name: report the failure
        if: failure()
        run: touch "$E2E_STATE/failure-step"
  cleanup:
    needs: build
    if: always()
    steps:
      - run: echo "build was ${{ needs.build.result }}" > "$E2E_STATE/cleanup"
  on-failure:
    needs: build
    if: failure()
    steps:
      - run: touch "$E2E_STATE/on-failure"
  deploy:
    needs: build
    steps:
      - run: touch "$E2E_STATE/deploy"
  tolerant:
    steps:
      - name: may break
        run: exit 7
        continue-on-error: true
      - run: touch "$E2E_STATE/tolerant-went-on"
)yaml");
  Outcome run = Run({"--json"});
  EXPECT_EQ(run.exit_code, 1) << run;

  EXPECT_EQ(run.Result("build"), "failure");
  EXPECT_FALSE(fs::exists(state_ / "normal-step"));
  EXPECT_TRUE(fs::exists(state_ / "failure-step"));
  EXPECT_CONTAINS(run.err, "[build] ○ normal step (skipped)");

  EXPECT_EQ(run.Result("cleanup"), "success");
  EXPECT_EQ(ReadText(state_ / "cleanup"), "build was failure\n");
  EXPECT_EQ(run.Result("on-failure"), "success");
  EXPECT_TRUE(fs::exists(state_ / "on-failure"));

  EXPECT_EQ(run.Result("deploy"), "skipped");
  EXPECT_FALSE(fs::exists(state_ / "deploy"));
  EXPECT_EQ(run.Job("deploy")["reason"], "needs 'build' did not succeed");
  EXPECT_CONTAINS(SummaryRow(run.err, "deploy"), "needs 'build' did not succeed");

  EXPECT_EQ(run.Result("tolerant"), "success");
  EXPECT_TRUE(fs::exists(state_ / "tolerant-went-on"));
  const Json& steps = run.Job("tolerant")["attempts"][0]["steps"];
  EXPECT_EQ(steps[0]["result"], "failure");
  EXPECT_EQ(steps[0]["exit_code"], 7);
  EXPECT_TRUE(steps[0]["continued_on_error"].get<bool>());
}

TEST_F(ConditionsTest, ExpressionsOnBranchEventAndInputsDecideWhatRuns) {
  CommitPipeline(R"yaml(on:
  manual:
    inputs:
      target: {type: choice, options: [staging, production], default: staging}
jobs:
  on-main:
    if: branch == 'main' && event == 'push'
    steps:
      - run: touch "$E2E_STATE/on-main"
  on-release:
    if: ${{ branch == 'release' }}
    steps:
      - run: touch "$E2E_STATE/on-release"
  production:
    if: inputs.target == 'production'
    steps:
      - run: touch "$E2E_STATE/production"
  switched-off:
    if: false
    steps:
      - run: touch "$E2E_STATE/switched-off"
)yaml");
  Outcome run = Run({"--json"});
  ASSERT_EQ(run.exit_code, 0) << run;  // skipped jobs do not fail the run
  EXPECT_TRUE(fs::exists(state_ / "on-main"));
  EXPECT_FALSE(fs::exists(state_ / "on-release"));
  EXPECT_FALSE(fs::exists(state_ / "production"));
  EXPECT_FALSE(fs::exists(state_ / "switched-off"));
  EXPECT_EQ(run.Result("on-release"), "skipped");
  EXPECT_EQ(run.Job("on-release")["reason"], "if: condition is false");

  fs::remove(state_ / "on-main");
  run = Run({"--json", "--branch", "release", "--event", "manual", "--input", "target=production"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_FALSE(fs::exists(state_ / "on-main"));
  EXPECT_TRUE(fs::exists(state_ / "on-release"));
  EXPECT_TRUE(fs::exists(state_ / "production"));
}

// The exit status is 0 exactly when the pipeline succeeded.
class ExitStatusTest : public E2eTest {
 protected:
  int ExitStatusOf(const std::string& yaml) {
    CommitPipeline(yaml);
    Outcome run = Run();
    return run.exit_code;
  }
};

TEST_F(ExitStatusTest, ZeroOnlyWhenThePipelineSucceeded) {
  EXPECT_EQ(ExitStatusOf("jobs:\n  ok:\n    steps:\n      - run: 'true'\n"), 0);
  EXPECT_EQ(ExitStatusOf("jobs:\n  bad:\n    steps:\n      - run: exit 4\n"), 1);
  EXPECT_EQ(ExitStatusOf(R"yaml(jobs:
  ok:
    steps:
      - run: 'true'
  bad:
    steps:
      - run: 'false'
)yaml"),
            1);
  // One failing matrix combination fails the pipeline.
  EXPECT_EQ(ExitStatusOf(R"yaml(jobs:
  m:
    matrix:
      n: [1, 2]
      fail-fast: false
    steps:
      - run: test "${{ matrix.n }}" = 1
)yaml"),
            1);
  // A failure tolerated by continue-on-error is a success.
  EXPECT_EQ(ExitStatusOf(R"yaml(jobs:
  ok:
    steps:
      - run: 'false'
        continue-on-error: true
)yaml"),
            0);
  // A job timeout is a failure.
  EXPECT_EQ(ExitStatusOf(R"yaml(jobs:
  slow:
    timeout: 300ms
    steps:
      - run: exec -a "$E2E_MARKER" sleep 1000
)yaml"),
            1);
  // A dependent skipped because its need failed: still a failed pipeline.
  EXPECT_EQ(ExitStatusOf(R"yaml(jobs:
  bad:
    steps:
      - run: 'false'
  after:
    needs: bad
    steps:
      - run: 'true'
)yaml"),
            1);
  // Shell not found: the step cannot start.
  EXPECT_NE(ExitStatusOf(R"yaml(jobs:
  noshell:
    steps:
      - shell: no-such-shell-e2e {0}
        run: 'true'
)yaml"),
            0);
}

}  // namespace
}  // namespace slipway::e2e
