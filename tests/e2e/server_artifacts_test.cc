// Artifacts on the server: a job's files reach the jobs that need it on other agents (embedded
// and remote, both directions), retried jobs hand on their successful attempt's files, users
// download them with the API and `slipway artifacts`, and an archive over the limit fails its
// job.
#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ServerArtifactsTest : public ServerE2eTest {
 protected:
  std::string ArtifactsPath(int number, const std::string& instance) {
    return "/api/v1/projects/demo/runs/" + std::to_string(number) + "/jobs/" + instance +
           "/artifacts";
  }
};

TEST_F(ServerArtifactsTest, AJobOnARemoteAgentGetsTheFilesJobsOnAnotherAgentMade) {
  CommitPipeline(R"yaml(name: demo
on: {manual: {}}
jobs:
  build:
    runs-on: [embedded]
    matrix:
      arch: [x86, arm]
    artifacts: [dist/, 'reports/*.txt']
    steps:
      - run: |
          mkdir -p dist/bin reports
          echo "built for ${{ matrix.arch }} on the embedded agent" > dist/app-${{ matrix.arch }}
          chmod 0750 dist/app-${{ matrix.arch }}
          ln -s app-${{ matrix.arch }} dist/current-${{ matrix.arch }}
          echo report > reports/${{ matrix.arch }}.txt
          echo not kept > scratch.txt
  check:
    runs-on: [remote]
    needs: [build]
    artifacts: checked.txt
    steps:
      - run: |
          )yaml" +
                 RecordAncestors("check.pids") + R"yaml(
          cat dist/app-x86 > "$E2E_STATE/seen-x86"
          cat dist/app-arm > "$E2E_STATE/seen-arm"
          test "$(readlink dist/current-arm)" = app-arm
          test "$(stat -c %a dist/app-x86)" = 750
          test -f reports/arm.txt
          test ! -e scratch.txt
          echo "checked on the remote agent" > checked.txt
  report:
    runs-on: [embedded]
    needs: [check]
    steps:
      - run: |
          cat checked.txt > "$E2E_STATE/seen-checked"
          test ! -e dist
)yaml");
  StartServer({"--labels", "embedded"});
  AddProject();
  const size_t remote = StartAgent("remote-1", {"--labels", "remote"});
  const int number = StartRun();
  Json run = WaitForRun(number);
  ASSERT_EQ(run.value("status", ""), "success")
      << run.dump(2) << ServerLog() << AgentLog("remote-1") << JobLog(number, "check");
  EXPECT_TRUE(RanUnder("check.pids", agent(remote).pid()));
  EXPECT_EQ(ReadText(state_ / "seen-x86"), "built for x86 on the embedded agent\n");
  EXPECT_EQ(ReadText(state_ / "seen-arm"), "built for arm on the embedded agent\n");
  EXPECT_EQ(ReadText(state_ / "seen-checked"), "checked on the remote agent\n");
  EXPECT_CONTAINS(JobLog(number, "check"), "artifacts: unpacked 2 file(s)");
  EXPECT_CONTAINS(JobLog(number, "check"), "artifacts: kept 1 path(s)");

  // Users download them: the archive over the API, unpacked by the CLI.
  ApiAnswer archive = Call("GET", ArtifactsPath(number, "build%20(arm)"));
  ASSERT_EQ(archive.status, 200) << archive;
  EXPECT_EQ(archive.body.substr(0, 8), std::string("SLWTREE\x01", 8));
  const fs::path out = root_ / "downloaded";
  Outcome cli = Slipway({"artifacts", "demo/" + std::to_string(number) + "/build (arm)", "--dir",
                         out.string(), "--server", url(), "--token", AdminToken()});
  ASSERT_EQ(cli.exit_code, 0) << cli;
  EXPECT_CONTAINS(cli.out, "2 file(s)");
  EXPECT_EQ(ReadText(out / "dist/app-arm"), "built for arm on the embedded agent\n");
  EXPECT_EQ(fs::read_symlink(out / "dist/current-arm"), "app-arm");
  Outcome missing = Slipway({"artifacts", "demo/" + std::to_string(number) + "/report", "--server",
                             url(), "--token", AdminToken()});
  EXPECT_EQ(missing.exit_code, 1) << missing;
  EXPECT_CONTAINS(missing.err, "kept no artifacts");

  // They go with their project.
  ASSERT_TRUE(fs::exists(data_dir() / "artifacts"));
  ASSERT_EQ(Call("DELETE", "/api/v1/projects/demo").status, 204);
  EXPECT_TRUE(fs::is_empty(data_dir() / "artifacts"));
}

TEST_F(ServerArtifactsTest, ARetriedJobHandsOnItsSuccessfulAttemptsFiles) {
  CommitPipeline(R"(name: demo
on: {manual: {}}
jobs:
  build:
    runs-on: [remote]
    retry: {max: 2, on: [failure]}
    artifacts: out.txt
    steps:
      - run: |
          n=$(cat "$E2E_STATE/tries" 2>/dev/null || echo 0)
          n=$((n + 1))
          echo "$n" > "$E2E_STATE/tries"
          echo "attempt $n" > out.txt
          [ "$n" -ge 2 ]
  use:
    needs: build
    steps:
      - run: cat out.txt > "$E2E_STATE/seen"
)");
  StartServer({"--local-agents", "0"});
  AddProject();
  StartAgent("remote-1", {"--labels", "remote"});
  const int number = StartRun();
  Json run = WaitForRun(number);
  ASSERT_EQ(run.value("status", ""), "success") << run.dump(2) << AgentLog("remote-1");
  EXPECT_EQ(ReadText(state_ / "seen"), "attempt 2\n");
  ApiAnswer archive = Call("GET", ArtifactsPath(number, "build"));
  ASSERT_EQ(archive.status, 200) << archive;
  EXPECT_CONTAINS(archive.body, "attempt 2");
}

TEST_F(ServerArtifactsTest, ArtifactsOverTheServersLimitFailTheJob) {
  CommitPipeline(R"(name: demo
on: {manual: {}}
jobs:
  build:
    runs-on: [remote]
    artifacts: big.bin
    steps:
      - run: head -c 2097152 /dev/urandom > big.bin
  use:
    needs: build
    steps:
      - run: 'true'
)");
  StartServer({"--local-agents", "0", "--artifact-limit", "1"});
  AddProject();
  StartAgent("remote-1", {"--labels", "remote"});
  const int number = StartRun();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "failure") << run.dump(2);
  auto jobs = RunJobs(number);
  EXPECT_EQ(jobs["build"].value("status", ""), "failure");
  EXPECT_CONTAINS(jobs["build"].value("reason", ""), "limit of 1048576 bytes");
  EXPECT_EQ(jobs["use"].value("status", ""), "skipped");
  EXPECT_EQ(Call("GET", ArtifactsPath(number, "build")).status, 404);
}

}  // namespace
}  // namespace slipway::e2e
