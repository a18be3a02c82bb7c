// GET …/runs/{number}/jobs/{instance}/logs: a byte range of one attempt's log, or (follow=1)
// Server-Sent Events from an offset to the end of the log (log_follow.h).
// GET …/runs/{number}/logs: the run's own log, what happened to it outside its jobs.
#include <algorithm>
#include <charconv>

#include "api/handlers.h"

namespace slipway::api {
namespace {

constexpr int64_t kDefaultRange = int64_t{1} << 20;
constexpr int64_t kMaxRange = int64_t{8} << 20;

struct JobAndAttempts {
  store::Job job;
  std::vector<store::Attempt> attempts;  // by number
  std::string name;                      // "job 'test (linux)' of run hello/12", for messages
};

Result<JobAndAttempts> FindJob(ApiState& state, const http::Request& request) {
  SLIPWAY_ASSIGN_OR_RETURN(store::Project project, ProjectOf(state, request));
  SLIPWAY_ASSIGN_OR_RETURN(store::Run run, RunOf(state, request, project));
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Job> jobs, state.store->ListJobs(run.id));
  const std::string run_name = "run " + project.name + "/" + std::to_string(run.number);
  const std::string_view instance = request.Param("instance");
  for (store::Job& job : jobs) {
    if (job.instance_id != instance) continue;
    JobAndAttempts found{.job = std::move(job), .attempts = {}, .name = ""};
    found.name = "job '" + found.job.instance_id + "' of " + run_name;
    SLIPWAY_ASSIGN_OR_RETURN(found.attempts, state.store->ListAttempts(found.job.id));
    std::sort(found.attempts.begin(), found.attempts.end(),
              [](const auto& a, const auto& b) { return a.number < b.number; });
    return found;
  }
  std::string known;
  for (const store::Job& job : jobs) known += (known.empty() ? "'" : ", '") + job.instance_id + "'";
  if (known.empty() && !run.error.empty()) {
    return NotFound(run_name + " has no jobs: it failed before any job could run; its own log " +
                    "says why (GET /api/v1/projects/" + project.name + "/runs/" +
                    std::to_string(run.number) + "/logs)");
  }
  return NotFound(run_name + " has no job '" + std::string(instance) + "'" +
                  (known.empty() ? "" : " (its jobs: " + known + ")"));
}

// The run's own log: why it failed or stopped outside its jobs, as the run's `error` holds it
// (a pipeline file that does not validate: one "file:line:col: message" line per problem;
// a run superseded in its concurrency group), ending with a newline; empty otherwise.
std::string RunLogText(const store::Run& run) {
  std::string text = run.error;
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

http::Response TextRange(std::string text, int64_t offset, int64_t limit, bool complete) {
  const int64_t size = static_cast<int64_t>(text.size());
  std::string body =
      text.substr(static_cast<size_t>(offset), static_cast<size_t>(std::min(limit, size - offset)));
  http::Response response = http::Response::Text(200, std::move(body), "text/plain; charset=utf-8");
  response.headers.Set("X-Log-Offset", std::to_string(offset));
  response.headers.Set("X-Log-Size", std::to_string(size));
  response.headers.Set("X-Log-Complete", complete ? "true" : "false");
  return response;
}

// Where a follow starts: Last-Event-ID (a reconnecting EventSource), else ?offset=, else 0.
Result<int64_t> FollowOffset(const http::Request& request) {
  if (auto last = request.LastEventId(); last && !last->empty()) {
    int64_t offset = -1;
    auto [end, ec] = std::from_chars(last->data(), last->data() + last->size(), offset);
    if (ec != std::errc() || end != last->data() + last->size() || offset < 0) {
      return InvalidArgument("Last-Event-ID must be a byte offset (the id of the last event)");
    }
    return offset;
  }
  SLIPWAY_ASSIGN_OR_RETURN(auto offset, QueryInt(request, "offset", 0, INT64_MAX));
  return offset.value_or(0);
}

http::Response Follow(ApiState& state, const JobAndAttempts& found, std::optional<int64_t> number,
                      const http::Request& request) {
  auto offset = FollowOffset(request);
  if (!offset.ok()) return http::Response::FromStatus(offset.status());
  // Without ?attempt=, the latest attempt now (the first, when none has started yet).
  FollowRequest follow{.job_id = found.job.id,
                       .attempt = static_cast<int>(number.value_or(
                           found.attempts.empty() ? 1 : found.attempts.back().number)),
                       .offset = *offset};
  for (const store::Attempt& attempt : found.attempts) {
    if (attempt.number != follow.attempt) continue;
    // Refuse an offset past the end now, with a status code, rather than inside the stream.
    auto slice = state.store->ReadLog(attempt.id, follow.offset, 0);
    if (!slice.ok()) return http::Response::FromStatus(slice.status());
  }
  if (follow.offset > 0 &&
      (found.attempts.empty() || found.attempts.back().number < follow.attempt)) {
    return http::Response::FromStatus(InvalidArgument(
        "offset " + std::to_string(follow.offset) + " is past the end of the log (attempt " +
        std::to_string(follow.attempt) + " has not started)"));
  }
  if (!state.followers.HasRoom()) {
    return http::Response::FromStatus(
        Unavailable("too many log followers at once; try again later"));
  }
  http::Response response =
      http::Response::Sse([&state, follow](std::shared_ptr<http::StreamWriter> writer) {
        state.followers.Start(follow, std::move(writer));
      });
  response.headers.Set("X-Log-Attempt", std::to_string(follow.attempt));
  return response;
}

}  // namespace

http::Response GetLog(ApiState& state, http::Request& request) {
  auto number = QueryInt(request, "attempt", 1, 1000000);
  if (!number.ok()) return http::Response::FromStatus(number.status());
  auto found = FindJob(state, request);
  if (!found.ok()) return http::Response::FromStatus(found.status());
  const auto follow = request.Query("follow");
  if (follow && (*follow == "1" || *follow == "true")) {
    return Follow(state, *found, *number, request);
  }

  if (found->attempts.empty()) {
    return http::Response::FromStatus(NotFound(found->name + " has not started (it is " +
                                               JobStatusName(found->job.status) + ")"));
  }
  const store::Attempt* attempt = &found->attempts.back();
  if (*number) {
    attempt = nullptr;
    for (const store::Attempt& candidate : found->attempts) {
      if (candidate.number == **number) attempt = &candidate;
    }
    if (attempt == nullptr) {
      return http::Response::FromStatus(
          NotFound(found->name + " has no attempt " + std::to_string(**number) + " (it has " +
                   std::to_string(found->attempts.back().number) + ")"));
    }
  }
  auto offset = QueryInt(request, "offset", 0, INT64_MAX);
  if (!offset.ok()) return http::Response::FromStatus(offset.status());
  auto limit = QueryInt(request, "limit", 0, kMaxRange);
  if (!limit.ok()) return http::Response::FromStatus(limit.status());
  // The attempt's state was read before the log: once it has ended, the log has every byte.
  const bool ended = attempt->finished || attempt->lost;
  auto slice =
      state.store->ReadLog(attempt->id, offset->value_or(0), limit->value_or(kDefaultRange));
  if (!slice.ok()) return http::Response::FromStatus(slice.status());
  http::Response response =
      http::Response::Text(200, std::move(slice->data), "text/plain; charset=utf-8");
  response.headers.Set("X-Log-Attempt", std::to_string(attempt->number));
  response.headers.Set("X-Log-Offset", std::to_string(slice->offset));
  response.headers.Set("X-Log-Size", std::to_string(slice->size));
  response.headers.Set("X-Log-Complete", slice->complete || ended ? "true" : "false");
  return response;
}

http::Response GetRunLog(ApiState& state, http::Request& request) {
  if (request.Query("follow")) {
    return http::Response::FromStatus(InvalidArgument(
        "a run's own log cannot be followed (it is written when the run fails or stops outside "
        "its jobs); follow a job's log: …/jobs/{instance}/logs?follow=1"));
  }
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  auto run = RunOf(state, request, *project);
  if (!run.ok()) return http::Response::FromStatus(run.status());
  auto offset = QueryInt(request, "offset", 0, INT64_MAX);
  if (!offset.ok()) return http::Response::FromStatus(offset.status());
  auto limit = QueryInt(request, "limit", 0, kMaxRange);
  if (!limit.ok()) return http::Response::FromStatus(limit.status());
  std::string text = RunLogText(*run);
  if (offset->value_or(0) > static_cast<int64_t>(text.size())) {
    return http::Response::FromStatus(InvalidArgument("offset " + std::to_string(**offset) +
                                                      " is past the end of the log (" +
                                                      std::to_string(text.size()) + " bytes)"));
  }
  const bool finished = run->status == store::RunStatus::kSuccess ||
                        run->status == store::RunStatus::kFailure ||
                        run->status == store::RunStatus::kCancelled;
  return TextRange(std::move(text), offset->value_or(0), limit->value_or(kDefaultRange), finished);
}

}  // namespace slipway::api
