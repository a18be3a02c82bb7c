// Keeps the lease of a worker's current job alive on a thread of its own, so a job that keeps
// every core busy still keeps its lease, and carries cancel requests back. Private to the agent.
//
// The thread lives as long as the worker and serves its jobs one at a time: a thread started
// for every job cost ~0.25 ms on a loaded machine, before the job's first step could start.
// The beat comes every second (or every third of the lease when that is shorter): the reply is
// how a cancel reaches the agent, and a cancelled run's jobs must stop within 2 s.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/agent.h"
#include "util/cancel.h"

namespace slipway::agent {

class Heartbeat {
 public:
  explicit Heartbeat(Transport* transport);
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // Starts beating for `job`, which must stay valid until End(). A cancel in a reply, or the
  // lease found lost, fires `cancel`; after a lost lease the beats stop.
  void Begin(const engine::JobAssignment* job, CancelToken* cancel);
  // Stops beating (waiting for a beat in flight); true when the job's lease was lost.
  bool End();

 private:
  void Loop();
  // Beats for one job until `ended` fires or the lease is lost; true when it was lost.
  bool Beat(const engine::JobAssignment& job, CancelToken& cancel, const CancelToken& ended);

  Transport* const transport_;
  std::mutex mutex_;
  std::condition_variable changed_;
  const engine::JobAssignment* job_ = nullptr;  // handed over by Begin, not yet taken
  CancelToken* cancel_ = nullptr;
  std::unique_ptr<CancelToken> ended_;  // per job: fired by End, wakes the thread's wait
  bool beating_ = false, lease_lost_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace slipway::agent
