#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

using std::chrono::milliseconds;

class QueueTest : public StoreTest {
 protected:
  // Puts the jobs of a fresh run in the queue with the given queued times.
  std::vector<Job> Enqueue(int64_t project_id, const std::vector<std::string>& runs_on,
                           const std::vector<int64_t>& queued_ms) {
    std::vector<Job> jobs;
    for (size_t i = 0; i < runs_on.size(); ++i) {
      Job j = MakeJob(static_cast<int>(i), JobStatus::kQueued, runs_on[i]);
      j.queued = At(queued_ms[i]);
      jobs.push_back(j);
    }
    store::Run run = MakeRun(project_id, jobs);
    auto stored = store().ListJobs(run.id);
    EXPECT_TRUE(stored.ok());
    return stored.ok() ? *stored : std::vector<Job>{};
  }

  Lease MustLease(int64_t agent, std::vector<std::string> labels, Time now) {
    auto lease = store().LeaseJob(LeaseFor(agent, std::move(labels), now));
    EXPECT_TRUE(lease.ok()) << lease.status().ToString();
    EXPECT_TRUE(lease.ok() && lease->has_value());
    return lease.ok() && lease->has_value() ? **lease : Lease{};
  }

  AttemptResult Success(std::string outputs = "{}") {
    AttemptResult r;
    r.outcome = "success";
    r.exit_code = 0;
    r.outputs_json = std::move(outputs);
    r.report_json = R"({"steps": []})";
    r.ended = At(50000);
    return r;
  }
};
SLIPWAY_STORE_TEST_SUITE(QueueTest);

