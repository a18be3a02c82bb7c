// `slipway logs PROJECT/NUMBER[/JOB] [-f]`: a job's log, or the run's own log and every job's
// in order; with -f, followed live over Server-Sent Events, resuming from the last byte
// received whenever the stream ends or breaks early, so that nothing is lost or printed twice.
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/client.h"
#include "util/base64.h"

namespace slipway::cli {
namespace {

// Largest range the server sends per request (its maximum).
constexpr int64_t kPage = int64_t{8} << 20;
// Reconnections in a row a follow makes while the stream gives nothing (a server restarting,
// a proxy), a second apart.
constexpr int kMaxReconnects = 60;
constexpr auto kReconnectDelay = std::chrono::seconds(1);
constexpr auto kRetryPoll = std::chrono::milliseconds(500);

bool IsFinalJob(const std::string& status) {
  return status == "success" || status == "failure" || status == "timed out" ||
         status == "infra error" || status == "cancelled" || status == "skipped";
}

// Where log text goes: raw to stdout, or (--json) one JSON object per chunk and line:
// {"job", "attempt", "offset" (after the chunk), "text"}.
class LogOutput {
 public:
  explicit LogOutput(bool json) : json_(json) {}

  void Header(const std::string& text) {
    if (json_) return;
    if (!first_header_) std::fputs("\n", stdout);
    first_header_ = false;
    std::printf("==> %s <==\n", text.c_str());
    std::fflush(stdout);
  }
  void Text(const std::string& job, int attempt, int64_t offset, std::string_view text) {
    if (json_) {
      const Json line = {{"job", job}, {"attempt", attempt}, {"offset", offset}, {"text", text}};
      std::fputs((line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n").c_str(),
                 stdout);
    } else {
      std::fwrite(text.data(), 1, text.size(), stdout);
      ends_with_newline_ = text.empty() ? ends_with_newline_ : text.back() == '\n';
    }
    std::fflush(stdout);
  }
  // Ends a log that did not end with a newline, so the next header starts a line.
  void EndOfLog() {
    if (!json_ && !ends_with_newline_) std::fputs("\n", stdout);
    ends_with_newline_ = true;
  }

 private:
  const bool json_;
  bool first_header_ = true;
  bool ends_with_newline_ = true;
};

std::string LogPath(const RunRef& ref, const std::string& job) {
  return RunPath(ref) + "/jobs/" + PathSegment(job) + "/logs";
}

// The whole log of one attempt (0: the latest) as it is now, page by page.
Status PrintLog(Api& api, const RunRef& ref, const std::string& job, int attempt, LogOutput& out) {
  int64_t offset = 0;
  while (true) {
    std::string path =
        LogPath(ref, job) + "?offset=" + std::to_string(offset) + "&limit=" + std::to_string(kPage);
    if (attempt > 0) path += "&attempt=" + std::to_string(attempt);
    SLIPWAY_ASSIGN_OR_RETURN(http::ClientResponse page, api.Text(path));
    const auto size_header = page.headers.Get("X-Log-Size");
    const auto attempt_header = page.headers.Get("X-Log-Attempt");
    const int64_t size = size_header ? std::atoll(std::string(*size_header).c_str()) : 0;
    const int shown = attempt_header ? std::atoi(std::string(*attempt_header).c_str()) : attempt;
    offset += static_cast<int64_t>(page.body.size());
    if (!page.body.empty()) out.Text(job, shown, offset, page.body);
    if (page.body.empty() || offset >= size) break;
  }
  out.EndOfLog();
  return Status::Ok();
}

// The bytes of one follow event: "log" carries text, "log-base64" (a chunk with a carriage
// return, which SSE cannot carry) the exact bytes in base64.
Result<std::string> EventBytes(const http::SseEvent& event) {
  if (event.event == "log") return event.data;
  if (auto bytes = Base64Decode(event.data)) return std::move(*bytes);
  return Internal("the server sent a log-base64 event that is not base64");
}

// Follows attempt `attempt` of `job` to the end of its log. Each event's id is the byte offset
// after its chunk, so when the stream ends or breaks before the log does (a server restarting),
// the client resumes after the last byte printed: every byte is printed once, in order.
Status FollowAttempt(Api& api, const RunRef& ref, const std::string& job, int attempt,
                     LogOutput& out) {
  const std::string path = LogPath(ref, job) + "?follow=1&attempt=" + std::to_string(attempt);
  http::SseOptions options;
  options.max_reconnects = kMaxReconnects;
  options.reconnect_delay = kReconnectDelay;
  int64_t offset = 0;  // after the last byte printed
  bool ended = false;
  Status error;
  Status streamed = api.Stream(path, options, [&](const http::SseEvent& event) {
    if (event.event == "log" || event.event == "log-base64") {
      auto bytes = EventBytes(event);
      if (!bytes.ok()) {
        error = bytes.status();
        return false;
      }
      // The chunk must end where its id says: a mismatch would mean a gap or a repeat.
      const int64_t end = offset + static_cast<int64_t>(bytes->size());
      if (event.id != std::to_string(end)) {
        error = Internal("the log stream of " + job + " sent bytes " + std::to_string(offset) +
                         "-" + std::to_string(end) + " with id '" + event.id + "'");
        return false;
      }
      offset = end;
      out.Text(job, attempt, offset, *bytes);
      return true;
    }
    if (event.event == "end") {
      ended = true;
      return false;
    }
    if (event.event == "error") {
      const Json doc = Json::parse(event.data, nullptr, /*allow_exceptions=*/false);
      StatusCode code = StatusCode::kUnavailable;
      if (auto c = http::ErrorCodeToStatusCode(Field(doc, "code"))) code = *c;
      const std::string message = Field(doc, "message");
      error = Status(
          code, "following the log of " + job + ": " + (message.empty() ? event.data : message));
      return false;
    }
    return true;  // unknown events are for newer clients
  });
  if (!error.ok()) return error;
  if (!streamed.ok()) return streamed;
  if (!ended) {
    return Unavailable("the log stream of " + job + " kept closing before the log ended");
  }
  out.EndOfLog();
  return Status::Ok();
}

// The run's own log (GET …/runs/N/logs: why it failed outside its jobs, e.g. the pipeline
// file's errors with file:line:col), under a header of its own; nothing when it is empty.
Status PrintRunLog(Api& api, const RunRef& ref, LogOutput& out) {
  SLIPWAY_ASSIGN_OR_RETURN(http::ClientResponse log, api.Text(RunPath(ref) + "/logs"));
  if (log.body.empty()) return Status::Ok();
  out.Header("run " + ref.project + "/" + std::to_string(ref.number));
  out.Text("", 0, static_cast<int64_t>(log.body.size()), log.body);
  out.EndOfLog();
  return Status::Ok();
}

// Run `ref`'s detail. When following, a run that has no jobs yet (its pipeline is still being
// planned) is polled until it has some or finishes, and a server that cannot be reached (it is
// restarting) is asked again as long as a log stream would wait for it.
Result<Json> GetRun(Api& api, const RunRef& ref, bool follow) {
  int unreachable = 0;
  while (true) {
    auto run = api.Get(RunPath(ref));
    if (!run.ok()) {
      if (!follow || run.status().code() != StatusCode::kUnavailable ||
          ++unreachable > kMaxReconnects) {
        return run.status();
      }
      std::this_thread::sleep_for(kReconnectDelay);
      continue;
    }
    unreachable = 0;
    const std::string status = Field(*run, "status");
    const bool finished = status == "success" || status == "failure" || status == "cancelled";
    if (!follow || finished || !run->value("jobs", Json::array()).empty()) return std::move(*run);
    std::this_thread::sleep_for(kRetryPoll);
  }
}

// The job `instance` of the run now (following), or a null JSON when the run has no such job.
Result<Json> FindJob(Api& api, const RunRef& ref, const std::string& instance) {
  SLIPWAY_ASSIGN_OR_RETURN(Json run, GetRun(api, ref, /*follow=*/true));
  for (const Json& job : run.value("jobs", Json::array())) {
    if (Field(job, "instance") == instance) return job;
  }
  return Json(nullptr);
}

// Follows `job`'s log; without a chosen attempt, retries too, each under a header.
Status FollowJob(Api& api, const RunRef& ref, Json job, int chosen_attempt, LogOutput& out) {
  const std::string instance = Field(job, "instance");
  int attempt = chosen_attempt > 0 ? chosen_attempt : std::max(1, job.value("attempts", 0));
  while (true) {
    SLIPWAY_RETURN_IF_ERROR(FollowAttempt(api, ref, instance, attempt, out));
    if (chosen_attempt > 0) return Status::Ok();
    // A retry may follow: wait until the job is final or its next attempt exists.
    while (true) {
      SLIPWAY_ASSIGN_OR_RETURN(job, FindJob(api, ref, instance));
      if (job.is_null()) return Status::Ok();
      if (job.value("attempts", 0) > attempt) break;
      if (IsFinalJob(Field(job, "status"))) return Status::Ok();
      std::this_thread::sleep_for(kRetryPoll);
    }
    ++attempt;
    out.Header(instance + " (attempt " + std::to_string(attempt) + ")");
  }
}

}  // namespace

int LogsCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  bool follow = false;
  int attempt = 0;
  FlagSet set("slipway logs", "PROJECT/NUMBER[/JOB] [flags]",
              "Prints a job's log, or the run's own log (why it failed outside its jobs, e.g.\n"
              "the pipeline file's errors) and every job's log in order with a header each.\n"
              "With -f, follows the logs until the jobs end (retries included), riding out\n"
              "server restarts. JOB is the job's instance name as 'slipway runs show' lists it,\n"
              "e.g. 'build (linux)' for a matrix cell. --json prints one JSON object per chunk:\n"
              "{job, attempt, offset, text} (the run's own log has job \"\" and attempt 0).");
  AddClientFlags(set, &flags);
  set.Bool("follow", 'f', &follow, "follow the log as it grows until the job ends");
  set.Int("attempt", 0, &attempt, "N", "the attempt's log (default: the latest)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto ref = ParseRunRef(positionals[0], /*allow_job=*/true);
  if (!ref.ok()) return UsageError(ref.status());
  if (attempt < 0) return UsageError(InvalidArgument("--attempt must be 1 or more"));
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  LogOutput out(flags.json);

  if (!ref->job.empty()) {
    if (!follow) {
      Status printed = PrintLog(**api, *ref, ref->job, attempt, out);
      return printed.ok() ? 0 : Fail(printed);
    }
    auto job = FindJob(**api, *ref, ref->job);
    if (!job.ok()) return Fail(job.status());
    if (job->is_null()) {
      // The server's answer names the jobs the run has.
      Status missing = PrintLog(**api, *ref, ref->job, attempt, out);
      return Fail(missing.ok() ? NotFound("no job '" + ref->job + "'") : missing);
    }
    Status followed = FollowJob(**api, *ref, *job, attempt, out);
    return followed.ok() ? 0 : Fail(followed);
  }

  auto run = GetRun(**api, *ref, follow);
  if (!run.ok()) return Fail(run.status());
  if (Status printed = PrintRunLog(**api, *ref, out); !printed.ok()) return Fail(printed);
  for (const Json& job : run->value("jobs", Json::array())) {
    const std::string instance = Field(job, "instance");
    if (!follow && job.value("attempts", 0) == 0) {
      out.Header(instance + " (" + Field(job, "status") + ", no log)");
      continue;
    }
    out.Header(follow ? instance : instance + " (" + Field(job, "status") + ")");
    Status status = follow ? FollowJob(**api, *ref, job, attempt, out)
                           : PrintLog(**api, *ref, instance, attempt, out);
    if (!status.ok()) return Fail(status);
  }
  return 0;
}

}  // namespace slipway::cli
