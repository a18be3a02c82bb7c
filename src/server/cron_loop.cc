// Scheduled runs: once a minute, each project's pipeline (at its default branch's head, as
// CronSchedules keeps it) is asked whether one of its `on.schedule` cron entries fires this
// minute. Minutes missed while the server was down are not made up (as cron).

#include "server/cron_schedules.h"
#include "server/server_impl.h"

namespace slipway::server {

void Server::Impl::CronLoop() {
  auto floor_minute = [] {
    return std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  };
  auto last = floor_minute();
  CronSchedules schedules(options_.data_dir);
  auto log = [this](const std::string& line) { Log(line); };
  while (!stop_.WaitFor(std::chrono::seconds(1))) {
    const auto minute = floor_minute();
    if (minute <= last) continue;
    last = minute;
    auto leader = store_->HoldLeadership("cron");
    if (!leader.ok() || !*leader) continue;
    auto projects = store_->ListProjects();
    if (!projects.ok()) continue;
    schedules.Retain(*projects);
    for (const store::Project& project : *projects) {
      if (!schedules.Fires(project, std::chrono::time_point_cast<std::chrono::seconds>(minute),
                           log)) {
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
