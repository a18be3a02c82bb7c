#include "agent/heartbeat.h"

#include <algorithm>

namespace slipway::agent {
namespace {

constexpr int64_t kMaxIntervalMs = 1000;

}  // namespace

Heartbeat::Heartbeat(Transport* transport) : transport_(transport), thread_([this] { Loop(); }) {}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (ended_ != nullptr) ended_->Cancel();
  }
  changed_.notify_all();
  thread_.join();
}

void Heartbeat::Begin(const engine::JobAssignment* job, CancelToken* cancel) {
  {
    std::lock_guard lock(mutex_);
    job_ = job;
    cancel_ = cancel;
    ended_ = std::make_unique<CancelToken>();
    lease_lost_ = false;
  }
  changed_.notify_all();
}

bool Heartbeat::End() {
  std::unique_lock lock(mutex_);
  job_ = nullptr;  // not taken yet: it never will be
  if (ended_ != nullptr) ended_->Cancel();
  changed_.wait(lock, [this] { return !beating_; });
  return lease_lost_;
}

void Heartbeat::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || job_ != nullptr; });
    if (stopping_) return;
    const engine::JobAssignment& job = *job_;
    CancelToken& cancel = *cancel_;
    const CancelToken& ended = *ended_;  // replaced only by the next Begin, after End
    job_ = nullptr;
    beating_ = true;
    lock.unlock();
    const bool lost = Beat(job, cancel, ended);
    lock.lock();
    lease_lost_ = lost;
    beating_ = false;
    changed_.notify_all();
  }
}

bool Heartbeat::Beat(const engine::JobAssignment& job, CancelToken& cancel,
                     const CancelToken& ended) {
  const auto interval =
      std::chrono::milliseconds(std::clamp<int64_t>(job.lease_ms / 3, 50, kMaxIntervalMs));
  while (!ended.WaitFor(interval)) {
    auto reply = transport_->Heartbeat(job);
    if (reply.ok()) {
      if (reply->cancel) cancel.Cancel();
    } else if (reply.status().code() == StatusCode::kFailedPrecondition) {
      cancel.Cancel();  // another agent may run it now: stop, report nothing
      return true;
    }
    // Unreachable server: keep running and keep trying; the lease outlives short outages.
  }
  return false;
}

}  // namespace slipway::agent
