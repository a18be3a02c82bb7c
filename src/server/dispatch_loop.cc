// The dispatcher's thread: a pass whenever something happened, and at least every `tick`.
#include "server/server_impl.h"

namespace slipway::server {

void Server::Impl::DispatchLoop() {
  engine::DispatcherOptions options;
  options.restart_grace = options_.restart_grace;
  options.plans = &agent_service_->plans();  // leases reuse the run plans the dispatcher builds
  engine::Dispatcher dispatcher(store_.get(), &work_, options, std::chrono::system_clock::now());
  uint64_t seen = dispatch_.generation();
  std::string last_error;
  while (!stop_.cancelled()) {
    // With PostgreSQL several servers share the runs; one of them dispatches.
    auto leader = store_->HoldLeadership("dispatcher");
    if (leader.ok() && *leader) {
      auto result = dispatcher.Tick(std::chrono::system_clock::now());
      const std::string error = result.ok() ? "" : result.status().ToString();
      if (error != last_error && !error.empty()) Log("dispatcher: " + error);
      last_error = error;
    }
    seen = dispatch_.Wait(seen, options_.tick);
  }
}

}  // namespace slipway::server
