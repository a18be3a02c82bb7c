#include "deploy/protection.h"

#include <algorithm>
#include <optional>

#include "triggers/triggers.h"
#include "util/glob.h"
#include "util/rfc3339.h"

namespace slipway::deploy {

namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

Status CheckProtection(const spec::Environment& environment, std::string_view branch,
                       std::chrono::system_clock::time_point now) {
  const spec::ProtectionSpec& protection = environment.protection;
  if (!protection.branches.empty()) {
    bool allowed = false;
    for (const std::string& pattern : protection.branches) {
      allowed = allowed || glob::Match(pattern, branch);
    }
    if (!allowed) {
      return FailedPrecondition("branch '" + std::string(branch) + "' may not deploy to " +
                                environment.name + " (allowed: " + Joined(protection.branches) +
                                ")");
    }
  }
  if (protection.windows.empty()) return Status::Ok();
  const auto minute = std::chrono::floor<std::chrono::minutes>(now);
  std::optional<std::chrono::sys_seconds> opens;
  std::vector<std::string> windows;
  for (const spec::DeployWindow& window : protection.windows) {
    windows.push_back("'" + window.cron + "' " + window.time_zone);
    Result<triggers::TimeZone> zone = triggers::TimeZone::Load(window.time_zone);
    if (!zone.ok()) {
      return FailedPrecondition("deploy window of " + environment.name + ": time zone " +
                                window.time_zone + ": " + zone.status().message());
    }
    Result<triggers::CronSchedule> cron = triggers::CronSchedule::Parse(window.cron);
    if (!cron.ok()) return cron.status();
    // The current minute matches when it is the first firing after the second before it.
    const std::chrono::sys_seconds start = minute;
    auto next = cron->NextAfter(start - std::chrono::seconds(1), zone.value());
    if (next && *next == start) return Status::Ok();
    next = cron->NextAfter(start, zone.value());
    if (next && (!opens || *next < *opens)) opens = *next;
  }
  return FailedPrecondition(environment.name + " is outside its deploy windows (" +
                            Joined(windows) + ")" +
                            (opens ? "; the next one opens at " + FormatRfc3339(*opens) : ""));
}

namespace {

bool SameRelease(const DeployRecord& record, const ReleaseIdentity& release) {
  if (!release.digest.empty()) return record.digest == release.digest;
  return record.digest.empty() && !release.run_id.empty() && record.run_id == release.run_id;
}

}  // namespace

Status CheckPromotion(const spec::Environment& environment, const std::string& project,
                      const ReleaseIdentity& release, EnvironmentLedger& ledger) {
  std::vector<std::string> missing;
  for (const std::string& earlier : environment.promote_from) {
    Result<std::vector<DeployRecord>> deploys = ledger.Deploys(project, earlier);
    if (!deploys.ok() && deploys.status().code() != StatusCode::kNotFound) {
      return deploys.status().WithContext("promotion from " + earlier);
    }
    const bool passed =
        deploys.ok() && std::any_of(deploys->begin(), deploys->end(), [&](const DeployRecord& r) {
          return r.outcome == "succeeded" && SameRelease(r, release);
        });
    if (!passed) missing.push_back(earlier);
  }
  if (missing.empty()) return Status::Ok();
  const std::string what = !release.digest.empty() ? "release " + release.digest
                                                   : "the artifact of run " + release.run_id;
  return FailedPrecondition(environment.name + " takes releases promoted from " +
                            Joined(environment.promote_from) + ", and " + what +
                            " has not been deployed successfully to " + Joined(missing) + " yet");
}

}  // namespace slipway::deploy
