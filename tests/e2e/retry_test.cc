// Retries: which failures are retried, how many attempts a user sees, and flaky tests.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class RetryTest : public E2eTest {};

TEST_F(RetryTest, FailsOnceThenPassesOnTheSecondAttempt) {
  CommitPipeline(R"yaml(jobs:
  flaky:
    retry: 2
    steps:
      - run: |
          n=$(( $(cat "$E2E_STATE/count" 2>/dev/null || echo 0) + 1 ))
          echo "$n" > "$E2E_STATE/count"
          echo "attempt $SLIPWAY_ATTEMPT, call $n"
          test "$n" -ge 2
)yaml");
  Outcome run = Run({"--json"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "count"), "2\n");
  const Json& job = run.Job("flaky");
  EXPECT_EQ(job["result"], "success");
  ASSERT_EQ(job["attempts"].size(), 2u) << job.dump(2);
  EXPECT_EQ(job["attempts"][0]["result"], "failure");
  EXPECT_EQ(job["attempts"][1]["result"], "success");
  EXPECT_CONTAINS(run.err, "[flaky] attempt 1, call 1");
  EXPECT_CONTAINS(run.err, "[flaky] attempt 2, call 2");
  // The summary's ATTEMPTS column.
  EXPECT_CONTAINS(SummaryRow(run.err, "flaky"), "success     2");
}

TEST_F(RetryTest, ExitCodesFilterRetriesOnlyTheListedCodes) {
  CommitPipeline(R"yaml(jobs:
  other-code:
    retry: {max: 3, exit-codes: [75]}
    steps:
      - run: |
          echo x >> "$E2E_STATE/other-code"
          exit 1
  listed-code:
    retry: {max: 2, exit-codes: [75]}
    steps:
      - run: |
          echo x >> "$E2E_STATE/listed-code"
          exit 75
)yaml");
  Outcome run = Run({"--json"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_EQ(Lines(ReadText(state_ / "other-code")).size(), 1u);
  EXPECT_EQ(run.Job("other-code")["attempts"].size(), 1u);
  EXPECT_EQ(Lines(ReadText(state_ / "listed-code")).size(), 3u);
  EXPECT_EQ(run.Job("listed-code")["attempts"].size(), 3u);
  EXPECT_EQ(run.Result("listed-code"), "failure");
}

TEST_F(RetryTest, TimeoutIsRetriedOnlyWhenTheJobAsksForIt) {
  CommitPipeline(R"yaml(jobs:
  retried:
    retry: {max: 1, on: timeout}
    steps:
      - timeout: 500ms
        run: |
          if [ "$SLIPWAY_ATTEMPT" = 1 ]; then exec -a "$E2E_MARKER" sleep 1000; fi
          echo "second attempt is quick"
  not-retried:
    retry: {max: 2, on: failure}
    steps:
      - timeout: 500ms
        run: exec -a "$E2E_MARKER" sleep 1000
)yaml");
  Outcome run = Run({"--json"});
  EXPECT_EQ(run.exit_code, 1) << run;
  const Json& retried = run.Job("retried");
  EXPECT_EQ(retried["result"], "success");
  ASSERT_EQ(retried["attempts"].size(), 2u) << retried.dump(2);
  EXPECT_EQ(retried["attempts"][0]["result"], "timed out");
  EXPECT_EQ(run.Result("not-retried"), "timed out");
  EXPECT_EQ(run.Job("not-retried")["attempts"].size(), 1u);
  EXPECT_TRUE(SurvivingMarkerProcesses().empty());
}

TEST_F(RetryTest, TestThatFailsThenPassesIsReportedFlaky) {
  CommitPipeline(R"yaml(jobs:
  unit:
    retry: {max: 1, on: failure}
    reports:
      junit: reports/*.xml
    steps:
      - run: |
          mkdir -p reports
          if [ "$SLIPWAY_ATTEMPT" = 1 ]; then
            result='<failure message="connection reset">trace</failure>'
          else
            result=''
          fi
          {
            echo '<?xml version="1.0"?>'
            echo '<testsuite name="unit" tests="2">'
            echo '  <testcase classname="math" name="adds"/>'
            echo "  <testcase classname=\"net\" name=\"connects\">$result</testcase>"
            echo '</testsuite>'
          } > reports/unit.xml
          test "$SLIPWAY_ATTEMPT" != 1
)yaml");
  Outcome run = Run({"--json"});
  ASSERT_EQ(run.exit_code, 0) << run;
  const Json& unit = run.Job("unit");
  EXPECT_EQ(unit["result"], "success");
  ASSERT_EQ(unit["attempts"].size(), 2u);
  ASSERT_EQ(unit["flaky_tests"].size(), 1u) << unit.dump(2);
  const std::string flaky = unit["flaky_tests"][0];
  EXPECT_CONTAINS(flaky, "connects");
  EXPECT_NOT_CONTAINS(unit["flaky_tests"].dump(), "adds");
  // Per-attempt test results: the first attempt recorded the failure and its message.
  const Json& first = unit["attempts"][0]["tests"];
  ASSERT_EQ(first.size(), 2u) << unit.dump(2);
  EXPECT_EQ(first[1]["status"], "failed");
  EXPECT_CONTAINS(first[1]["message"].get<std::string>(), "connection reset");
  // The summary tells the user too.
  EXPECT_CONTAINS(run.err, "flaky");
  EXPECT_CONTAINS(SummaryRow(run.err, "unit"), "connects");
}

}  // namespace
}  // namespace slipway::e2e
