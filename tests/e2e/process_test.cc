// Step timeouts and cancelling a run: the job ends the way the user asked, and no process a
// step started (background ones, grandchildren, ones that ignore SIGTERM) outlives slipway.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class ProcessTest : public E2eTest {
 protected:
  // Starts `slipway run ARGS`, waits until a step touched $E2E_STATE/started, and checks the
  // step's processes exist (so that their absence later means something).
  Process StartAndWaitForStep(const std::vector<std::string>& args, size_t expected_processes) {
    Process process = StartRun(args);
    EXPECT_TRUE(WaitForFile(state_ / "started"));
    EXPECT_TRUE(WaitForMarkerProcesses(expected_processes)) << MarkerProcesses().size();
    return process;
  }
};

TEST_F(ProcessTest, StepTimeoutStopsTheStepAndEveryProcessItStarted) {
  CommitPipeline(R"yaml(jobs:
  slow:
    steps:
      - name: sleeps past its timeout
        timeout: 1s
        run: |
          (exec -a "$E2E_MARKER-background" sleep 1000) &
          (exec -a "$E2E_MARKER-grandchild" sleep 1000) &
          touch "$E2E_STATE/started"
          (exec -a "$E2E_MARKER-foreground" sleep 1000)
      - name: never reached
        run: touch "$E2E_STATE/second-step"
)yaml");
  Process process = StartAndWaitForStep({"--json"}, 3);
  Outcome run = process.Wait();
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_EQ(run.Result("slow"), "timed out");
  EXPECT_CONTAINS(run.Job("slow")["reason"].get<std::string>(), "timed out after 1");
  EXPECT_CONTAINS(run.err, "timed out");
  EXPECT_FALSE(fs::exists(state_ / "second-step"));
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

TEST_F(ProcessTest, ChildThatTrapsTermIsKilledAfterTheGracePeriod) {
  CommitPipeline(R"yaml(jobs:
  stubborn:
    steps:
      - timeout: 1s
        run: |
          bash -c 'trap "echo child got TERM, ignoring it" TERM
                   touch "$E2E_STATE/started"
                   while true; do sleep 0.05; done' "$E2E_MARKER-trapper" &
          wait
)yaml");
  Process process = StartAndWaitForStep({"--json"}, 1);
  Outcome run = process.Wait();
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_EQ(run.Result("stubborn"), "timed out");
  EXPECT_CONTAINS(run.err, "child got TERM, ignoring it");  // TERM came first
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

TEST_F(ProcessTest, BackgroundProcessOfASuccessfulStepIsRemovedWhenTheJobEnds) {
  CommitPipeline(R"yaml(jobs:
  leaves-a-daemon:
    steps:
      - run: |
          (exec -a "$E2E_MARKER-daemon" sleep 1000) &
          echo "started a daemon"
      - run: echo "the job goes on"
)yaml");
  Outcome run = Run({"--json"});
  EXPECT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(run.Result("leaves-a-daemon"), "success");
  EXPECT_CONTAINS(run.err, "[leaves-a-daemon] the job goes on");
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

TEST_F(ProcessTest, JobTimeoutStopsTheRunningStepAndSkipsTheRest) {
  CommitPipeline(R"yaml(jobs:
  slow:
    timeout: 1s
    steps:
      - run: |
          (exec -a "$E2E_MARKER-background" sleep 1000) &
          touch "$E2E_STATE/started"
          (exec -a "$E2E_MARKER-foreground" sleep 1000)
      - if: always()
        run: touch "$E2E_STATE/always-step"
  cleanup:
    needs: slow
    if: always()
    steps:
      - run: echo "slow was ${{ needs.slow.result }}" > "$E2E_STATE/cleanup"
)yaml");
  Process process = StartAndWaitForStep({"--json"}, 2);
  Outcome run = process.Wait();
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_EQ(run.Result("slow"), "timed out");
  EXPECT_CONTAINS(run.Job("slow")["reason"].get<std::string>(), "job timed out");
  // Documented: once the job's time is up, even `if: always()` steps are skipped; a job of
  // its own with `if: always()` is the place for clean-up.
  EXPECT_FALSE(fs::exists(state_ / "always-step"));
  EXPECT_EQ(ReadText(state_ / "cleanup"), "slow was failure\n");
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

constexpr char kLongPipeline[] = R"yaml(jobs:
  long:
    steps:
      - run: |
          (exec -a "$E2E_MARKER-background" sleep 1000) &
          touch "$E2E_STATE/started"
          (exec -a "$E2E_MARKER-foreground" sleep 1000)
      - run: touch "$E2E_STATE/second-step"
  after:
    needs: long
    steps:
      - run: touch "$E2E_STATE/after"
)yaml";

TEST_F(ProcessTest, CtrlCCancelsTheRunPrintsTheSummaryAndExits130) {
  CommitPipeline(kLongPipeline);
  Process process = StartAndWaitForStep({}, 2);
  process.Signal(SIGINT);
  Outcome run = process.Wait();
  EXPECT_EQ(run.exit_code, 130) << run;
  EXPECT_CONTAINS(run.out, "RESULT");  // the summary table
  EXPECT_CONTAINS(run.out, "pipeline cancelled");
  EXPECT_CONTAINS(SummaryRow(run.out, "long"), "cancelled");
  EXPECT_FALSE(fs::exists(state_ / "second-step"));
  EXPECT_FALSE(fs::exists(state_ / "after"));
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

TEST_F(ProcessTest, SigtermCancelsTheRunAndExits143) {
  CommitPipeline(kLongPipeline);
  Process process = StartAndWaitForStep({"--json"}, 2);
  process.Signal(SIGTERM);
  Outcome run = process.Wait();
  EXPECT_EQ(run.exit_code, 143) << run;
  EXPECT_CONTAINS(run.err, "pipeline cancelled");
  ASSERT_TRUE(run.json.is_object()) << run;
  EXPECT_TRUE(run.json["cancelled"].get<bool>());
  EXPECT_FALSE(run.json["success"].get<bool>());
  EXPECT_EQ(run.Result("long"), "cancelled");
  EXPECT_NE(run.Result("after"), "success");
  EXPECT_FALSE(fs::exists(state_ / "after"));
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

// `slipway run | head -1`: the reader of slipway's output goes away mid-run. slipway must not
// die of SIGPIPE leaving the step's processes and its scratch directory behind.
TEST_F(ProcessTest, ReaderOfTheOutputGoingAwayLeavesNothingBehind) {
  CommitPipeline(R"yaml(jobs:
  chatty:
    steps:
      - run: |
          (exec -a "$E2E_MARKER-background" sleep 1000) &
          touch "$E2E_STATE/started"
          for i in $(seq 200); do [ -e "$E2E_STATE/reader-gone" ] && break; sleep 0.05; done
          for i in $(seq 100); do echo "line $i"; done
          sleep 0.5
)yaml");
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  Process process = Start(RunArgs({}), {}, fds[1]);
  ::close(fds[1]);
  ASSERT_TRUE(WaitForFile(state_ / "started"));
  ASSERT_TRUE(WaitForMarkerProcesses(1));
  char first[64];
  EXPECT_GT(::read(fds[0], first, sizeof first), 0);  // like `head`, read a little, then quit
  ::close(fds[0]);
  std::ofstream(state_ / "reader-gone").put('\n');
  Outcome run = process.Wait();
  EXPECT_NE(run.signal, SIGPIPE) << "slipway was killed by SIGPIPE";
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

// docs/pipeline.md: `cancelled()` in a job's `if:` is true when "the run was cancelled", and
// clean-up that must happen belongs in a job of its own. Such a job has to get the chance to
// run after Ctrl-C, or `cancelled()` could never be true in a job's `if:`.
TEST_F(ProcessTest, JobConditionedOnCancelledRunsAfterCtrlC) {
  CommitPipeline(R"yaml(jobs:
  long:
    steps:
      - run: |
          touch "$E2E_STATE/started"
          exec -a "$E2E_MARKER" sleep 1000
  on-cancel:
    needs: long
    if: cancelled()
    steps:
      - run: touch "$E2E_STATE/on-cancel"
)yaml");
  Process process = StartAndWaitForStep({"--json"}, 1);
  process.Signal(SIGINT);
  Outcome run = process.Wait();
  EXPECT_EQ(run.exit_code, 130) << run;
  EXPECT_EQ(run.Result("long"), "cancelled");
  EXPECT_EQ(run.Result("on-cancel"), "success");
  EXPECT_TRUE(fs::exists(state_ / "on-cancel"));
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

}  // namespace
}  // namespace slipway::e2e
