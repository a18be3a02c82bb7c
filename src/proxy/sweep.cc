#include "proxy/sweep.h"

namespace slipway::proxy::internal {

void Sweep::Watch(std::weak_ptr<Expiring> connection) {
  watched_.push_back(std::move(connection));
  if (!armed_) Arm();
}

void Sweep::Arm() {
  armed_ = true;
  timer_.expires_after(kSweepPeriod);
  // The timer dies before the io_context (Worker's member order), and a handler left pending
  // then is destroyed, never run: `this` is alive whenever this runs.
  timer_.async_wait([this](beast::error_code ec) {
    armed_ = false;
    if (ec) return;
    Run();
  });
}

void Sweep::Run() {
  const SteadyClock::time_point now = SteadyClock::now();
  for (size_t i = 0; i < watched_.size();) {
    if (std::shared_ptr<Expiring> connection = watched_[i].lock()) {
      connection->CheckDeadlines(now);
      ++i;
    } else {
      watched_[i] = std::move(watched_.back());
      watched_.pop_back();
    }
  }
  if (!watched_.empty()) Arm();
}

}  // namespace slipway::proxy::internal
