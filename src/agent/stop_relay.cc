#include "agent/stop_relay.h"

#include <errno.h>
#include <poll.h>

namespace slipway::agent {

StopRelay::StopRelay(const CancelToken& stop) : stop_(stop), thread_([this] { Loop(); }) {}

StopRelay::~StopRelay() {
  done_.Cancel();
  thread_.join();
}

void StopRelay::Loop() {
  pollfd fds[2] = {{stop_.wait_fd(), POLLIN, 0}, {done_.wait_fd(), POLLIN, 0}};
  while (poll(fds, 2, -1) < 0 && errno == EINTR) {
  }
  if (!stop_.cancelled()) return;
  std::lock_guard lock(mutex_);
  for (CancelToken* job : watched_) job->Cancel();
}

StopRelay::Watch::Watch(StopRelay* relay, CancelToken* job) : relay_(relay), job_(job) {
  std::lock_guard lock(relay_->mutex_);
  relay_->watched_.insert(job_);
  // Checked under the lock the thread takes to cancel: a stop is never missed.
  if (relay_->stop_.cancelled()) job_->Cancel();
}

StopRelay::Watch::~Watch() {
  std::lock_guard lock(relay_->mutex_);
  relay_->watched_.erase(job_);
}

}  // namespace slipway::agent
