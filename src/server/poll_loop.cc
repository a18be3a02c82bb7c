// Git polling: every project with a poll interval is checked when it is due; changed branches
// and tags start runs as pushes would. The first poll of a project only records its refs.
#include <poll.h>

#include <map>

#include "server/server_impl.h"
#include "triggers/triggers.h"

namespace slipway::server {

void Server::Impl::PollLoop() {
  using Clock = std::chrono::steady_clock;
  std::map<int64_t, Clock::time_point> next_poll;
  pollfd fd{stop_.wait_fd(), POLLIN, 0};
  while (poll(&fd, 1, static_cast<int>(options_.poll_check.count())) == 0) {
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

      triggers::PollOptions options;
      options.data_dir = options_.data_dir;
      auto polled = triggers::PollRepository(project.repo, project.last_polled_commits, options);
      if (!polled.ok()) {
        Log("poller: " + project.name + ": " + polled.status().message());
        continue;
      }
      const bool first_poll = project.last_polled_commits.empty();
      for (const triggers::RefUpdate& update : polled->updates) {
        if (first_poll || update.Deleted()) continue;
        engine::PushRunRequest request;
        request.project = project;
        request.ref = update.ref;
        request.before = update.old_sha;
        request.after = update.new_sha;
        request.trigger = "poll";
        request.actor = "poller";
        request.mirrors_dir = options_.data_dir;
        auto run = engine::StartPushRun(*store_, request, std::chrono::system_clock::now());
        if (!run.ok()) {
          Log("poller: " + project.name + " " + update.ref + ": " + run.status().message());
        } else if (run->has_value()) {
          Log("poller: " + project.name + " " + update.ref + " started run #" +
              std::to_string((*run)->number));
          dispatch_.Notify();
        }
      }
      if (Status s = store_->SetPolledCommits(project.id, polled->refs_json); !s.ok()) {
        Log("poller: " + project.name + ": " + s.message());
      }
    }
  }
}

}  // namespace slipway::server
