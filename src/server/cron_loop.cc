// Scheduled runs: once a minute, every project's pipeline (at its default branch's head) is
// asked whether one of its `on.schedule` cron entries fires this minute. Minutes missed while
// the server was down are not made up (as cron).
#include <poll.h>

#include <map>

#include "server/server_impl.h"
#include "spec/spec.h"
#include "triggers/triggers.h"

namespace slipway::server {
namespace {

using std::chrono::minutes;
using std::chrono::sys_seconds;

// Whether any schedule of the pipeline fires at `minute`.
bool Fires(const spec::Pipeline& pipeline, sys_seconds minute) {
  for (const auto& schedule : pipeline.on.schedule) {
    auto cron = triggers::CronSchedule::Parse(schedule.cron);
    if (!cron.ok()) continue;
    auto next = cron->NextAfter(minute - std::chrono::seconds(1), triggers::TimeZone::Utc());
    if (next && *next == minute) return true;
  }
  return false;
}

}  // namespace

void Server::Impl::CronLoop() {
  auto floor_minute = [] { return std::chrono::floor<minutes>(std::chrono::system_clock::now()); };
  auto last = floor_minute();
  pollfd fd{stop_.wait_fd(), POLLIN, 0};
  while (poll(&fd, 1, 1000) == 0) {
    const auto minute = floor_minute();
    if (minute <= last) continue;
    last = minute;
    auto leader = store_->HoldLeadership("cron");
    if (!leader.ok() || !*leader) continue;
    auto projects = store_->ListProjects();
    if (!projects.ok()) continue;
    for (const store::Project& project : *projects) {
      triggers::PollOptions options;
      options.data_dir = options_.data_dir;
      const std::string ref = "refs/heads/" + project.default_branch;
      auto mirror = triggers::UpdateMirror(project.repo, {ref}, options);
      if (!mirror.ok()) continue;
      auto yaml = triggers::ReadFileAtCommit(*mirror, ref, project.pipeline_file);
      if (!yaml.ok()) continue;
      auto loaded = spec::ParsePipeline(*yaml, project.pipeline_file);
      if (!loaded.ok() ||
          !Fires(*loaded.pipeline, std::chrono::time_point_cast<std::chrono::seconds>(minute))) {
        continue;
      }
      engine::ManualRunRequest request;
      request.project = project;
      request.trigger = "schedule";
      request.actor = "cron";
      request.mirrors_dir = options_.data_dir;
      auto run = engine::StartManualRun(*store_, request, std::chrono::system_clock::now());
      if (run.ok()) {
        Log("cron: " + project.name + " started run #" + std::to_string(run->number));
        dispatch_.Notify();
      } else {
        Log("cron: " + project.name + ": " + run.status().message());
      }
    }
  }
}

}  // namespace slipway::server
