// What carries over between jobs and runs — outputs, artifacts, caches — and what does not:
// each job starts from a fresh copy of the committed files.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class DataFlowTest : public E2eTest {};

TEST_F(DataFlowTest, OutputsReachDependentsInEnvAndRun) {
  CommitPipeline(R"yaml(jobs:
  version:
    outputs: [version, notes, unused]
    steps:
      - run: |
          echo "version=1.2.3" >> "$SLIPWAY_OUTPUT"
          echo "undeclared=nobody sees this" >> "$SLIPWAY_OUTPUT"
      - run: |
          {
            echo "notes<<EOF"
            echo "first line"
            echo "second = line"
            echo "EOF"
          } >> "$SLIPWAY_OUTPUT"
  release:
    needs: version
    env:
      VERSION: ${{ needs.version.outputs.version }}
      NOTES: ${{ needs.version.outputs.notes }}
    steps:
      - run: |
          echo "env $VERSION" > "$E2E_STATE/release"
          echo "run ${{ needs.version.outputs.version }}" >> "$E2E_STATE/release"
          printf '%s\n' "$NOTES" >> "$E2E_STATE/release"
)yaml");
  Outcome run = Run({"--json"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "release"), "env 1.2.3\nrun 1.2.3\nfirst line\nsecond = line\n");
  const Json& outputs = run.Job("version")["outputs"];
  EXPECT_EQ(outputs["version"], "1.2.3");
  EXPECT_EQ(outputs["notes"], "first line\nsecond = line");
  EXPECT_FALSE(outputs.contains("undeclared")) << outputs.dump();
}

TEST_F(DataFlowTest, ArtifactsGoToDirectDependentsOnly) {
  CommitPipeline(R"yaml(jobs:
  build:
    artifacts: [dist/app.txt, 'out/*.bin']
    steps:
      - run: |
          mkdir -p dist out
          echo built > dist/app.txt
          echo bin > out/one.bin
          echo scratch > scratch.txt
  consume:
    needs: build
    steps:
      - run: |
          echo "app=$(cat dist/app.txt) bin=$(cat out/one.bin)" > "$E2E_STATE/consume"
          if [ -e scratch.txt ]; then echo "scratch present" >> "$E2E_STATE/consume"; fi
  indirect:
    needs: consume
    steps:
      - run: |
          if [ -e dist/app.txt ]; then echo present; else echo absent; fi > "$E2E_STATE/indirect"
  unrelated:
    steps:
      - run: |
          if [ -e dist/app.txt ]; then echo present; else echo absent; fi > "$E2E_STATE/unrelated"
)yaml");
  Outcome run = Run({"-j", "1"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "consume"), "app=built bin=bin\n");
  EXPECT_EQ(ReadText(state_ / "indirect"), "absent\n");
  EXPECT_EQ(ReadText(state_ / "unrelated"), "absent\n");
  EXPECT_FALSE(fs::exists(repo_ / "dist"));  // jobs never write into the user's checkout
}

constexpr char kWorkspacePipeline[] = R"yaml(jobs:
  writer:
    steps:
      - run: echo written > written-by-writer.txt
  reader:
    needs: writer
    steps:
      - run: |
          for f in written-by-writer.txt uncommitted.txt; do
            if [ -e "$f" ]; then echo "$f present"; else echo "$f absent"; fi
          done > "$E2E_STATE/reader"
          echo "tracked: $(cat tracked.txt)" >> "$E2E_STATE/reader"
)yaml";

TEST_F(DataFlowTest, WorkspacesHoldTheCommittedFilesOnly) {
  Write("tracked.txt", "committed\n");
  CommitPipeline(kWorkspacePipeline);
  Write("uncommitted.txt", "new\n");
  Write("tracked.txt", "edited\n");
  Outcome run = Run();
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "reader"),
            "written-by-writer.txt absent\nuncommitted.txt absent\ntracked: committed\n");
  EXPECT_FALSE(fs::exists(repo_ / "written-by-writer.txt"));
}