TEST_P(QueueTest, LeasesInQueueOrderAndMatchesLabels) {
  Project p = MakeProject("p");
  auto jobs =
      Enqueue(p.id, {R"(["linux"])", "[]", R"(["linux", "gpu"])", "[]"}, {3000, 2000, 1000, 2000});
  ASSERT_EQ(jobs.size(), 4u);
  // An agent with no labels gets only unlabelled jobs: the oldest (2000, lower id) first.
  Lease first = MustLease(7, {}, At(10000));
  EXPECT_EQ(first.job.id, jobs[1].id);
  EXPECT_EQ(first.job.status, JobStatus::kRunning);
  EXPECT_EQ(first.job.attempts, 1);
  EXPECT_EQ(first.run.id, jobs[1].run_id);
  EXPECT_EQ(first.attempt.job_id, jobs[1].id);
  EXPECT_EQ(first.attempt.run_id, jobs[1].run_id);
  EXPECT_EQ(first.attempt.number, 1);
  EXPECT_EQ(first.attempt.agent_id, 7);
  EXPECT_EQ(first.attempt.lease_token.size(), 64u);
  EXPECT_EQ(first.attempt.lease_expires, At(40000));
  EXPECT_EQ(first.attempt.started, At(10000));
  EXPECT_FALSE(first.attempt.finished);
  EXPECT_EQ(MustLease(7, {}, At(10000)).job.id, jobs[3].id);
  ASSERT_OK_AND_ASSIGN(auto none, store().LeaseJob(LeaseFor(7, {}, At(10000))));
  EXPECT_FALSE(none.has_value());

  // "linux" alone cannot take the gpu job (queued earliest); linux+gpu+extra can.
  EXPECT_EQ(MustLease(8, {"linux"}, At(10000)).job.id, jobs[0].id);
  ASSERT_OK_AND_ASSIGN(none, store().LeaseJob(LeaseFor(8, {"linux"}, At(10000))));
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(MustLease(9, {"gpu", "extra", "linux"}, At(10000)).job.id, jobs[2].id);

  ASSERT_OK_AND_ASSIGN(Job stored, store().GetJob(jobs[2].id));
  EXPECT_EQ(stored.status, JobStatus::kRunning);
  EXPECT_EQ(stored.started, At(10000));
  EXPECT_EQ(store().LeaseJob(LeaseFor(1, {}, At(1), milliseconds(0))).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(QueueTest, ARequiredLabelTakesOnlyJobsThatNameIt) {
  Project p = MakeProject("p");
  auto jobs = Enqueue(p.id, {"[]", R"(["slipway-deploy"])", R"(["linux"])"}, {1000, 2000, 3000});
  ASSERT_EQ(jobs.size(), 3u);
  LeaseRequest deploy_agent = LeaseFor(5, {"slipway-deploy", "linux"}, At(10000));
  deploy_agent.required_label = "slipway-deploy";
  // The unlabelled job is older, yet the deploy agent takes only the deploy job.
  ASSERT_OK_AND_ASSIGN(auto lease, store().LeaseJob(deploy_agent));
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->job.id, jobs[1].id);
  ASSERT_OK_AND_ASSIGN(lease, store().LeaseJob(deploy_agent));
  EXPECT_FALSE(lease.has_value()) << "the linux and unlabelled jobs are not the deploy agent's";
  EXPECT_EQ(MustLease(6, {"linux"}, At(10000)).job.id, jobs[0].id);
}

TEST_P(QueueTest, NoJobIsLeasedTwiceUnderConcurrency) {
  Project p = MakeProject("p");
  constexpr int kJobs = 60, kThreads = 8;
  std::vector<std::string> runs_on;
  std::vector<int64_t> queued;
  for (int i = 0; i < kJobs; ++i) {
    runs_on.push_back(i % 2 == 0 ? "[]" : R"(["linux"])");
    queued.push_back(1000 + i);
  }
  auto jobs = Enqueue(p.id, runs_on, queued);
  std::mutex mu;
  std::map<int64_t, int> times_leased;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        auto lease = store().LeaseJob(LeaseFor(t + 1, {"linux"}, At(5000)));
        if (!lease.ok()) {
          ++errors;
          return;
        }
        if (!lease->has_value()) return;
        std::lock_guard lock(mu);
        ++times_leased[(*lease)->job.id];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(times_leased.size(), size_t{kJobs});
  for (const auto& [job, n] : times_leased) EXPECT_EQ(n, 1) << "job " << job;
}

TEST_P(QueueTest, RenewLeaseChecksTokenStateAndExpiry) {
  Project p = MakeProject("p");
  Enqueue(p.id, {"[]"}, {1000});
  Lease lease = MustLease(1, {}, At(10000));  // expires at 40000
  const auto& token = lease.attempt.lease_token;
  ASSERT_OK(store().RenewLease(lease.attempt.id, token, At(70000), At(20000)));
  ASSERT_OK_AND_ASSIGN(Attempt renewed, store().GetAttempt(lease.attempt.id));
  EXPECT_EQ(renewed.lease_expires, At(70000));

  EXPECT_EQ(store().RenewLease(lease.attempt.id, "wrong", At(90000), At(20000)).code(),
            StatusCode::kFailedPrecondition);
  std::string other_token = token;
  other_token[0] = other_token[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(store().RenewLease(lease.attempt.id, other_token, At(90000), At(20000)).code(),
            StatusCode::kFailedPrecondition);
  Status expired = store().RenewLease(lease.attempt.id, token, At(90000), At(70001));
  EXPECT_EQ(expired.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(expired.message().find("expired"), std::string::npos);
  EXPECT_EQ(store().RenewLease(424242, token, At(90000), At(20000)).code(), StatusCode::kNotFound);

  ASSERT_OK(store().FinishAttempt(lease.attempt.id, token, Success()));
  Status after_finish = store().RenewLease(lease.attempt.id, token, At(90000), At(20000));
  EXPECT_EQ(after_finish.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(after_finish.message().find("finished"), std::string::npos);
}

TEST_P(QueueTest, FinishAttemptCompletesExactlyOnce) {
  Project p = MakeProject("p");
  Enqueue(p.id, {"[]", "[]"}, {1000, 2000});
  Lease lease = MustLease(1, {}, At(10000));
  const auto& token = lease.attempt.lease_token;
  EXPECT_EQ(store().FinishAttempt(lease.attempt.id, "nope", Success()).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store().FinishAttempt(424242, token, Success()).code(), StatusCode::kNotFound);

  ASSERT_OK(store().FinishAttempt(lease.attempt.id, token, Success(R"({"out": "x"})")));
  ASSERT_OK_AND_ASSIGN(Attempt done, store().GetAttempt(lease.attempt.id));
  EXPECT_TRUE(done.finished);
  EXPECT_FALSE(done.lost);
  EXPECT_EQ(done.outcome, "success");
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_EQ(done.report_json, R"({"steps": []})");
  EXPECT_EQ(done.ended, At(50000));
  ASSERT_OK_AND_ASSIGN(Job job, store().GetJob(lease.job.id));
  EXPECT_EQ(job.status, JobStatus::kSettling);
  EXPECT_EQ(job.outputs_json, R"({"out": "x"})");

  Status repeat = store().FinishAttempt(lease.attempt.id, token, Success());
  EXPECT_EQ(repeat.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(repeat.message().find("already finished"), std::string::npos);

  // A failed attempt settles the job without touching its outputs; concurrent finishers with
  // the right token: exactly one wins.
  Lease second = MustLease(2, {}, At(10000));
  AttemptResult failure;
  failure.outcome = "failure";
  failure.exit_code = 3;
  failure.reason = "exit 3";
  failure.outputs_json = R"({"ignored": "1"})";
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      Status s = store().FinishAttempt(second.attempt.id, second.attempt.lease_token, failure);
      (s.ok() ? ok : refused)++;
      EXPECT_TRUE(s.ok() || s.code() == StatusCode::kFailedPrecondition) << s.ToString();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  ASSERT_OK_AND_ASSIGN(Job failed, store().GetJob(second.job.id));
  EXPECT_EQ(failed.status, JobStatus::kSettling);
  EXPECT_EQ(failed.outputs_json, "{}");
}

TEST_P(QueueTest, ExpireLeasesLosesAttemptsAndRejectsLateResults) {
  Project p = MakeProject("p");
  auto jobs = Enqueue(p.id, {"[]", "[]"}, {1000, 2000});
  Lease short_lease = *store().LeaseJob(LeaseFor(1, {}, At(10000), milliseconds(1000))).value();
  Lease long_lease = MustLease(2, {}, At(10000));  // until 40000

  ASSERT_OK_AND_ASSIGN(auto none, store().ExpireLeases(At(11000)));  // not before the expiry
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto expired, store().ExpireLeases(At(11001)));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].id, short_lease.attempt.id);
  EXPECT_TRUE(expired[0].lost);
  EXPECT_FALSE(expired[0].finished);
  EXPECT_EQ(expired[0].ended, At(11001));
  ASSERT_OK_AND_ASSIGN(Job job, store().GetJob(short_lease.job.id));
  EXPECT_EQ(job.status, JobStatus::kSettling);
  ASSERT_OK_AND_ASSIGN(Job other, store().GetJob(long_lease.job.id));
  EXPECT_EQ(other.status, JobStatus::kRunning);

  // The old lease's holder comes back too late.
  Status late =
      store().FinishAttempt(short_lease.attempt.id, short_lease.attempt.lease_token, Success());
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.message().find("lost"), std::string::npos);
  EXPECT_EQ(
      store()
          .RenewLease(short_lease.attempt.id, short_lease.attempt.lease_token, At(99000), At(10500))
          .code(),
      StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(auto again, store().ExpireLeases(At(12000)));
  EXPECT_TRUE(again.empty());  // reported once

  // The dispatcher queues a retry: attempt 2 of the same job, with a new token.
  job.status = JobStatus::kQueued;
  job.queued = At(13000);
  ASSERT_OK(store().UpdateJobs({job}));
  Lease retry = MustLease(3, {}, At(14000));
  EXPECT_EQ(retry.job.id, job.id);
  EXPECT_EQ(retry.attempt.number, 2);
  EXPECT_EQ(retry.job.attempts, 2);
  EXPECT_NE(retry.attempt.lease_token, short_lease.attempt.lease_token);
  ASSERT_OK_AND_ASSIGN(auto attempts, store().ListAttempts(job.id));
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].number, 1);
  EXPECT_TRUE(attempts[0].lost);
  EXPECT_EQ(attempts[1].number, 2);
  EXPECT_EQ(store().ListAttempts(424242).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetAttempt(424242).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace slipway::store::testing
