#include "engine/dag_rules.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace slipway::engine {

RunView::RunView(const spec::Pipeline& pipeline, std::vector<InstanceView> instances)
    : pipeline_(pipeline),
      needs_(pipeline.jobs.size()),
      instances_of_(pipeline.jobs.size()),
      instances_(std::move(instances)) {
  // By name through a map: the server builds a view per run on every pass and lease, and a
  // scan of all jobs per need made that quadratic in the pipeline's size.
  std::unordered_map<std::string_view, size_t> index_of;
  for (size_t k = 0; k < pipeline.jobs.size(); ++k) index_of.emplace(pipeline.jobs[k].name, k);
  for (size_t j = 0; j < pipeline.jobs.size(); ++j) {
    for (const auto& need : pipeline.jobs[j].needs) {
      if (auto found = index_of.find(need); found != index_of.end()) {
        needs_[j].push_back(found->second);
      }
    }
  }
  for (size_t i = 0; i < instances_.size(); ++i) {
    instances_of_[instances_[i].job_index].push_back(i);
  }
}

bool RunView::NeedsDone(size_t job_index) const {
  for (size_t need : needs_[job_index]) {
    for (size_t i : instances_of_[need]) {
      if (!instances_[i].done) return false;
    }
  }
  return true;
}

Outcome RunView::JobOutcome(size_t job_index) const {
  bool any_success = false, any_cancelled = false;
  for (size_t i : instances_of_[job_index]) {
    const Outcome outcome = instances_[i].outcome;
    if (IsFailed(outcome)) return Outcome::kFailure;
    any_cancelled = any_cancelled || outcome == Outcome::kCancelled;
    any_success = any_success || outcome == Outcome::kSuccess;
  }
  if (any_cancelled) return Outcome::kCancelled;
  return any_success ? Outcome::kSuccess : Outcome::kSkipped;
}

bool RunView::AncestorFailed(size_t job_index) const {
  std::vector<size_t> stack = needs_[job_index];
  std::vector<bool> seen(needs_.size(), false);
  while (!stack.empty()) {
    const size_t job = stack.back();
    stack.pop_back();
    if (seen[job]) continue;
    seen[job] = true;
    if (JobOutcome(job) == Outcome::kFailure) return true;
    stack.insert(stack.end(), needs_[job].begin(), needs_[job].end());
  }
  return false;
}

bool IsFailed(Outcome outcome) {
  return outcome == Outcome::kFailure || outcome == Outcome::kTimedOut ||
         outcome == Outcome::kInfra;
}

StartDecision DecideStart(const RunView& run, size_t instance, const expr::Activation& activation,
                          bool run_cancelled) {
  const size_t job_index = run.instance(instance).job_index;
  std::string unsuccessful;
  for (size_t need : run.needs(job_index)) {
    if (run.JobOutcome(need) != Outcome::kSuccess) {
      unsuccessful = run.pipeline().jobs[need].name;
      break;
    }
  }
  runner::StatusView status{.success = unsuccessful.empty(),
                            .failed = run.AncestorFailed(job_index),
                            .cancelled = run_cancelled};
  auto holds = runner::EvaluateIf(run.pipeline().jobs[job_index].if_condition, activation, status);
  if (auto* error = std::get_if<expr::Error>(&holds)) {
    return {StartDecision::Kind::kFail, "if: " + error->message};
  }
  if (std::get<bool>(holds)) return {StartDecision::Kind::kStart, ""};
  if (run_cancelled) return {StartDecision::Kind::kCancel, "the run was cancelled"};
  if (!unsuccessful.empty()) {
    return {StartDecision::Kind::kSkip, "needs '" + unsuccessful + "' did not succeed"};
  }
  return {StartDecision::Kind::kSkip, "if: condition is false"};
}

bool ShouldRetry(const spec::RetryPolicy& policy, Outcome outcome, int exit_code) {
  spec::RetryReason reason;
  switch (outcome) {
    case Outcome::kFailure:
      reason = spec::RetryReason::kFailure;
      break;
    case Outcome::kTimedOut:
      reason = spec::RetryReason::kTimeout;
      break;
    case Outcome::kInfra:
      reason = spec::RetryReason::kInfra;
      break;
    default:
      return false;
  }
  if (std::find(policy.on.begin(), policy.on.end(), reason) == policy.on.end()) return false;
  if (reason == spec::RetryReason::kFailure && !policy.exit_codes.empty()) {
    return std::find(policy.exit_codes.begin(), policy.exit_codes.end(), exit_code) !=
           policy.exit_codes.end();
  }
  return true;
}

std::vector<size_t> FailFastVictims(const RunView& run, size_t failed) {
  const size_t job_index = run.instance(failed).job_index;
  const spec::Job& job = run.pipeline().jobs[job_index];
  std::vector<size_t> victims;
  if (!job.matrix || !job.matrix->fail_fast) return victims;
  for (size_t sibling : run.instances_of(job_index)) {
    if (sibling != failed && !run.instance(sibling).done) victims.push_back(sibling);
  }
  return victims;
}

expr::Value NeedsContext(
    const RunView& run, size_t job_index,
    const std::function<std::vector<std::pair<std::string, std::string>>(size_t)>& outputs_of) {
  expr::Value::Map needs;
  for (size_t need : run.needs(job_index)) {
    const spec::Job& job = run.pipeline().jobs[need];
    expr::Value::Map outputs;
    for (const auto& name : job.outputs) outputs.emplace(name, expr::Value(""));
    for (size_t i : run.instances_of(need)) {
      for (const auto& [name, value] : outputs_of(i)) {
        outputs.insert_or_assign(name, expr::Value(value));  // later matrix cells win
      }
    }
    expr::Value::Map entry;
    entry.emplace("result", expr::Value(runner::OutcomeName(run.JobOutcome(need))));
    entry.emplace("outputs", expr::Value(std::move(outputs)));
    needs.emplace(job.name, expr::Value(std::move(entry)));
  }
  return expr::Value(std::move(needs));
}

}  // namespace slipway::engine
