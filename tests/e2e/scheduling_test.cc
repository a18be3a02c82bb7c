// What runs, and how much of it at once: matrix expansion, fail-fast, max-parallel, -j and
// --job. Concurrency is judged from the start/end timestamps steps append to a file outside
// the workspaces, never from wall time.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class SchedulingTest : public E2eTest {};

// A step that records its interval as `id` and, while open, waits (bounded) until
// `peers` intervals were opened in total, so that jobs allowed to overlap do overlap.
std::string OverlappingStep(const std::string& id, int peers) {
  return "      - run: |\n"
         "          " +
         RecordStart(id) +
         "\n"
         "          for i in $(seq 200); do\n"
         "            [ \"$(grep -c '^start' \"$E2E_STATE/events\")\" -ge " +
         std::to_string(peers) +
         " ] && break\n"
         "            sleep 0.05\n"
         "          done\n"
         "          sleep 0.1\n"
         "          " +
         RecordEnd(id) + "\n";
}

// A step that records its interval as `id` around a short sleep.
std::string TimedStep(const std::string& id) {
  return "      - run: |\n          " + RecordStart(id) + "\n          sleep 0.2\n          " +
         RecordEnd(id) + "\n";
}

TEST_F(SchedulingTest, MatrixIncludeAndExcludeExpandAsDocumented) {
  CommitPipeline(R"yaml(jobs:
  test:
    matrix:
      os: [linux, freebsd]
      cc: [gcc, clang]
      exclude:
        - os: freebsd
          cc: gcc
      include:
        - cc: clang
          flags: -Weverything
        - os: linux
          cc: tcc
    steps:
      - run: echo "$SLIPWAY_JOB|${{ matrix.os }}|${{ matrix.cc }}" >> "$E2E_STATE/seen"
)yaml");
  Outcome run = Run({"--json"});
  ASSERT_EQ(run.exit_code, 0) << run;
  const std::vector<std::string> ids = {"test (linux, gcc)", "test (linux, clang, -Weverything)",
                                        "test (freebsd, clang, -Weverything)", "test (linux, tcc)"};
  EXPECT_EQ(run.JobIds(), ids);
  std::vector<std::string> seen = Lines(ReadText(state_ / "seen"));
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> expected = {
      "test (freebsd, clang, -Weverything)|freebsd|clang",
      "test (linux, clang, -Weverything)|linux|clang",
      "test (linux, gcc)|linux|gcc",
      "test (linux, tcc)|linux|tcc",
  };
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(run.Job("test (linux, clang, -Weverything)")["matrix"]["flags"], "-Weverything");
  // Live output is prefixed with the combination.
  EXPECT_CONTAINS(run.err, "[test (linux, tcc)] ");
}

// `bad` fails once `good` is running; `good` then waits for a long time unless cancelled.
constexpr char kFailFastPipeline[] = R"yaml(jobs:
  test:
    matrix:
      which: [bad, good]
      fail-fast: FAIL_FAST
    steps:
      - run: |
          if [ "${{ matrix.which }}" = bad ]; then
            for i in $(seq 200); do [ -e "$E2E_STATE/good-started" ] && break; sleep 0.05; done
            touch "$E2E_STATE/bad-failing"
            exit 1
          fi
          touch "$E2E_STATE/good-started"
          for i in $(seq 200); do [ -e "$E2E_STATE/bad-failing" ] && break; sleep 0.05; done
          (exec -a "$E2E_MARKER-good" sleep GOOD_SLEEP)
          touch "$E2E_STATE/good-finished"
)yaml";

std::string FailFastPipeline(const std::string& fail_fast, const std::string& good_sleep) {
  std::string yaml = kFailFastPipeline;
  yaml.replace(yaml.find("FAIL_FAST"), 9, fail_fast);
  yaml.replace(yaml.find("GOOD_SLEEP"), 10, good_sleep);
  return yaml;
}

