// Rollout: the frame every strategy runs in (records, abort, rollback).
#include <thread>

#include "deploy/rollout_state.h"

namespace slipway::deploy {

Rollout::Rollout(RolloutOptions options, std::optional<RevisionSpec> stable, RevisionSpec next,
                 StrategyPlan plan)
    : state_(std::make_unique<RolloutState>()) {
  state_->options = std::move(options);
  state_->stable = std::move(stable);
  state_->next = std::move(next);
  state_->plan = std::move(plan);
}

Rollout::~Rollout() = default;

namespace {

Status RunStrategy(RolloutState& state) {
  if (state.options.target == nullptr) return InvalidArgument("a rollout needs a target");
  const bool needs_router = state.plan.kind != StrategyPlan::Kind::kRolling;
  if (needs_router && state.options.router == nullptr) {
    return InvalidArgument("canary and blue-green rollouts need a router");
  }
  if (state.stable && state.stable->id == state.next.id) {
    return InvalidArgument("revision " + state.next.id + " is already the stable revision");
  }
  for (int i = 1; i <= state.plan.approvals_before_start; ++i) {
    SLIPWAY_RETURN_IF_ERROR(state.Step("wait for approval " + std::to_string(i) + " of " +
                                           std::to_string(state.plan.approvals_before_start),
                                       [&](std::string&) {
                                         return state.Wait(std::nullopt, true) ==
                                                        RolloutState::WaitEnd::kAborted
                                                    ? Cancelled("aborted")
                                                    : Status::Ok();
                                       }));
  }
  switch (state.plan.kind) {
    case StrategyPlan::Kind::kRolling:
      return RunRolling(state);
    case StrategyPlan::Kind::kBlueGreen:
      return RunBlueGreen(state);
    case StrategyPlan::Kind::kCanary:
      return RunCanary(state);
  }
  return Internal("unknown strategy");
}

// Puts traffic back on the stable revision and stops the new one. Errors are recorded, not
// returned: a rollback does as much as it can.
void RollBack(RolloutState& state, const std::string& reason) {
  state.SetCurrent("rollback");
  StepRecord record;
  record.name = "rollback";
  record.started = std::chrono::system_clock::now();
  std::string problems;
  if (state.stable) {
    if (Status routed = state.RouteToStable(); !routed.ok()) problems += routed.message() + "; ";
  }
  // Requests the new revision took before the switch back finish before it stops.
  if (state.stable) std::this_thread::sleep_for(state.options.drain_delay);
  if (Status removed = state.options.target->Remove(state.next.id);
      !removed.ok() && removed.code() != StatusCode::kNotFound) {
    problems += removed.message();
  }
  record.finished = std::chrono::system_clock::now();
  record.outcome = problems.empty() ? "ok" : "failed";
  record.message = problems.empty() ? reason : reason + " (rollback: " + problems + ")";
  {
    std::lock_guard lock(state.mutex);
    state.steps.push_back(record);
  }
  if (state.options.on_step) state.options.on_step(record);
}

}  // namespace

RolloutResult Rollout::Run() {
  RolloutState& state = *state_;
  const Status outcome = RunStrategy(state);
  RolloutResult result;
  if (outcome.ok() && !state.aborted.load()) {
    result.succeeded = true;
  } else {
    {
      std::lock_guard lock(state.mutex);
      result.reason = state.aborted.load() && !state.abort_reason.empty() ? state.abort_reason
                                                                          : outcome.message();
    }
    if (result.reason.empty()) result.reason = "aborted";
    RollBack(state, result.reason);
  }
  std::lock_guard lock(state.mutex);
  state.finished = true;
  state.current_step = result.succeeded ? "done" : "rolled back";
  result.steps = state.steps;
  return result;
}

Status Rollout::Abort(const std::string& reason) { return state_->AbortWith(reason); }

Status RolloutState::AbortWith(const std::string& reason) {
  {
    std::lock_guard lock(mutex);
    if (finished) return FailedPrecondition("the rollout has already finished");
    if (committed) {
      return FailedPrecondition("the rollout is past its point of no return: " + next.id +
                                " serves all traffic and the old revision is "
                                "being stopped");
    }
    if (abort_reason.empty()) abort_reason = reason;
    aborted.store(true);
  }
  wake.notify_all();
  // Traffic goes back before anything else: the rollout's thread may be mid-wait.
  return stable ? RouteToStable() : Status::Ok();
}

Status Rollout::Approve() {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->awaiting_approval) {
      return FailedPrecondition(
          "the rollout is not waiting for an approval (now: " + state_->current_step + ")");
    }
    state_->approved = true;
  }
  state_->wake.notify_all();
  return Status::Ok();
}

std::string Rollout::current_step() const {
  std::lock_guard lock(state_->mutex);
  return state_->current_step;
}

}  // namespace slipway::deploy
