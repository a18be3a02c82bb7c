#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class RunsTest : public StoreTest {};
SLIPWAY_STORE_TEST_SUITE(RunsTest);

TEST_P(RunsTest, CreateRunAssignsNumbersPerProjectAndJobIds) {
  Project a = MakeProject("a");
  Project b = MakeProject("b");
  store::Run r;
  r.project_id = a.id;
  r.trigger = "webhook";
  r.event = "push";
  r.ref = "refs/heads/main";
  r.branch = "main";
  r.commit = std::string(40, 'c');
  r.inputs_json = R"({"x": 1})";
  r.pipeline_yaml = "jobs: {}\n";
  r.concurrency_group = "deploy";
  r.created_by = "webhook:github";
  r.delivery_id = "d-1";
  r.started = At(5000);
  ASSERT_OK_AND_ASSIGN(store::Run first,
                       store().CreateRun(r, {MakeJob(0), MakeJob(1, JobStatus::kWaiting)}));
  EXPECT_EQ(first.number, 1);
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(MakeRun(a.id).number, 2);
  EXPECT_EQ(MakeRun(b.id).number, 1);
  EXPECT_EQ(MakeRun(a.id).number, 3);

  ASSERT_OK_AND_ASSIGN(store::Run got, store().GetRun(first.id));
  EXPECT_EQ(got.project_id, a.id);
  EXPECT_EQ(got.number, 1);
  EXPECT_EQ(got.status, RunStatus::kQueued);
  EXPECT_EQ(got.trigger, "webhook");
  EXPECT_EQ(got.event, "push");
  EXPECT_EQ(got.ref, "refs/heads/main");
  EXPECT_EQ(got.branch, "main");
  EXPECT_EQ(got.commit, std::string(40, 'c'));
  EXPECT_EQ(got.inputs_json, R"({"x": 1})");
  EXPECT_EQ(got.pipeline_yaml, "jobs: {}\n");
  EXPECT_EQ(got.concurrency_group, "deploy");
  EXPECT_EQ(got.created_by, "webhook:github");
  EXPECT_EQ(got.delivery_id, "d-1");
  EXPECT_EQ(got.created, first.created);
  EXPECT_EQ(got.started, At(5000));
  EXPECT_FALSE(got.finished.has_value());

  ASSERT_OK_AND_ASSIGN(store::Run by_number, store().GetRunByNumber(a.id, 3));
  EXPECT_EQ(by_number.number, 3);
  auto missing = store().GetRunByNumber(a.id, 42);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("#42"), std::string::npos);

  ASSERT_OK_AND_ASSIGN(auto jobs, store().ListJobs(first.id));
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].index, 0);
  EXPECT_EQ(jobs[1].index, 1);
  EXPECT_LT(jobs[0].id, jobs[1].id);
  EXPECT_EQ(jobs[0].run_id, first.id);
  EXPECT_EQ(jobs[0].status, JobStatus::kQueued);
  EXPECT_TRUE(jobs[0].queued.has_value());  // filled in for a queued job
  EXPECT_EQ(jobs[1].status, JobStatus::kWaiting);
  EXPECT_FALSE(jobs[1].queued.has_value());
  ASSERT_OK_AND_ASSIGN(Job job, store().GetJob(jobs[1].id));
  EXPECT_EQ(job.instance_id, "job1");
}

