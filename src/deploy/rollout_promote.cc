// The end of every successful rollout (the promotion gate, promotion) and the analysis step.
#include <thread>

#include "deploy/rollout_state.h"
#include "util/duration_format.h"

namespace slipway::deploy {

Status RolloutState::Analyse(const std::string& template_name,
                             const std::vector<std::pair<std::string, std::string>>& args,
                             bool receives_traffic, std::string& message) {
  if (!options.analyzer) return FailedPrecondition("no analyzer is configured for this rollout");
  const AnalysisVerdict verdict = options.analyzer({.template_name = template_name,
                                                    .args = args,
                                                    .stable_revision = stable ? stable->id : "",
                                                    .canary_revision = next.id,
                                                    .receives_traffic = receives_traffic,
                                                    .stop = &aborted});
  message = verdict.summary;
  if (aborted.load()) return Cancelled("aborted");
  switch (verdict.outcome) {
    case AnalysisVerdict::Outcome::kPass:
      return Status::Ok();
    case AnalysisVerdict::Outcome::kFail:
      return FailedPrecondition("analysis failed: " + verdict.summary);
    case AnalysisVerdict::Outcome::kInconclusive:
      // Never a silent pass: a human decides (Approve continues, Abort rolls back).
      SetCurrent("analysis inconclusive: waiting for approval");
      if (Wait(std::nullopt, true) == WaitEnd::kAborted) return Cancelled("aborted");
      message += " (inconclusive; approved)";
      return Status::Ok();
  }
  return Internal("unknown verdict");
}

Status RolloutState::PromotionGate() {
  if (!options.before_promotion) return Status::Ok();
  return Step("promotion gate", [&](std::string&) { return options.before_promotion(); });
}

Status RolloutState::Promote(std::chrono::milliseconds keep_stable) {
  Status promoted = Step("promote " + next.id, [&](std::string&) {
    if (Status ready = StartAndWait(next, next.instances); !ready.ok()) return ready;
    return Route(100);
  });
  if (!promoted.ok() || !stable) return promoted;
  if (keep_stable.count() > 0) {
    Status kept =
        Step("keep " + stable->id + " warm " + FormatDuration(keep_stable), [&](std::string&) {
          return Wait(keep_stable, false) == WaitEnd::kAborted ? Cancelled("aborted")
                                                               : Status::Ok();
        });
    if (!kept.ok()) return kept;
  }
  {
    // The point of no return: from here an abort cannot bring the old revision back.
    std::lock_guard lock(mutex);
    if (aborted.load()) return Cancelled("aborted");
    committed = true;
  }
  return Step("stop " + stable->id, [&](std::string&) {
    // Past this point there is nothing to roll back to: take the router off the old revision
    // first, then stop it.
    if (Status routed = RouteOnlyNext(); !routed.ok()) return routed;
    std::this_thread::sleep_for(options.drain_delay);
    Status removed = options.target->Remove(stable->id);
    return removed.code() == StatusCode::kNotFound ? Status::Ok() : removed;
  });
}

}  // namespace slipway::deploy
