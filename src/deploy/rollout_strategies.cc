// The three strategies. Each returns OK once the new revision serves all traffic; any error
// (or Cancelled after an abort) makes Rollout::Run roll back.
#include <algorithm>
#include <cmath>

#include "deploy/rollout_state.h"
#include "util/duration_format.h"

namespace slipway::deploy {

namespace {

// Instances a canary needs for `weight`% of the stable revision's traffic: proportional,
// at least one.
int CanaryInstances(int weight, int full) {
  const int proportional = static_cast<int>(std::ceil(full * weight / 100.0));
  return std::clamp(proportional, 1, std::max(full, 1));
}

Status Start(RolloutState& state, int instances) {
  return state.Step("start " + state.next.id + " (" + std::to_string(instances) + " instances)",
                    [&](std::string&) { return state.StartAndWait(state.next, instances); });
}

// The promotion gate, then the promotion (canary and blue-green).
Status GateAndPromote(RolloutState& state, std::chrono::milliseconds keep_stable) {
  if (Status gated = state.PromotionGate(); !gated.ok()) return gated;
  return state.Promote(keep_stable);
}

}  // namespace

Status RunCanary(RolloutState& state) {
  const int full = state.next.instances;
  if (!state.stable) {
    if (Status started = Start(state, full); !started.ok()) return started;
    return GateAndPromote(state, std::chrono::milliseconds(0));
  }
  int weight = 0;
  const int first_weight = [&] {
    for (const CanaryStepPlan& step : state.plan.steps) {
      if (step.kind == CanaryStepPlan::Kind::kSetWeight && step.weight > 0) return step.weight;
    }
    return 100;
  }();
  if (Status started = Start(state, CanaryInstances(first_weight, full)); !started.ok()) {
    return started;
  }
  BackgroundAnalysisRun background(state);
  int finished_steps = 0;
  for (const CanaryStepPlan& step : state.plan.steps) {
    if (Status started = background.StartAfter(finished_steps); !started.ok()) return started;
    Status done;
    switch (step.kind) {
      case CanaryStepPlan::Kind::kSetWeight:
        weight = step.weight;
        done = state.Step("set weight " + std::to_string(weight), [&](std::string&) {
          if (Status ready = state.StartAndWait(state.next, CanaryInstances(weight, full));
              !ready.ok()) {
            return ready;
          }
          return state.Route(weight);
        });
        break;
      case CanaryStepPlan::Kind::kPause:
        done =
            state.Step(step.pause ? "pause " + FormatDuration(*step.pause) : "pause until approved",
                       [&](std::string&) {
                         return state.Wait(step.pause, !step.pause.has_value()) ==
                                        RolloutState::WaitEnd::kAborted
                                    ? Cancelled("aborted")
                                    : Status::Ok();
                       });
        break;
      case CanaryStepPlan::Kind::kAnalysis:
        done = state.Step(step.analysis.empty() ? "analysis" : "analysis " + step.analysis,
                          [&](std::string& message) {
                            return state.Analyse(step.analysis, step.analysis_args, true, message);
                          });
        break;
    }
    if (!done.ok()) return done;
    ++finished_steps;
  }
  if (Status concluded = background.Conclude(); !concluded.ok()) return concluded;
  return GateAndPromote(state, std::chrono::milliseconds(0));
}

Status RunBlueGreen(RolloutState& state) {
  // Green starts at full size but gets no traffic until the switch.
  if (Status started = Start(state, state.next.instances); !started.ok()) return started;
  if (!state.stable) return GateAndPromote(state, std::chrono::milliseconds(0));
  if (state.options.analyzer || !state.plan.pre_promotion_analysis.empty()) {
    Status analysed = state.Step("pre-promotion analysis", [&](std::string& message) {
      return state.Analyse(state.plan.pre_promotion_analysis, state.plan.pre_promotion_args, false,
                           message);
    });
    if (!analysed.ok()) return analysed;
  }
  if (!state.plan.auto_promote) {
    Status approved = state.Step("wait for approval to switch", [&](std::string&) {
      return state.Wait(std::nullopt, true) == RolloutState::WaitEnd::kAborted
                 ? Cancelled("aborted")
                 : Status::Ok();
    });
    if (!approved.ok()) return approved;
  }
  return GateAndPromote(state, state.plan.scale_down_delay);
}

Status RunRolling(RolloutState& state) {
  const int full = state.next.instances;
  const int batch = std::max(1, state.plan.batch_size);
  if (!state.stable) {
    if (Status started = Start(state, full); !started.ok()) return started;
    return state.Promote(std::chrono::milliseconds(0));
  }
  const int old_full = std::max(1, state.stable->instances);
  for (int updated = 0; updated < full;) {
    updated = std::min(full, updated + batch);
    const int old_left = std::max(0, old_full - updated);
    Status done = state.Step(
        "update " + std::to_string(updated) + " of " + std::to_string(full), [&](std::string&) {
          // With room for unavailability, old instances go first (no surge); else new
          // instances are ready before any old one stops.
          const bool shrink_first = state.plan.max_unavailable >= batch;
          auto shrink_old = [&]() -> Status {
            if (old_left == 0) return Status::Ok();  // the promotion stops the rest
            RevisionSpec old = *state.stable;
            old.instances = old_left;
            return state.options.target->Apply(old);
          };
          if (shrink_first) {
            if (Status shrunk = shrink_old(); !shrunk.ok()) return shrunk;
          }
          if (Status ready = state.StartAndWait(state.next, updated); !ready.ok()) return ready;
          const int weight = old_left == 0 ? 100 : 100 * updated / (updated + old_left);
          if (Status routed = state.Route(weight); !routed.ok()) return routed;
          if (!shrink_first) {
            if (Status shrunk = shrink_old(); !shrunk.ok()) return shrunk;
          }
          return state.Route(weight);  // the old revision's endpoints shrank
        });
    if (!done.ok()) return done;
  }
  return state.Promote(std::chrono::milliseconds(0));
}

}  // namespace slipway::deploy
