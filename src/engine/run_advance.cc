// Dispatcher::AdvanceRun: one stored run moved as far as it can go right now.
#include <map>
#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "engine/run_plan.h"

namespace slipway::engine {
namespace {

using store::JobStatus;

bool Waiting(JobStatus status) { return status == JobStatus::kWaiting; }

// Writes the run as decided. The store refuses a decision made from a stale copy
// (kFailedPrecondition: a cancel was requested since the run was read, or it finished): the
// next pass decides again from what is stored then, so that is not an error.
Status WriteRun(store::Store& store, const store::Run& run) {
  Status written = store.UpdateRun(run);
  return written.code() == StatusCode::kFailedPrecondition ? Status::Ok() : written;
}

// The outputs an attempt reported, as the job's outputs_json.
std::string ReportedOutputs(const store::Attempt& attempt) {
  auto doc = nlohmann::json::parse(attempt.report_json, nullptr, false);
  if (doc.is_object() && doc.contains("outputs") && doc["outputs"].is_object()) {
    return doc["outputs"].dump();
  }
  return "{}";
}

// Tracks which job rows changed, and the status each had when read, so only they are written
// back, and only if nobody (an agent leasing or finishing) changed them meanwhile.
class JobEdits {
 public:
  explicit JobEdits(std::vector<store::Job>& jobs) : jobs_(jobs) {}
  store::Job& Edit(size_t row) {
    expected_.emplace(row, jobs_[row].status);
    return jobs_[row];
  }
  std::vector<store::Store::JobUpdate> Changed() const {
    std::vector<store::Store::JobUpdate> changed;
    for (const auto& [row, status] : expected_) changed.push_back({status, jobs_[row]});
    return changed;
  }