TEST_P(RunsTest, CreateRunRejectsBadInputAndStoresNothing) {
  Project p = MakeProject("p");
  store::Run r;
  r.project_id = 999;
  EXPECT_EQ(store().CreateRun(r, {}).status().code(), StatusCode::kNotFound);
  r.project_id = p.id;
  EXPECT_EQ(store().CreateRun(r, {MakeJob(0), MakeJob(0)}).status().code(),
            StatusCode::kInvalidArgument);
  auto bad_labels = store().CreateRun(r, {MakeJob(0, JobStatus::kQueued, "{not json")});
  EXPECT_EQ(bad_labels.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_labels.status().message().find("job0"), std::string::npos);
  EXPECT_EQ(store().CreateRun(r, {MakeJob(0, JobStatus::kQueued, "[1]")}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto runs, store().ListRuns({}));
  EXPECT_TRUE(runs.empty());
  EXPECT_EQ(MakeRun(p.id).number, 1);  // no number was used up
}

TEST_P(RunsTest, RunNumbersAreUniqueUnderConcurrency) {
  Project p = MakeProject("busy");
  constexpr int kThreads = 8, kRunsEach = 15;
  std::vector<std::vector<int64_t>> numbers(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRunsEach; ++i) {
        store::Run r;
        r.project_id = p.id;
        auto created = store().CreateRun(r, {MakeJob(0), MakeJob(1)});
        if (created.ok()) numbers[t].push_back(created->number);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& n : numbers) all.insert(n.begin(), n.end());
  ASSERT_EQ(all.size(), size_t{kThreads * kRunsEach});
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kRunsEach);
}

TEST_P(RunsTest, ListRunsPaginatesNewestFirstWithFilters) {
  Project a = MakeProject("a");
  Project b = MakeProject("b");
  std::vector<int64_t> a_ids, failed_ids;
  for (int i = 0; i < 130; ++i) {
    store::Run r = MakeRun(i % 3 == 0 ? b.id : a.id);
    if (i % 3 != 0) a_ids.push_back(r.id);
    if (i % 5 == 0) {
      r.status = RunStatus::kFailure;
      ASSERT_OK(store().UpdateRun(r));
      failed_ids.push_back(r.id);
    }
  }
  // Page through project a, 40 at a time.
  std::vector<int64_t> seen;
  RunFilter filter;
  filter.project_id = a.id;
  filter.limit = 40;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(auto page, store().ListRuns(filter));
    if (page.empty()) break;
    EXPECT_LE(page.size(), 40u);
    for (const auto& r : page) {
      EXPECT_EQ(r.project_id, a.id);
      seen.push_back(r.id);
    }
    filter.before_id = page.back().id;
  }
  std::vector<int64_t> expected(a_ids.rbegin(), a_ids.rend());
  EXPECT_EQ(seen, expected);

  RunFilter failed;
  failed.status = RunStatus::kFailure;
  failed.limit = 500;
  ASSERT_OK_AND_ASSIGN(auto failures, store().ListRuns(failed));
  ASSERT_EQ(failures.size(), failed_ids.size());
  EXPECT_EQ(failures.front().id, failed_ids.back());

  RunFilter both;
  both.project_id = b.id;
  both.status = RunStatus::kFailure;
  ASSERT_OK_AND_ASSIGN(auto b_failures, store().ListRuns(both));
  for (const auto& r : b_failures) {
    EXPECT_EQ(r.project_id, b.id);
    EXPECT_EQ(r.status, RunStatus::kFailure);
  }
  EXPECT_EQ(b_failures.size(), 9u);  // i = 0, 15, 30, … 120

  RunFilter defaults;  // limit 50
  ASSERT_OK_AND_ASSIGN(auto newest, store().ListRuns(defaults));
  EXPECT_EQ(newest.size(), 50u);
  defaults.limit = 100000;  // capped at 500
  ASSERT_OK_AND_ASSIGN(auto all, store().ListRuns(defaults));
  EXPECT_EQ(all.size(), 130u);
  defaults.limit = 0;
  ASSERT_OK_AND_ASSIGN(auto fallback, store().ListRuns(defaults));
  EXPECT_EQ(fallback.size(), 50u);
}

