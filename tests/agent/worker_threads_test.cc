// The threads beside an agent's workers: a heartbeat and a log shipper that serve one job after
// another, and the relay that cancels running jobs when the agent stops.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/heartbeat.h"
#include "agent/log_shipper.h"
#include "agent/stop_relay.h"

namespace slipway::agent {
namespace {

using namespace std::chrono_literals;

// Records what the agent sends; answers heartbeats as told.
class FakeTransport final : public Transport {
 public:
  Result<std::optional<engine::JobAssignment>> Lease(std::chrono::milliseconds) override {
    return std::optional<engine::JobAssignment>();
  }
  Result<engine::AgentService::HeartbeatReply> Heartbeat(
      const engine::JobAssignment& job) override {
    std::lock_guard lock(mutex_);
    ++beats_[job.attempt_id];
    if (lost_) return FailedPrecondition("lease gone");
    return engine::AgentService::HeartbeatReply{.cancel = cancel_};
  }
  Status AppendLog(const engine::JobAssignment& job, int64_t offset,
                   std::string_view data) override {
    std::lock_guard lock(mutex_);
    if (lost_) return FailedPrecondition("lease gone");
    std::string& log = logs_[job.attempt_id];
    if (offset != static_cast<int64_t>(log.size())) return InvalidArgument("gap");
    log += data;
    return Status::Ok();
  }
  Status Finish(const engine::JobAssignment&, const runner::AttemptReport&) override {
    return Status::Ok();
  }
  Status PutArtifacts(const engine::JobAssignment&, const std::filesystem::path&,
                      const CancelToken&) override {
    return Status::Ok();
  }
  Status GetArtifacts(const engine::JobAssignment&, const engine::ArtifactRef&,
                      const std::filesystem::path&) override {
    return Status::Ok();
  }

  void set_cancel(bool cancel) {
    std::lock_guard lock(mutex_);
    cancel_ = cancel;
  }
  void set_lost(bool lost) {
    std::lock_guard lock(mutex_);
    lost_ = lost;
  }
  int beats(int64_t attempt) {
    std::lock_guard lock(mutex_);
    return beats_[attempt];
  }
  std::string log(int64_t attempt) {
    std::lock_guard lock(mutex_);
    return logs_[attempt];
  }

 private:
  std::mutex mutex_;
  bool cancel_ = false, lost_ = false;
  std::map<int64_t, int> beats_;
  std::map<int64_t, std::string> logs_;
};

engine::JobAssignment Job(int64_t attempt_id) {
  engine::JobAssignment job;
  job.attempt_id = attempt_id;
  job.lease_ms = 150;  // a beat every 50 ms
  return job;
}

// Waits up to 5 s for `done`.
template <typename Done>
bool Eventually(Done done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST(WorkerThreadsTest, OneHeartbeatThreadBeatsForEachJobInTurn) {
  FakeTransport transport;
  Heartbeat heartbeat(&transport);
  for (int64_t attempt : {1, 2}) {
    const engine::JobAssignment job = Job(attempt);
    CancelToken cancel;
    heartbeat.Begin(&job, &cancel);
    EXPECT_TRUE(Eventually([&] { return transport.beats(attempt) >= 2; }));
    EXPECT_FALSE(heartbeat.End());
    EXPECT_FALSE(cancel.cancelled());
  }
  const int beats = transport.beats(2);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(transport.beats(2), beats);  // no beats between jobs
}

TEST(WorkerThreadsTest, HeartbeatCarriesACancelAndALostLease) {
  FakeTransport transport;
  Heartbeat heartbeat(&transport);
  const engine::JobAssignment first = Job(1);
  CancelToken cancelled;
  transport.set_cancel(true);
  heartbeat.Begin(&first, &cancelled);
  EXPECT_TRUE(Eventually([&] { return cancelled.cancelled(); }));
  EXPECT_FALSE(heartbeat.End());

  const engine::JobAssignment second = Job(2);
  CancelToken lost;
  transport.set_cancel(false);
  transport.set_lost(true);
  heartbeat.Begin(&second, &lost);
  EXPECT_TRUE(Eventually([&] { return lost.cancelled(); }));
  EXPECT_TRUE(heartbeat.End());

  // A job that ends before its first beat.
  transport.set_lost(false);
  const engine::JobAssignment third = Job(3);
  CancelToken quick;
  heartbeat.Begin(&third, &quick);
  EXPECT_FALSE(heartbeat.End());
  EXPECT_FALSE(quick.cancelled());
}

TEST(WorkerThreadsTest, OneLogShipperShipsEachJobsLogFromOffsetZero) {
  FakeTransport transport;
  LogShipper log(&transport, 20ms, 10ms);
  const engine::JobAssignment first = Job(1), second = Job(2);
  log.Begin(&first);
  log.Line("one");
  EXPECT_TRUE(Eventually([&] { return transport.log(1) == "one\n"; }));  // shipped by the thread
  log.Line("two");
  EXPECT_TRUE(log.Close());
  EXPECT_EQ(transport.log(1), "one\ntwo\n");
  log.Begin(&second);
  log.Line("three");
  EXPECT_TRUE(log.Close());
  EXPECT_EQ(transport.log(2), "three\n");
  EXPECT_EQ(transport.log(1), "one\ntwo\n");
}

TEST(WorkerThreadsTest, LogShipperGivesUpWhenTheLeaseIsGone) {
  FakeTransport transport;
  LogShipper log(&transport, 1000ms, 10ms);
  const engine::JobAssignment job = Job(1);
  log.Begin(&job);
  log.Line("lost");
  transport.set_lost(true);
  EXPECT_FALSE(log.Close());
  EXPECT_EQ(transport.log(1), "");
}

TEST(WorkerThreadsTest, StopRelayCancelsTheJobsRunningWhenTheAgentStops) {
  CancelToken stop;
  StopRelay relay(stop);
  CancelToken running, finished;
  { const StopRelay::Watch gone(&relay, &finished); }
  const StopRelay::Watch watch(&relay, &running);
  stop.Cancel();
  EXPECT_TRUE(Eventually([&] { return running.cancelled(); }));
  EXPECT_FALSE(finished.cancelled());
  CancelToken late;  // a job starting after the stop is cancelled at once
  const StopRelay::Watch late_watch(&relay, &late);
  EXPECT_TRUE(late.cancelled());
}

}  // namespace
}  // namespace slipway::agent
