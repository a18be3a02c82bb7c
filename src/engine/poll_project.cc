// PollProject: one poll of one project's repository (see engine.h).
#include "engine/engine.h"
#include "triggers/triggers.h"

namespace slipway::engine {

Result<PollReport> PollProject(store::Store& store, const store::Project& project,
                               const std::filesystem::path& mirrors_dir, store::Time now) {
  triggers::PollOptions options;
  options.data_dir = mirrors_dir;
  SLIPWAY_ASSIGN_OR_RETURN(
      triggers::PollResult polled,
      triggers::PollRepository(project.repo, project.last_polled_commits, options));
  PollReport report;
  const bool first_poll = project.last_polled_commits.empty();
  for (const triggers::RefUpdate& update : polled.updates) {
    if (first_poll || update.Deleted()) continue;
    PushRunRequest request;
    request.project = project;
    request.ref = update.ref;
    request.before = update.old_sha;
    request.after = update.new_sha;
    request.trigger = "poll";
    request.actor = "poller";
    request.mirrors_dir = mirrors_dir;
    auto run = StartPushRun(store, request, now);
    if (!run.ok()) {
      report.problems.push_back(update.ref + ": " + run.status().message());
    } else if (run->has_value()) {
      report.started.push_back(std::move(**run));
    }
  }
  if (Status recorded = store.SetPolledCommits(project.id, polled.refs_json); !recorded.ok()) {
    report.problems.push_back("recording the refs seen: " + recorded.message());
  }
  return report;
}

}  // namespace slipway::engine
