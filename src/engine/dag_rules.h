// The rules of a pipeline run, shared by `slipway run` (PipelineRun, in memory) and the
// server's dispatcher (persistent): when a job instance may start, is skipped or cancelled,
// what its job's result is as `needs.X.result`, whether a failed attempt is retried, and
// which siblings matrix fail-fast cancels. Pure functions over a small view of the run, so
// both callers decide the same way. Private to the engine.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "expr/expr.h"
#include "runner/runner.h"
#include "spec/spec.h"

namespace slipway::engine {

using runner::Outcome;

// One job instance as the rules see it.
struct InstanceView {
  size_t job_index = 0;                 // into pipeline.jobs
  bool done = false;                    // has a final outcome
  Outcome outcome = Outcome::kSkipped;  // meaningful when done
};

// A run: the pipeline, which jobs each job needs (by index) and every instance's state.
class RunView {
 public:
  RunView(const spec::Pipeline& pipeline, std::vector<InstanceView> instances);

  const spec::Pipeline& pipeline() const { return pipeline_; }
  const std::vector<size_t>& needs(size_t job_index) const { return needs_[job_index]; }
  const std::vector<size_t>& instances_of(size_t job_index) const {
    return instances_of_[job_index];
  }
  InstanceView& instance(size_t i) { return instances_[i]; }
  const InstanceView& instance(size_t i) const { return instances_[i]; }
  size_t size() const { return instances_.size(); }

  // Every instance of every job that `job_index` needs is done.
  bool NeedsDone(size_t job_index) const;

  // A job's result as dependents see it (needs.X.result): failure if any instance failed,
  // timed out or hit an infra error; else cancelled if any was cancelled; else success if any
  // succeeded; else skipped (also when the job has no instance in this run).
  Outcome JobOutcome(size_t job_index) const;

  // failure() in a job's `if:`: some job it needs, directly or not, failed.
  bool AncestorFailed(size_t job_index) const;

 private:
  const spec::Pipeline& pipeline_;
  std::vector<std::vector<size_t>> needs_;
  std::vector<std::vector<size_t>> instances_of_;
  std::vector<InstanceView> instances_;
};

// What to do with an instance whose needs are done.
struct StartDecision {
  enum class Kind { kStart, kSkip, kCancel, kFail };
  Kind kind = Kind::kStart;
  std::string reason;  // for skip, cancel and fail
};

// Evaluates the instance's `if:` against `activation` with the status functions the run's
// state implies. `run_cancelled`: the run was cancelled; then an instance whose `if:` does not
// hold is cancelled rather than skipped, and clean-up jobs (always(), cancelled()) start.
StartDecision DecideStart(const RunView& run, size_t instance, const expr::Activation& activation,
                          bool run_cancelled);

// Whether an attempt that ended so is retried under `policy` (attempts left aside).
bool ShouldRetry(const spec::RetryPolicy& policy, Outcome outcome, int exit_code);

// A failed outcome: failure, timed out or infra error.
bool IsFailed(Outcome outcome);

// The instances matrix fail-fast stops because `failed` failed: its siblings that are not
// done, when its job has a matrix with fail-fast on. Empty otherwise.
std::vector<size_t> FailFastVictims(const RunView& run, size_t failed);

// The `needs` context for an instance's expressions: {job: {result, outputs}} for each job it
// needs. `outputs_of(i)` gives instance i's outputs; declared outputs nobody wrote read as "".
expr::Value NeedsContext(
    const RunView& run, size_t job_index,
    const std::function<std::vector<std::pair<std::string, std::string>>(size_t)>& outputs_of);

}  // namespace slipway::engine
