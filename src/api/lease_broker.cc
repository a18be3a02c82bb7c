#include "api/lease_broker.h"

#include <algorithm>

#include "runner/runner.h"

namespace slipway::api {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often waiters are offered jobs without a wake-up: other servers sharing a PostgreSQL
// database queue jobs this process does not hear about.
constexpr milliseconds kRecheck{1000};
// The HTTP layer's own timeout for a deferred lease comes this long after the broker's, as a
// backstop only: the broker answers first, so it never leases for a request already answered.
constexpr milliseconds kBackstop{5000};

http::Response AssignmentResponse(const engine::JobAssignment& job) {
  return http::Response::Json(200, job.ToJson());
}

}  // namespace

LeaseBroker::LeaseBroker(engine::AgentService* agents, engine::WorkSignal* work)
    : agents_(agents), work_(work), thread_([this] { Loop(); }) {}

LeaseBroker::~LeaseBroker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_->Notify();  // wakes the broker thread (and, harmlessly, other waiters of the signal)
  thread_.join();
  std::lock_guard lock(mutex_);
  for (Waiter& waiter : waiters_) waiter.pending->Complete(http::Response::NoContent());
  waiters_.clear();
}

size_t LeaseBroker::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

http::Response LeaseBroker::Lease(int64_t agent_id, std::vector<std::string> labels,
                                  milliseconds wait) {
  if (wait <= milliseconds(0)) {
    auto result = agents_->Lease(agent_id, labels, milliseconds(0));
    if (!result.ok()) return http::Response::FromStatus(result.status());
    if (!result->has_value()) return http::Response::NoContent();
    return AssignmentResponse(**result);
  }
  auto pending = http::PendingResponse::Create(wait + kBackstop, http::Response::NoContent());
  {
    std::lock_guard lock(mutex_);
    waiters_.push_back(Waiter{agent_id, std::move(labels), Clock::now() + wait, pending});
  }
  // Registered before this first try, so a job queued after it wakes the broker thread, which
  // then sees this waiter: no wake-up is lost.
  Serve();
  return http::Response::Deferred(pending);
}

bool LeaseBroker::TryLease(const Waiter& waiter) {
  auto result = agents_->Lease(waiter.agent_id, waiter.labels, milliseconds(0));
  if (!result.ok()) {
    waiter.pending->Complete(http::Response::FromStatus(result.status()));
    return true;
  }
  if (!result->has_value()) return false;
  const engine::JobAssignment& job = **result;
  if (waiter.pending->Complete(AssignmentResponse(job))) return true;
  // The client went away between the done() check and now: nobody will run this attempt.
  runner::AttemptReport report;
  report.attempt = job.attempt;
  report.outcome = runner::Outcome::kInfra;
  report.reason = "the agent went away before it received the job";
  (void)agents_->Finish(job.attempt_id, job.lease_token, report);
  return true;
}

void LeaseBroker::Serve() {
  std::lock_guard serving(serve_mutex_);
  std::vector<Waiter> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot.assign(waiters_.begin(), waiters_.end());
  }
  std::vector<const http::PendingResponse*> answered;
  std::vector<std::vector<std::string>> nothing_for;  // label sets no queued job fits now
  for (const Waiter& waiter : snapshot) {
    bool done = waiter.pending->done();
    if (!done && Clock::now() >= waiter.deadline) {
      waiter.pending->Complete(http::Response::NoContent());
      done = true;
    }
    if (!done &&
        std::find(nothing_for.begin(), nothing_for.end(), waiter.labels) == nothing_for.end()) {
      done = TryLease(waiter);
      if (!done) nothing_for.push_back(waiter.labels);
    }
    if (done) answered.push_back(waiter.pending.get());
  }
  if (answered.empty()) return;
  std::lock_guard lock(mutex_);
  std::erase_if(waiters_, [&](const Waiter& waiter) {
    return std::find(answered.begin(), answered.end(), waiter.pending.get()) != answered.end();
  });
}

void LeaseBroker::Loop() {
  uint64_t seen = work_->generation();
  while (true) {
    milliseconds timeout = kRecheck;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      const auto now = Clock::now();
      for (const Waiter& waiter : waiters_) {
        auto left = std::chrono::ceil<milliseconds>(waiter.deadline - now);
        timeout = std::clamp(left, milliseconds(1), timeout);
      }
    }
    seen = work_->Wait(seen, timeout);
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      if (waiters_.empty()) continue;
    }
    Serve();
  }
}

}  // namespace slipway::api
