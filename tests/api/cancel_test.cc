// Cancel racing the dispatcher. The API and the dispatcher both change a run; neither may undo
// the other: a cancel that was answered 202 is carried out, and a run that finished stays
// finished. The races are made exact with FaultStore hooks: the other writer acts between one
// side's read and its write.
#include "api_fixture.h"
#include "fault_store.h"
#include "runner/runner.h"

namespace slipway::api::testing {
namespace {

class CancelTest : public WithFaultStore<ApiTest> {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = MakeRepo();
    AddProject("hello", *repo_);
    developer_ = AddToken("dev", store::Role::kDeveloper);
  }
  void TearDown() override {
    dispatcher_.reset();
    WithFaultStore::TearDown();
  }

  Reply Cancel() { return Call("POST", "/api/v1/projects/hello/runs/1/cancel", "", developer_); }
  store::Run Stored() { return Runs("hello").at(0); }
  // Waits (up to 10 s) for the run to finish.
  store::Run Finished() {
    for (int i = 0; i < 500 && (Stored().status == store::RunStatus::kQueued ||
                                Stored().status == store::RunStatus::kRunning);
         ++i) {
      std::this_thread::sleep_for(20ms);
    }
    return Stored();
  }
  // Leases the next queued job as `agent_id` (waiting up to 10 s for the dispatcher to queue
  // it) and finishes it as a success; false when no job came.
  bool RunNextJob(int64_t agent_id) {
    for (int i = 0; i < 500; ++i) {
      store::LeaseRequest request;
      request.agent_id = agent_id;
      request.now = std::chrono::system_clock::now();
      auto lease = store_->LeaseJob(request);
      EXPECT_TRUE(lease.ok()) << lease.status().ToString();
      if (!lease.ok()) return false;
      if (lease->has_value()) {
        store::AttemptResult result;
        result.outcome = runner::OutcomeName(runner::Outcome::kSuccess);
        result.exit_code = 0;
        result.ended = std::chrono::system_clock::now();
        const store::Attempt& attempt = (*lease)->attempt;
        EXPECT_TRUE(store_->FinishAttempt(attempt.id, attempt.lease_token, result).ok());
        dispatch_.Notify();
        return true;
      }
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::unique_ptr<Repo> repo_;
  std::string developer_;
};

// The dispatcher finishes the run after the cancel request read it as running: the cancel is
// refused as for any finished run, and the run keeps its result.
TEST_F(CancelTest, ARunFinishedWhileACancelIsHandledStaysFinished) {
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  std::atomic<bool> raced{false};
  faulty_->after_get_run = [&](const store::Run& read) {
    if (raced.exchange(true)) return;
    store::Run done = read;  // what the dispatcher writes when the run's last job ends
    done.status = store::RunStatus::kSuccess;
    done.started = done.finished = std::chrono::system_clock::now();
    EXPECT_TRUE(store_->UpdateRun(done).ok());
  };
  Reply cancel = Cancel();
  faulty_->after_get_run = nullptr;
  ASSERT_TRUE(raced);
  EXPECT_EQ(cancel.status, 412) << cancel.body;
  EXPECT_NE(cancel.ErrorMessage().find("already finished (success)"), std::string::npos)
      << cancel.body;
  const store::Run after = Stored();
  EXPECT_EQ(after.status, store::RunStatus::kSuccess);
  EXPECT_FALSE(after.cancel_requested);
  for (const auto& record : AuditTrail()) EXPECT_NE(record.action, "run.cancel");
}

// A cancel lands while the dispatcher starts the run (between its read and its write): the
// dispatcher's write must not clear it, and the run ends cancelled.
TEST_F(CancelTest, ACancelWhileTheDispatcherStartsTheRunIsCarriedOut) {
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  std::atomic<int> cancel_status{0};
  faulty_->before_update_run = [&](const store::Run& run) {
    if (run.status != store::RunStatus::kRunning || cancel_status != 0) return;
    cancel_status = -1;  // the cancel's own writes pass through here too
    cancel_status = Cancel().status;
  };
  dispatcher_ = std::make_unique<DispatcherLoop>(faulty_.get(), &work_, &dispatch_);
  const store::Run ended = Finished();
  dispatcher_.reset();
  EXPECT_EQ(cancel_status, 202);
  EXPECT_TRUE(ended.cancel_requested);
  EXPECT_EQ(ended.status, store::RunStatus::kCancelled);
}

// A cancel lands while the dispatcher finishes the run (its last job just succeeded): the cancel
// was accepted (202), so the run ends cancelled, never as a success with the cancel dropped.
TEST_F(CancelTest, ACancelWhileTheDispatcherFinishesTheRunIsNotLost) {
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  store::Agent agent;
  agent.name = "a1";
  auto registered = store_->RegisterAgent(agent);
  ASSERT_TRUE(registered.ok());
  std::atomic<int> cancel_status{0};
  faulty_->before_update_run = [&](const store::Run& run) {
    if (run.status != store::RunStatus::kSuccess || cancel_status != 0) return;
    cancel_status = -1;
    cancel_status = Cancel().status;
  };
  dispatcher_ = std::make_unique<DispatcherLoop>(faulty_.get(), &work_, &dispatch_);
  ASSERT_TRUE(RunNextJob(registered->id));  // build
  ASSERT_TRUE(RunNextJob(registered->id));  // test, the last job
  const store::Run ended = Finished();
  dispatcher_.reset();
  EXPECT_EQ(cancel_status, 202);
  EXPECT_TRUE(ended.cancel_requested);
  EXPECT_EQ(ended.status, store::RunStatus::kCancelled);
}

}  // namespace
}  // namespace slipway::api::testing