TEST_P(RunsTest, UpdateRunAndListUnfinished) {
  Project p = MakeProject("p");
  store::Run r1 = MakeRun(p.id), r2 = MakeRun(p.id), r3 = MakeRun(p.id);
  r1.status = RunStatus::kRunning;
  r1.started = At(1000);
  ASSERT_OK(store().UpdateRun(r1));
  r2.status = RunStatus::kSuccess;
  r2.started = At(1000);
  r2.finished = At(2000);
  r2.cancel_requested = true;
  r2.error = "nothing";
  r2.commit = "changed";  // not written by UpdateRun
  ASSERT_OK(store().UpdateRun(r2));
  ASSERT_OK_AND_ASSIGN(store::Run got, store().GetRun(r2.id));
  EXPECT_EQ(got.status, RunStatus::kSuccess);
  EXPECT_EQ(got.started, At(1000));
  EXPECT_EQ(got.finished, At(2000));
  EXPECT_TRUE(got.cancel_requested);
  EXPECT_EQ(got.error, "nothing");
  EXPECT_EQ(got.commit, std::string(40, 'a'));

  ASSERT_OK_AND_ASSIGN(auto unfinished, store().ListUnfinishedRuns());
  ASSERT_EQ(unfinished.size(), 2u);
  EXPECT_EQ(unfinished[0].id, r1.id);  // oldest first
  EXPECT_EQ(unfinished[1].id, r3.id);

  store::Run ghost;
  ghost.id = 12345;
  EXPECT_EQ(store().UpdateRun(ghost).code(), StatusCode::kNotFound);
}

// The dispatcher writes runs from what it read a moment ago; a cancel may have been asked for
// since, or (with two dispatchers during a leadership change) the run finished. UpdateRun must
// neither drop the cancel nor move a finished run.
TEST_P(RunsTest, UpdateRunNeverClearsACancelNorMovesAFinishedRun) {
  Project p = MakeProject("p");
  store::Run read = MakeRun(p.id);  // the dispatcher's copy: no cancel asked for
  store::Run cancelled = read;
  cancelled.cancel_requested = true;
  ASSERT_OK(store().UpdateRun(cancelled));

  store::Run started = read;  // a stale copy moving the run on: the cancel stays
  started.status = RunStatus::kRunning;
  started.started = At(1000);
  ASSERT_OK(store().UpdateRun(started));
  ASSERT_OK_AND_ASSIGN(store::Run got, store().GetRun(read.id));
  EXPECT_EQ(got.status, RunStatus::kRunning);
  EXPECT_TRUE(got.cancel_requested);

  store::Run succeeded = started;  // a stale copy finishing it as if no cancel came: refused
  succeeded.status = RunStatus::kSuccess;
  succeeded.finished = At(2000);
  EXPECT_EQ(store().UpdateRun(succeeded).code(), StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(got, store().GetRun(read.id));
  EXPECT_EQ(got.status, RunStatus::kRunning);
  EXPECT_TRUE(got.cancel_requested);

  store::Run ended = got;  // decided from the current state: written
  ended.status = RunStatus::kCancelled;
  ended.finished = At(3000);
  ASSERT_OK(store().UpdateRun(ended));
  store::Run reopened = ended;  // a finished run stays as it ended
  reopened.status = RunStatus::kRunning;
  reopened.finished.reset();
  EXPECT_EQ(store().UpdateRun(reopened).code(), StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(got, store().GetRun(read.id));
  EXPECT_EQ(got.status, RunStatus::kCancelled);
  EXPECT_EQ(got.finished, At(3000));
}

TEST_P(RunsTest, RequestCancelSetsTheFlagOnceAndNeverOnAFinishedRun) {
  Project p = MakeProject("p");
  store::Run run = MakeRun(p.id);
  ASSERT_OK_AND_ASSIGN(CancelOutcome first, store().RequestCancel(run.id));
  EXPECT_EQ(first, CancelOutcome::kRequested);
  ASSERT_OK_AND_ASSIGN(store::Run got, store().GetRun(run.id));
  EXPECT_TRUE(got.cancel_requested);
  EXPECT_EQ(got.status, RunStatus::kQueued);  // only the flag: the dispatcher finishes it
  ASSERT_OK_AND_ASSIGN(CancelOutcome again, store().RequestCancel(run.id));
  EXPECT_EQ(again, CancelOutcome::kAlreadyRequested);

  store::Run done = MakeRun(p.id);
  done.status = RunStatus::kSuccess;
  done.finished = At(2000);
  ASSERT_OK(store().UpdateRun(done));
  ASSERT_OK_AND_ASSIGN(CancelOutcome finished, store().RequestCancel(done.id));
  EXPECT_EQ(finished, CancelOutcome::kFinished);
  ASSERT_OK_AND_ASSIGN(got, store().GetRun(done.id));
  EXPECT_EQ(got.status, RunStatus::kSuccess);
  EXPECT_FALSE(got.cancel_requested);

  EXPECT_EQ(store().RequestCancel(424242).status().code(), StatusCode::kNotFound);
}

// Concurrent cancels (several API servers) and a dispatcher finishing the run: exactly one
// cancel is the one that asked, and whatever the order, a run finished as a success never
// carries a cancel that was accepted.
TEST_P(RunsTest, ConcurrentCancelsAndAFinishingDispatcherAgree) {
  Project p = MakeProject("p");
  for (int round = 0; round < 10; ++round) {
    store::Run run = MakeRun(p.id);
    std::atomic<int> requested{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        auto outcome = store().RequestCancel(run.id);
        EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
        if (outcome.ok() && *outcome == CancelOutcome::kRequested) ++requested;
      });
    }
    store::Run success = run;  // read before any cancel
    success.status = RunStatus::kSuccess;
    success.finished = At(5000);
    Status finished = store().UpdateRun(success);
    for (auto& thread : threads) thread.join();
    ASSERT_OK_AND_ASSIGN(store::Run got, store().GetRun(run.id));
    if (finished.ok()) {
      // The dispatcher came first: every cancel found the run finished.
      EXPECT_EQ(requested, 0);
      EXPECT_EQ(got.status, RunStatus::kSuccess);
      EXPECT_FALSE(got.cancel_requested);
    } else {
      EXPECT_EQ(finished.code(), StatusCode::kFailedPrecondition);
      EXPECT_EQ(requested, 1);
      EXPECT_EQ(got.status, RunStatus::kQueued);
      EXPECT_TRUE(got.cancel_requested);
    }
  }
}

