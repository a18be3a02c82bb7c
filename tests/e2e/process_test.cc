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

}  // namespace
}  // namespace slipway::e2e