 private:
  std::vector<store::Job>& jobs_;
  std::map<size_t, store::JobStatus> expected_;  // row → status when read
};

}  // namespace

Status Dispatcher::AdvanceRun(store::Run run, const std::vector<store::Run>& unfinished,
                              store::Time now, int* queued) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Job> jobs, store_->ListJobs(run.id));
  auto& plan = cache_->plans[run.id];
  if (plan == nullptr) {
    auto made = MakeRunPlan(run, jobs);
    if (!made.ok()) {
      run.status = store::RunStatus::kFailure;
      run.error = made.status().message();
      run.finished = now;
      return WriteRun(*store_, run);
    }
    plan = std::move(*made);
  }
  const spec::Pipeline& pipeline = plan->pipeline();

  bool run_changed = false;
  if (run.status == store::RunStatus::kQueued) {
    // Concurrency groups, as GitHub Actions: one run in progress and one pending per group.
    // A newer pending run replaces an older pending one; with cancel-in-progress it also asks
    // the run in progress to stop, then waits for it to finish.
    for (const auto& other : unfinished) {
      if (run.cancel_requested || other.id == run.id || run.concurrency_group.empty() ||
          other.concurrency_group != run.concurrency_group) {
        continue;
      }
      if (other.status == store::RunStatus::kQueued && other.id > run.id) {
        run.cancel_requested = true;
        run.error = "superseded by run #" + std::to_string(other.number) + " (concurrency group " +
                    run.concurrency_group + ")";
      } else if (other.status == store::RunStatus::kRunning) {
        if (pipeline.concurrency && pipeline.concurrency->cancel_in_progress &&
            !other.cancel_requested) {
          // Only the flag: `other` was read before this pass advanced it.
          SLIPWAY_RETURN_IF_ERROR(store_->RequestCancel(other.id).status());
        }
        return Status::Ok();  // waits for its turn
      }
    }
    if (run.cancel_requested) {
      // Never started: every job is cancelled, nothing ran.
      std::vector<store::Store::JobUpdate> updates;
      for (auto& job : jobs) {
        updates.push_back({job.status, job});
        updates.back().job.status = JobStatus::kCancelled;
        updates.back().job.reason = "the run was cancelled";
        updates.back().job.finished = now;
      }
      SLIPWAY_ASSIGN_OR_RETURN(int skipped, store_->UpdateJobsIf(updates));
      if (skipped > 0) return Status::Ok();  // decide again next pass
      run.status = store::RunStatus::kCancelled;
      run.finished = now;
      return WriteRun(*store_, run);
    }
    run.status = store::RunStatus::kRunning;
    run.started = now;
    run_changed = true;
  }

  std::vector<InstanceView> views;
  for (const auto& job : jobs) {
    auto outcome = FinalOutcome(job.status);
    views.push_back({plan->job_index_of[static_cast<size_t>(job.index)], outcome.has_value(),
                     outcome.value_or(Outcome::kSkipped)});
  }
  RunView view(pipeline, std::move(views));
  JobEdits edits(jobs);
  auto conclude = [&](size_t row, Outcome outcome, const std::string& reason) {
    store::Job& job = edits.Edit(row);
    job.status = StatusOf(outcome);
    job.reason = reason;
    job.finished = now;
    view.instance(row).done = true;
    view.instance(row).outcome = outcome;
  };

  // Cancellation: queued jobs are dropped, running ones are told to stop.
  if (run.cancel_requested) {
    for (size_t row = 0; row < jobs.size(); ++row) {
      if (jobs[row].status == JobStatus::kQueued) {
        conclude(row, Outcome::kCancelled, "the run was cancelled");
      } else if (jobs[row].status == JobStatus::kRunning && !jobs[row].cancel_requested) {
        edits.Edit(row).cancel_requested = true;
      }
    }
  }

  // Settle attempts that ended: a retry, or the job's result.
  for (size_t row = 0; row < jobs.size(); ++row) {
    if (jobs[row].status != JobStatus::kSettling) continue;
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Attempt> attempts,
                             store_->ListAttempts(jobs[row].id));
    if (attempts.empty())
      return Internal("job " + std::to_string(jobs[row].id) +
                      " settles "
                      "without an attempt");
    const store::Attempt& last = attempts.back();
    // A lost attempt's log gets no more bytes: followers must learn it is complete.
    if (last.lost) (void)store_->CloseLog(last.id);
    const Outcome outcome =
        last.lost ? Outcome::kInfra : runner::ParseOutcome(last.outcome).value_or(Outcome::kInfra);
    const std::string reason =
        last.lost ? "the agent stopped answering (its lease expired)" : last.reason;
    const spec::Job& spec_job = pipeline.jobs[plan->job_index_of[row]];
    const bool stopping = run.cancel_requested || jobs[row].cancel_requested;
    if (outcome != Outcome::kSuccess && !stopping && jobs[row].attempts <= spec_job.retry.max &&
        ShouldRetry(spec_job.retry, outcome, last.exit_code)) {
      store::Job& job = edits.Edit(row);
      job.status = JobStatus::kQueued;
      job.queued = now;
      ++*queued;
      continue;
    }
    conclude(row, outcome, outcome == Outcome::kSuccess ? "" : reason);
    if (outcome == Outcome::kSuccess) edits.Edit(row).outputs_json = ReportedOutputs(last);
    if (!IsFailed(outcome)) continue;
    for (size_t victim : FailFastVictims(view, row)) {
      const std::string why = "fail-fast: '" + jobs[row].instance_id + "' failed";
      if (jobs[victim].status == JobStatus::kRunning) {
        store::Job& job = edits.Edit(victim);
        job.cancel_requested = true;
        job.reason = why;
      } else if (Waiting(jobs[victim].status) || jobs[victim].status == JobStatus::kQueued) {
        conclude(victim, Outcome::kCancelled, why);
      }
    }
  }

  // Start, skip or cancel the jobs whose needs are done; repeat while decisions cascade.
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t row = 0; row < jobs.size(); ++row) {
      if (!Waiting(jobs[row].status)) continue;
      if (!view.NeedsDone(plan->job_index_of[row])) continue;
      const expr::Activation activation = ServerActivation(*plan, run, view, jobs, row);
      const StartDecision decision = DecideStart(view, row, activation, run.cancel_requested);
      if (decision.kind == StartDecision::Kind::kStart) {
        store::Job& job = edits.Edit(row);
        job.status = JobStatus::kQueued;
        job.queued = now;
        ++*queued;
        continue;
      }
      conclude(row,
               decision.kind == StartDecision::Kind::kSkip     ? Outcome::kSkipped
               : decision.kind == StartDecision::Kind::kCancel ? Outcome::kCancelled
                                                               : Outcome::kFailure,
               decision.reason);
      progress = true;
    }
  }

  // The run is over when every job is.
  bool all_done = true, any_failed = false;
  for (size_t row = 0; row < jobs.size(); ++row) {
    all_done = all_done && view.instance(row).done;
    const Outcome outcome = view.instance(row).outcome;
    any_failed = any_failed ||
                 (view.instance(row).done && (IsFailed(outcome) || outcome == Outcome::kCancelled));
  }
  if (all_done) {
    run.status = run.cancel_requested ? store::RunStatus::kCancelled
                 : any_failed         ? store::RunStatus::kFailure
                                      : store::RunStatus::kSuccess;
    run.finished = now;
    run_changed = true;
  }
  const auto changed = edits.Changed();
  int skipped = 0;
  if (!changed.empty()) {
    SLIPWAY_ASSIGN_OR_RETURN(skipped, store_->UpdateJobsIf(changed));
  }
  if (skipped > 0) {
    // An agent moved a job meanwhile; what was decided from the old state is void. Only the
    // run's start may stand (the next pass decides the rest again).
    if (all_done) return Status::Ok();
  }
  if (run_changed) SLIPWAY_RETURN_IF_ERROR(WriteRun(*store_, run));
  return Status::Ok();
}

}  // namespace slipway::engine
