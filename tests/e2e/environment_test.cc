// What a step sees: slipway's variables, CI=true, the env precedence (process < top level <
// job < step), its working directory, and its shell.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class EnvironmentTest : public E2eTest {
 protected:
  // NAME=VALUE lines a step wrote, as a map.
  std::map<std::string, std::string> ReadVariables(const std::string& file) {
    std::map<std::string, std::string> vars;
    for (const auto& line : Lines(ReadText(state_ / file))) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return vars;
  }
};

constexpr char kEnvPipeline[] = R"yaml(env:
  LEVEL: top
  SHARED: top
  FROM_TOP: ${{ branch }}-${{ event }}
jobs:
  envjob:
    env:
      SHARED: job
      JOB_ONLY: job
    steps:
      - name: first
        env:
          SHARED: step
        working-directory: sub/dir
        run: |
          for v in CI SLIPWAY SLIPWAY_JOB SLIPWAY_STEP SLIPWAY_ATTEMPT SLIPWAY_EVENT \
                   SLIPWAY_BRANCH SLIPWAY_COMMIT SLIPWAY_RUN_ID SLIPWAY_WORKSPACE \
                   SLIPWAY_OUTPUT LEVEL SHARED JOB_ONLY FROM_TOP FROM_PROCESS; do
            echo "$v=${!v}"
          done > "$E2E_STATE/first"
          echo "pwd=$(pwd -P)" >> "$E2E_STATE/first"
          echo "here=$(cat here.txt)" >> "$E2E_STATE/first"
      - name: second
        run: |
          echo "SHARED=$SHARED" > "$E2E_STATE/second"
          echo "SLIPWAY_STEP=$SLIPWAY_STEP" >> "$E2E_STATE/second"
          echo "pwd=$(pwd -P)" >> "$E2E_STATE/second"
      - name: python
        shell: python3
        run: |
          import os
          with open(os.environ["E2E_STATE"] + "/python", "w") as f:
              f.write("SHARED=" + os.environ["SHARED"] + "\n")
      - name: sh
        shell: sh
        run: echo "CI=$CI" > "$E2E_STATE/sh"
)yaml";

TEST_F(EnvironmentTest, StepsSeeSlipwayVariablesAndEnvPrecedence) {
  Write("sub/dir/here.txt", "inside sub/dir\n");
  CommitPipeline(kEnvPipeline);
  Outcome run = Run({"--json"}, {{"FROM_PROCESS", "inherited"}, {"LEVEL", "process"}});
  ASSERT_EQ(run.exit_code, 0) << run;

  auto first = ReadVariables("first");
  EXPECT_EQ(first["CI"], "true");
  EXPECT_EQ(first["SLIPWAY"], "true");
  EXPECT_EQ(first["SLIPWAY_JOB"], "envjob");
  EXPECT_EQ(first["SLIPWAY_STEP"], "1");
  EXPECT_EQ(first["SLIPWAY_ATTEMPT"], "1");
  EXPECT_EQ(first["SLIPWAY_EVENT"], "push");
  EXPECT_EQ(first["SLIPWAY_BRANCH"], "main");
  EXPECT_EQ(first["SLIPWAY_RUN_ID"], run.json["run_id"].get<std::string>());
  EXPECT_EQ(first["SLIPWAY_COMMIT"].size(), 40u) << first["SLIPWAY_COMMIT"];
  EXPECT_EQ(first["SLIPWAY_COMMIT"], Lines(Git({"rev-parse", "HEAD"})).at(0));
  EXPECT_FALSE(first["SLIPWAY_OUTPUT"].empty());

  const fs::path workspace = first["SLIPWAY_WORKSPACE"];
  EXPECT_TRUE(workspace.is_absolute()) << workspace;
  EXPECT_EQ(workspace.string().rfind(repo_.string(), 0), std::string::npos)
      << "the workspace is not the checkout";
  EXPECT_EQ(first["pwd"], fs::weakly_canonical(workspace / "sub/dir").string());
  EXPECT_EQ(first["here"], "inside sub/dir");

  EXPECT_EQ(first["SHARED"], "step");   // step env beats job env
  EXPECT_EQ(first["JOB_ONLY"], "job");  // job env
  EXPECT_EQ(first["LEVEL"], "top");     // top-level env beats the process's
  EXPECT_EQ(first["FROM_PROCESS"], "inherited");
  EXPECT_EQ(first["FROM_TOP"], "main-push");

  auto second = ReadVariables("second");
  EXPECT_EQ(second["SHARED"], "job");  // the first step's env does not carry over
  EXPECT_EQ(second["SLIPWAY_STEP"], "2");
  EXPECT_EQ(second["pwd"], fs::weakly_canonical(workspace).string());

  EXPECT_EQ(ReadText(state_ / "python"), "SHARED=job\n");
  EXPECT_EQ(ReadText(state_ / "sh"), "CI=true\n");
}

TEST_F(EnvironmentTest, BranchAndEventFlagsReachTheSteps) {
  Write("sub/dir/here.txt", "x\n");
  CommitPipeline(kEnvPipeline);
  Outcome run = Run({"--branch", "feature/x", "--event", "manual"});
  ASSERT_EQ(run.exit_code, 0) << run;
  auto first = ReadVariables("first");
  EXPECT_EQ(first["SLIPWAY_BRANCH"], "feature/x");
  EXPECT_EQ(first["SLIPWAY_EVENT"], "manual");
  EXPECT_EQ(first["FROM_TOP"], "feature/x-manual");
}

TEST_F(EnvironmentTest, DefaultShellFailsOnTheFirstFailingCommandAndPipe) {
  CommitPipeline(R"yaml(jobs:
  strict:
    steps:
      - run: |
          false | true
          touch "$E2E_STATE/after-pipe"
)yaml");
  Outcome run = Run({"--json"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_FALSE(fs::exists(state_ / "after-pipe"));  // bash -eo pipefail
}

TEST_F(EnvironmentTest, WorkingDirectoryOutsideTheWorkspaceFailsTheStep) {
  CommitPipeline(R"yaml(jobs:
  escape:
    steps:
      - working-directory: ${{ env.UP }}
        run: touch "$E2E_STATE/escaped"
)yaml");
  Outcome run = Run({"--json"}, {{"UP", "a/../.."}});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_FALSE(fs::exists(state_ / "escaped"));
  EXPECT_CONTAINS(run.Job("escape")["reason"].get<std::string>(), "outside the workspace");
}

}  // namespace
}  // namespace slipway::e2e