TEST_F(DataFlowTest, WorktreeFlagUsesTheFilesAsTheyAre) {
  Write("tracked.txt", "committed\n");
  CommitPipeline(kWorkspacePipeline);
  Write("uncommitted.txt", "new\n");
  Write("tracked.txt", "edited\n");
  Outcome run = Run({"--worktree"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "reader"),
            "written-by-writer.txt absent\nuncommitted.txt present\ntracked: edited\n");
}

// Documented: the workspace is the directory holding the pipeline file, as committed.
TEST_F(DataFlowTest, FileFlagMakesThePipelinesDirectoryTheWorkspace) {
  Write("top.txt", "top\n");
  Write("ci/inside.txt", "inside\n");
  Write("ci/pipeline.yml", R"yaml(jobs:
  look:
    steps:
      - run: ls > "$E2E_STATE/listing"
)yaml");
  Commit();
  Outcome run = Run({"--file", "ci/pipeline.yml"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "listing"), "inside.txt\npipeline.yml\n");
}

constexpr char kCachePipeline[] = R"yaml(jobs:
  deps:
    cache:
      key: deps-${{ hashFiles('deps.lock') }}
      restore-keys: deps-
      paths: vendor
    steps:
      - run: |
          if [ -f vendor/lib.txt ]; then
            echo "warm: $(cat vendor/lib.txt)" > "$E2E_STATE/seen"
          else
            echo cold > "$E2E_STATE/seen"
          fi
          mkdir -p vendor
          cat deps.lock > vendor/lib.txt
)yaml";

TEST_F(DataFlowTest, CacheMissSaveRestorePrefixFallbackListAndClear) {
  Write("deps.lock", "v1\n");
  CommitPipeline(kCachePipeline);
  const std::string cache_dir = cache_dir_.string();

  Outcome first = Run();
  ASSERT_EQ(first.exit_code, 0) << first;
  EXPECT_EQ(ReadText(state_ / "seen"), "cold\n");
  EXPECT_CONTAINS(first.out, "[deps] cache: miss for key deps-");
  EXPECT_CONTAINS(first.out, "[deps] cache: saved cache 'deps-");

  Outcome listed = Slipway({"cache", "list", "--cache-dir", cache_dir});
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_CONTAINS(listed.out, "deps-");
  EXPECT_CONTAINS(listed.out, "main");  // the branch
  EXPECT_CONTAINS(listed.out, "1 entries");

  Outcome second = Run();
  ASSERT_EQ(second.exit_code, 0) << second;
  EXPECT_EQ(ReadText(state_ / "seen"), "warm: v1\n");
  EXPECT_CONTAINS(second.out, "[deps] cache: restored 1 file(s) from key deps-");
  EXPECT_NOT_CONTAINS(second.out, "restore-keys match");

  // New lock file: a new key, restored from the old entry through the restore-keys prefix.
  Write("deps.lock", "v2\n");
  Commit("bump deps");
  Outcome third = Run();
  ASSERT_EQ(third.exit_code, 0) << third;
  EXPECT_EQ(ReadText(state_ / "seen"), "warm: v1\n");
  EXPECT_CONTAINS(third.out, "(restore-keys match)");

  Outcome cleared = Slipway({"cache", "clear", "--cache-dir", cache_dir});
  ASSERT_EQ(cleared.exit_code, 0) << cleared;
  EXPECT_CONTAINS(cleared.out, "removed 2 entries");
  Outcome empty = Slipway({"cache", "list", "--cache-dir", cache_dir});
  EXPECT_CONTAINS(empty.out, "the cache is empty");

  Outcome cold = Run();
  ASSERT_EQ(cold.exit_code, 0) << cold;
  EXPECT_EQ(ReadText(state_ / "seen"), "cold\n");
}

TEST_F(DataFlowTest, NoCacheFlagNeitherRestoresNorSaves) {
  Write("deps.lock", "v1\n");
  CommitPipeline(kCachePipeline);
  ASSERT_EQ(Run().exit_code, 0);
  Outcome run = Run({"--no-cache"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "seen"), "cold\n");
}

}  // namespace
}  // namespace slipway::e2e
