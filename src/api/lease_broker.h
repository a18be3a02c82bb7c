// Long-polled leases for remote agents without a thread per waiting agent.
//
// POST /api/v1/agent/lease may wait up to 30 s for a job. Blocking in AgentService::Lease would
// hold one of the HTTP server's few handler threads per idle agent, so a handful of idle
// agents would stall the API. Instead a waiting agent is an entry here with an
// http::PendingResponse; one broker thread, woken by the dispatcher's WorkSignal (and every
// second, for jobs queued by other servers sharing a PostgreSQL database), offers queued jobs
// to the waiters in arrival order with non-blocking AgentService::Lease calls.
//
// Exactly-once hand-over: the broker answers a waiter itself when its wait is over (204), so a
// job is never leased to a request the HTTP layer has already timed out. A job leased for a
// client that disconnected in the meantime cannot be handed over; its attempt is finished at
// once as an infra failure ("the agent went away before it received the job"), which puts
// the job through the same retry rules as an expired lease, only sooner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "http/http.h"

namespace slipway::api {

class LeaseBroker {
 public:
  LeaseBroker(engine::AgentService* agents, engine::WorkSignal* work);
  ~LeaseBroker();  // stops the broker thread; waiters still pending get their 204 from the server
  LeaseBroker(const LeaseBroker&) = delete;
  LeaseBroker& operator=(const LeaseBroker&) = delete;

  // The response to a lease request: 200 with engine::JobAssignment JSON, 204 when no job came
  // within `wait`, or an error; deferred (answered later by the broker) when it has to wait.
  http::Response Lease(int64_t agent_id, std::vector<std::string> labels,
                       std::chrono::milliseconds wait);

  // Waiters not answered yet (for tests and metrics).
  size_t waiting() const;

 private:
  struct Waiter {
    int64_t agent_id = 0;
    std::vector<std::string> labels;
    std::chrono::steady_clock::time_point deadline;
    std::shared_ptr<http::PendingResponse> pending;
  };
  void Loop();
  // One pass: offers queued jobs to waiters in order and answers those whose wait is over.
  // Serialised by serve_mutex_ (called by the broker thread and by new requests).
  void Serve();
  // Leases one job for `waiter` without waiting; true when the waiter was answered.
  bool TryLease(const Waiter& waiter);

  engine::AgentService* agents_;
  engine::WorkSignal* work_;
  std::mutex serve_mutex_;
  mutable std::mutex mutex_;  // guards waiters_, stop_
  std::deque<Waiter> waiters_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace slipway::api
