#include "server/cron_schedules.h"

#include "spec/spec.h"

namespace slipway::server {

void CronSchedules::Refresh(const store::Project& project, Entry& entry,
                            const std::function<void(const std::string&)>& log) {
  auto report = [&](const std::string& problem) {
    if (problem != entry.last_problem) log("cron: " + project.name + ": " + problem);
    entry.last_problem = problem;
  };
  triggers::PollOptions options;
  options.data_dir = data_dir_;
  const std::string ref = "refs/heads/" + project.default_branch;
  const auto now = std::chrono::steady_clock::now();
  std::filesystem::path mirror = triggers::MirrorPath(project.repo, options);
  if (!entry.ever_fetched || now - entry.fetched >= fetch_interval_ ||
      !std::filesystem::exists(mirror)) {
    entry.fetched = now;
    entry.ever_fetched = true;
    auto updated = triggers::UpdateMirror(project.repo, {ref}, options);
    if (!updated.ok()) return report(updated.status().message());  // keep the last schedules
    mirror = *updated;
  }
  auto text = triggers::ReadFileAtCommit(mirror, ref, project.pipeline_file);
  if (!text.ok()) {
    entry.crons.clear();
    entry.pipeline_text.clear();
    return report(text.status().message());
  }
  if (*text == entry.pipeline_text) return;
  entry.pipeline_text = *text;
  entry.crons.clear();
  auto loaded = spec::ParsePipeline(*text, project.pipeline_file);
  if (!loaded.ok()) return report("the pipeline at " + ref + " is invalid; no schedule applies");
  for (const auto& schedule : loaded.pipeline->on.schedule) {
    auto cron = triggers::CronSchedule::Parse(schedule.cron);
    if (cron.ok()) entry.crons.push_back(std::move(*cron));
  }
  entry.last_problem.clear();
}

bool CronSchedules::Fires(const store::Project& project, std::chrono::sys_seconds minute,
                          const std::function<void(const std::string&)>& log) {
  Entry& entry = entries_[project.id];
  Refresh(project, entry, log);
  for (const auto& cron : entry.crons) {
    auto next = cron.NextAfter(minute - std::chrono::seconds(1), triggers::TimeZone::Utc());
    if (next && *next == minute) return true;
  }
  return false;
}

void CronSchedules::Retain(const std::vector<store::Project>& live) {
  std::map<int64_t, Entry> kept;
  for (const auto& project : live) {
    auto it = entries_.find(project.id);
    if (it != entries_.end()) kept.emplace(project.id, std::move(it->second));
  }
  entries_ = std::move(kept);
}

}  // namespace slipway::server
