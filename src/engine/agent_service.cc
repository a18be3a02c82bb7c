// The agent-facing side of the server: leases, heartbeats, log chunks, results.
#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "engine/run_plan.h"

namespace slipway::engine {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

// How often a long-poll looks at the queue even without a wake-up: other servers sharing a
// PostgreSQL database queue jobs this process does not hear about.
constexpr std::chrono::milliseconds kRecheck{1000};

}  // namespace

void WorkSignal::Notify() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  changed_.notify_all();
}

uint64_t WorkSignal::Wait(uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return generation_ != seen; });
  return generation_;
}

uint64_t WorkSignal::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

AgentService::AgentService(store::Store* store, WorkSignal* work, AgentServiceOptions options)
    : store_(store), work_(work), options_(options), plans_(options.plan_cache_runs) {}

Result<std::optional<JobAssignment>> AgentService::Lease(int64_t agent_id,
                                                         const std::vector<std::string>& labels,
                                                         std::chrono::milliseconds wait,
                                                         const std::string& required_label) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  uint64_t seen = work_->generation();
  while (true) {
    store::LeaseRequest request;
    request.agent_id = agent_id;
    request.labels = labels;
    request.required_label = required_label;
    request.lease = options_.lease;
    request.now = Clock::now();
    SLIPWAY_ASSIGN_OR_RETURN(std::optional<store::Lease> lease, store_->LeaseJob(request));
    if (lease) {
      SLIPWAY_ASSIGN_OR_RETURN(store::Project project,
                               store_->GetProjectById(lease->run.project_id));
      JobAssignment assignment;
      assignment.attempt_id = lease->attempt.id;
      assignment.lease_token = lease->attempt.lease_token;
      assignment.lease_ms = options_.lease.count();
      assignment.attempt = lease->attempt.number;
      assignment.run_id = lease->run.id;
      assignment.run_number = lease->run.number;
      assignment.job_id = lease->job.id;
      assignment.project = project.name;
      assignment.repo = project.repo;
      assignment.pipeline_file = project.pipeline_file;
      assignment.pipeline_yaml = lease->run.pipeline_yaml;
      assignment.instance_id = lease->job.instance_id;
      assignment.branch = lease->run.branch;
      assignment.event = lease->run.event;
      assignment.ref = lease->run.ref;
      assignment.commit = lease->run.commit;
      assignment.inputs_json = lease->run.inputs_json;
      SLIPWAY_ASSIGN_OR_RETURN(assignment.needs_json, NeedsJson(lease->run, lease->job));
      SLIPWAY_ASSIGN_OR_RETURN(assignment.artifacts, NeedsArtifacts(lease->run, lease->job));
      return std::optional<JobAssignment>(std::move(assignment));
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::optional<JobAssignment>();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    seen = work_->Wait(seen, std::min(left, kRecheck));
  }
}

Status AgentService::CheckLease(int64_t attempt_id, std::string_view lease_token,
                                store::Attempt* attempt) {
  SLIPWAY_ASSIGN_OR_RETURN(*attempt, store_->GetAttempt(attempt_id));
  if (attempt->lease_token != lease_token || attempt->finished || attempt->lost) {
    return FailedPrecondition("attempt " + std::to_string(attempt_id) +
                              " is no longer leased to this agent");
  }
  return Status::Ok();
}

Result<AgentService::HeartbeatReply> AgentService::Heartbeat(int64_t attempt_id,
                                                             std::string_view lease_token) {
  const auto now = Clock::now();
  SLIPWAY_RETURN_IF_ERROR(store_->RenewLease(attempt_id, lease_token, now + options_.lease, now));
  store::Attempt attempt;
  SLIPWAY_RETURN_IF_ERROR(CheckLease(attempt_id, lease_token, &attempt));
  SLIPWAY_ASSIGN_OR_RETURN(store::Job job, store_->GetJob(attempt.job_id));
  SLIPWAY_ASSIGN_OR_RETURN(store::Run run, store_->GetRun(attempt.run_id));
  return HeartbeatReply{.cancel = job.cancel_requested || run.cancel_requested};
}

Status AgentService::AppendLog(int64_t attempt_id, std::string_view lease_token, int64_t offset,
                               std::string_view data) {
  store::Attempt attempt;
  SLIPWAY_RETURN_IF_ERROR(CheckLease(attempt_id, lease_token, &attempt));
  if (options_.scrubber != nullptr) return options_.scrubber->Append(attempt_id, offset, data);
  return store_->AppendLog(attempt_id, offset, data);
}

Status AgentService::Finish(int64_t attempt_id, std::string_view lease_token,
                            const runner::AttemptReport& report) {
  store::AttemptResult result;
  result.outcome = runner::OutcomeName(report.outcome);
  result.exit_code = report.exit_code;
  result.reason = report.reason;
  result.report_json = runner::AttemptReportToJson(report);
  json outputs = json::object();
  for (const auto& [name, value] : report.outputs) outputs[name] = value;
  result.outputs_json = outputs.dump(-1, ' ', false, json::error_handler_t::replace);
  result.ended = Clock::now();
  if (report.outcome == Outcome::kSuccess && options_.publisher != nullptr) {
    // Published before the attempt is recorded: a job that needs this one finds the artifact,
    // and a failure to publish fails the attempt.
    store::Attempt attempt;
    SLIPWAY_RETURN_IF_ERROR(CheckLease(attempt_id, lease_token, &attempt));
    auto published = PublishArtifacts(attempt, result.ended);
    json report_doc = json::parse(result.report_json, nullptr, false);
    std::string log;
    if (!published.ok()) {
      result.outcome = runner::OutcomeName(Outcome::kFailure);
      result.reason = published.status().message();
      log = "slipway: " + published.status().message() + "\n";
    } else if (!published->empty() && report_doc.is_object()) {
      report_doc["published"] = *published;
      result.report_json = report_doc.dump(-1, ' ', false, json::error_handler_t::replace);
      for (const std::string& reference : *published) {
        log += "slipway: published " + reference + " with signed provenance and an SBOM\n";
      }
    }
    // Best effort: the log says what was published, after the agent's last line.
    if (!log.empty()) (void)store_->AppendLogNote(attempt_id, log);
  }
  SLIPWAY_RETURN_IF_ERROR(store_->FinishAttempt(attempt_id, lease_token, result));
  (void)store_->CloseLog(attempt_id);  // followers learn the log is complete; best effort
  if (options_.scrubber != nullptr) options_.scrubber->Forget(attempt_id);
  if (options_.finished != nullptr) options_.finished->Notify();
  return Status::Ok();
}

}  // namespace slipway::engine