TEST_P(RunsTest, UpdateJobsIsAtomic) {
  Project p = MakeProject("p");
  store::Run run =
      MakeRun(p.id, {MakeJob(0, JobStatus::kWaiting), MakeJob(1, JobStatus::kWaiting)});
  ASSERT_OK_AND_ASSIGN(auto jobs, store().ListJobs(run.id));
  jobs[0].status = JobStatus::kSuccess;
  jobs[0].reason = "fine";
  jobs[0].outputs_json = R"({"v": "1"})";
  jobs[0].started = At(10);
  jobs[0].finished = At(20);
  jobs[1].status = JobStatus::kQueued;
  ASSERT_OK(store().UpdateJobs(jobs));
  ASSERT_OK_AND_ASSIGN(auto got, store().ListJobs(run.id));
  EXPECT_EQ(got[0].status, JobStatus::kSuccess);
  EXPECT_EQ(got[0].reason, "fine");
  EXPECT_EQ(got[0].outputs_json, R"({"v": "1"})");
  EXPECT_EQ(got[0].started, At(10));
  EXPECT_EQ(got[0].finished, At(20));
  EXPECT_TRUE(IsFinal(got[0].status));
  EXPECT_EQ(got[1].status, JobStatus::kQueued);
  EXPECT_TRUE(got[1].queued.has_value());

  // One unknown job fails the whole update.
  std::vector<Job> with_ghost = got;
  with_ghost[0].status = JobStatus::kFailure;
  with_ghost.push_back(got[1]);
  with_ghost.back().id = 99999;
  EXPECT_EQ(store().UpdateJobs(with_ghost).code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto unchanged, store().GetJob(got[0].id));
  EXPECT_EQ(unchanged.status, JobStatus::kSuccess);

  store::Run other = MakeRun(p.id, {MakeJob(0)});
  ASSERT_OK_AND_ASSIGN(auto other_jobs, store().ListJobs(other.id));
  std::vector<Job> mixed = {got[0], other_jobs[0]};
  EXPECT_EQ(store().UpdateJobs(mixed).code(), StatusCode::kInvalidArgument);
  EXPECT_OK(store().UpdateJobs({}));

  EXPECT_EQ(store().ListJobs(424242).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetJob(424242).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace slipway::store::testing
