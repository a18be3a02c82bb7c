// Git polling: every project with a poll interval is polled (engine::PollProject) when it is
// due; changed branches and tags start runs as pushes would. The first poll of a project only
// records its refs.

#include <map>

#include "server/server_impl.h"

namespace slipway::server {

void Server::Impl::PollLoop() {
  using Clock = std::chrono::steady_clock;
  std::map<int64_t, Clock::time_point> next_poll;
  while (!stop_.WaitFor(options_.poll_check)) {
    auto leader = store_->HoldLeadership("poller");
    if (!leader.ok() || !*leader) continue;
    auto projects = store_->ListProjects();
    if (!projects.ok()) continue;
    for (const store::Project& project : *projects) {
      if (project.poll_interval_seconds <= 0) continue;
      const auto now = Clock::now();
      auto due = next_poll.find(project.id);
      if (due != next_poll.end() && now < due->second) continue;
      next_poll[project.id] = now + std::chrono::seconds(project.poll_interval_seconds);

      auto polled = engine::PollProject(*store_, project, options_.data_dir,
                                        std::chrono::system_clock::now());
      if (!polled.ok()) {
        Log("poller: " + project.name + ": " + polled.status().message());
        continue;
      }
      for (const std::string& problem : polled->problems) {
        Log("poller: " + project.name + " " + problem);
      }
      for (const store::Run& run : polled->started) {
        Log("poller: " + project.name + " " + run.ref + " started run #" +
            std::to_string(run.number));
      }
      if (!polled->started.empty()) dispatch_.Notify();
    }
  }
}

}  // namespace slipway::server