TEST_F(SchedulingTest, FailFastCancelsARunningSibling) {
  CommitPipeline(FailFastPipeline("true", "1000"));
  Outcome run = Run({"--json", "-j", "2"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_EQ(run.Result("test (bad)"), "failure");
  EXPECT_EQ(run.Result("test (good)"), "cancelled");
  EXPECT_FALSE(fs::exists(state_ / "good-finished"));
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

TEST_F(SchedulingTest, WithoutFailFastTheSiblingFinishes) {
  CommitPipeline(FailFastPipeline("false", "0.5"));
  Outcome run = Run({"--json", "-j", "2"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_EQ(run.Result("test (bad)"), "failure");
  EXPECT_EQ(run.Result("test (good)"), "success");
  EXPECT_TRUE(fs::exists(state_ / "good-finished"));
}

TEST_F(SchedulingTest, MaxParallelOneNeverOverlaps) {
  CommitPipeline(R"yaml(jobs:
  serial:
    matrix:
      n: [1, 2, 3]
      max-parallel: 1
    steps:
)yaml" + TimedStep("n${{ matrix.n }}"));
  Outcome run = Run({"--json", "-j", "4"});
  ASSERT_EQ(run.exit_code, 0) << run;
  const auto intervals = ReadIntervals(state_ / "events");
  ASSERT_EQ(intervals.size(), 3u);
  EXPECT_EQ(MaxOverlap(intervals), 1);
}

TEST_F(SchedulingTest, ParallelismFlagBoundsAndFillsTheSlots) {
  std::string yaml = "jobs:\n";
  for (const char* job : {"a", "b", "c", "d", "e"}) {
    yaml += std::string("  ") + job + ":\n    steps:\n" + OverlappingStep(job, 2);
  }
  CommitPipeline(yaml);
  Outcome run = Run({"--json", "-j", "2"});
  ASSERT_EQ(run.exit_code, 0) << run;
  const auto intervals = ReadIntervals(state_ / "events");
  ASSERT_EQ(intervals.size(), 5u);
  EXPECT_EQ(MaxOverlap(intervals), 2);  // never 3, and 2 did run at once
}

TEST_F(SchedulingTest, JobsInOneConcurrencyGroupNeverOverlap) {
  std::string yaml = "jobs:\n";
  for (const char* job : {"a", "b", "c"}) {
    yaml += std::string("  ") + job + ":\n    concurrency: deploy-${{ branch }}\n    steps:\n" +
            TimedStep(job);
  }
  yaml += "  free:\n    steps:\n" + OverlappingStep("free", 2);
  CommitPipeline(yaml);
  Outcome run = Run({"--json", "-j", "4"});
  ASSERT_EQ(run.exit_code, 0) << run;
  auto intervals = ReadIntervals(state_ / "events");
  ASSERT_EQ(intervals.size(), 4u);
  EXPECT_EQ(MaxOverlap(intervals), 2);  // one of the group, plus `free`
  std::erase_if(intervals, [](const Interval& i) { return i.id == "free"; });
  EXPECT_EQ(MaxOverlap(intervals), 1);
}

TEST_F(SchedulingTest, JobFlagRunsTheJobAndWhatItNeedsOnly) {
  CommitPipeline(R"yaml(jobs:
  base:
    steps:
      - run: touch "$E2E_STATE/base"
  middle:
    needs: base
    steps:
      - run: touch "$E2E_STATE/middle"
  top:
    needs: middle
    steps:
      - run: touch "$E2E_STATE/top"
  unrelated:
    steps:
      - run: touch "$E2E_STATE/unrelated"
)yaml");
  Outcome run = Run({"--json", "--job", "middle"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_TRUE(fs::exists(state_ / "base"));
  EXPECT_TRUE(fs::exists(state_ / "middle"));
  EXPECT_FALSE(fs::exists(state_ / "top"));
  EXPECT_FALSE(fs::exists(state_ / "unrelated"));
  const std::vector<std::string> ids = {"base", "middle"};
  EXPECT_EQ(run.JobIds(), ids);
}

TEST_F(SchedulingTest, JobFlagNamingNoJobIsAUsageError) {
  CommitPipeline(R"yaml(jobs:
  build:
    steps:
      - run: touch "$E2E_STATE/build"
)yaml");
  Outcome run = Run({"--job", "biuld"});
  EXPECT_EQ(run.exit_code, 2) << run;
  EXPECT_CONTAINS(run.err, "biuld");
  EXPECT_CONTAINS(run.err, "build");  // the suggestion
  EXPECT_FALSE(fs::exists(state_ / "build"));
}

}  // namespace
}  // namespace slipway::e2e
