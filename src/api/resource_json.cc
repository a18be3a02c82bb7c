// Response shapes of docs/api.md: projects, runs, jobs, times and enum spellings.
#include <cstdio>
#include <ctime>

#include "api/json_io.h"
#include "triggers/triggers.h"

namespace slipway::api {

std::string FormatTime(store::Time time) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const auto seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int millis = static_cast<int>(ms - static_cast<int64_t>(seconds) * 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return text;
}

Json TimeOrNull(const std::optional<store::Time>& time) {
  return time ? Json(FormatTime(*time)) : Json(nullptr);
}

std::string Dump(const Json& doc) {
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

http::Response JsonResponse(int status, const Json& doc) {
  return http::Response::Json(status, Dump(doc));
}

const char* RunStatusName(store::RunStatus status) {
  switch (status) {
    case store::RunStatus::kQueued:
      return "queued";
    case store::RunStatus::kRunning:
      return "running";
    case store::RunStatus::kSuccess:
      return "success";
    case store::RunStatus::kFailure:
      return "failure";
    case store::RunStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<store::RunStatus> ParseRunStatus(std::string_view name) {
  for (auto status :
       {store::RunStatus::kQueued, store::RunStatus::kRunning, store::RunStatus::kSuccess,
        store::RunStatus::kFailure, store::RunStatus::kCancelled}) {
    if (name == RunStatusName(status)) return status;
  }
  return std::nullopt;
}

const char* JobStatusName(store::JobStatus status) {
  switch (status) {
    case store::JobStatus::kWaiting:
      return "waiting";
    case store::JobStatus::kQueued:
      return "queued";
    case store::JobStatus::kRunning:
      return "running";
    case store::JobStatus::kSettling:
      return "settling";
    case store::JobStatus::kSuccess:
      return "success";
    case store::JobStatus::kFailure:
      return "failure";
    case store::JobStatus::kTimedOut:
      return "timed out";
    case store::JobStatus::kInfra:
      return "infra error";
    case store::JobStatus::kCancelled:
      return "cancelled";
    case store::JobStatus::kSkipped:
      return "skipped";
  }
  return "unknown";
}

const char* TokenKindName(store::TokenKind kind) {
  switch (kind) {
    case store::TokenKind::kUser:
      return "user";
    case store::TokenKind::kAgent:
      return "agent";
    case store::TokenKind::kRegistration:
      return "registration";
  }
  return "unknown";
}

std::optional<store::TokenKind> ParseTokenKind(std::string_view name) {
  for (auto kind :
       {store::TokenKind::kUser, store::TokenKind::kAgent, store::TokenKind::kRegistration}) {
    if (name == TokenKindName(kind)) return kind;
  }
  return std::nullopt;
}

Json StoredJson(const std::string& text, Json fallback) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || doc.type() != fallback.type()) return fallback;
  return doc;
}

Json ProjectJson(const store::Project& project) {
  // The repository URL may carry credentials ("https://user:token@host/repo"): viewers see it
  // without them. The webhook secret is never shown.
  return {{"name", project.name},
          {"repo", triggers::RedactUrl(project.repo)},
          {"branch", project.default_branch},
          {"pipeline_file", project.pipeline_file},
          {"poll_interval_seconds", project.poll_interval_seconds},
          {"created", FormatTime(project.created)}};
}

Json RunSummaryJson(const store::Run& run, std::string_view project) {
  return {{"project", project},
          {"number", run.number},
          {"id", run.id},
          {"status", RunStatusName(run.status)},
          {"trigger", run.trigger},
          {"event", run.event},
          {"ref", run.ref},
          {"branch", run.branch},
          {"commit", run.commit},
          {"created_by", run.created_by},
          {"cancel_requested", run.cancel_requested},
          {"created", FormatTime(run.created)},
          {"started", TimeOrNull(run.started)},
          {"finished", TimeOrNull(run.finished)}};
}

Json JobJson(const store::Job& job) {
  return {{"id", job.id},
          {"instance", job.instance_id},
          {"job", job.job_name},
          {"matrix", StoredJson(job.matrix_json, Json::object())},
          {"status", JobStatusName(job.status)},
          {"reason", job.reason},
          {"attempts", job.attempts},
          {"outputs", StoredJson(job.outputs_json, Json::object())},
          {"created", FormatTime(job.created)},
          {"queued", TimeOrNull(job.queued)},
          {"started", TimeOrNull(job.started)},
          {"finished", TimeOrNull(job.finished)},
          {"runs_on", StoredJson(job.runs_on_json, Json::array())}};
}

}  // namespace slipway::api
