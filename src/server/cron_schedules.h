// Internal to src/server: the cron entries of each project's pipeline, kept between minutes so
// the cron loop does not fetch and parse every pipeline every minute.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"
#include "triggers/triggers.h"

namespace slipway::server {

class CronSchedules {
 public:
  // How long a project's mirror may go unfetched by the cron loop. The poller and webhooks
  // fetch the same mirror on their own; this bounds staleness when neither runs.
  static constexpr std::chrono::minutes kFetchInterval{10};

  explicit CronSchedules(std::filesystem::path data_dir,
                         std::chrono::steady_clock::duration fetch_interval = kFetchInterval)
      : data_dir_(std::move(data_dir)), fetch_interval_(fetch_interval) {}

  // Whether one of `project`'s schedules, as its pipeline reads at the head of the default
  // branch in the local mirror, fires at `minute`. Fetches the branch when the mirror is
  // missing or was last fetched here `fetch_interval` ago; re-parses the pipeline only when
  // its text changed. `log` hears each new problem once (an unreadable or invalid pipeline, a
  // bad cron entry), not every minute.
  bool Fires(const store::Project& project, std::chrono::sys_seconds minute,
             const std::function<void(const std::string&)>& log);

  // Forgets projects not in `live` (removed ones).
  void Retain(const std::vector<store::Project>& live);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point fetched{};
    bool ever_fetched = false;
    std::string pipeline_text;  // what `crons` were parsed from
    std::vector<triggers::CronSchedule> crons;
    std::string last_problem;  // reported once
  };
  void Refresh(const store::Project& project, Entry& entry,
               const std::function<void(const std::string&)>& log);

  std::filesystem::path data_dir_;
  std::chrono::steady_clock::duration fetch_interval_;
  std::map<int64_t, Entry> entries_;  // by project id; only the cron loop's thread uses it
};

}  // namespace slipway::server
