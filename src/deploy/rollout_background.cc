// A canary's background analysis: one analyzer call on its own thread for the whole rollout,
// which aborts the rollout the moment the analysis fails.
#include "deploy/rollout_state.h"

namespace slipway::deploy {

BackgroundAnalysisRun::~BackgroundAnalysisRun() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

Status BackgroundAnalysisRun::StartAfter(int finished_steps) {
  const auto& plan = state_.plan.background_analysis;
  if (!plan || thread_.joinable() || plan->start_after_step != finished_steps) {
    return Status::Ok();
  }
  return state_.Step("start background analysis " + plan->template_name, [&](std::string&) {
    thread_ = std::thread([this, plan = *plan] { Run(plan); });
    return Status::Ok();
  });
}

void BackgroundAnalysisRun::Run(const StrategyPlan::BackgroundAnalysis& plan) {
  AnalysisVerdict verdict{AnalysisVerdict::Outcome::kFail,
                          "no analyzer is configured for this rollout"};
  if (state_.options.analyzer) {
    verdict = state_.options.analyzer({.template_name = plan.template_name,
                                       .args = plan.args,
                                       .stable_revision = state_.stable ? state_.stable->id : "",
                                       .canary_revision = state_.next.id,
                                       .receives_traffic = true,
                                       .stop = &stop_,
                                       .background = true,
                                       .conclude = &conclude_});
  }
  verdict_ = verdict;
  // Asked to conclude (or stopped), the rollout's thread reads the verdict itself after join.
  if (verdict.outcome == AnalysisVerdict::Outcome::kFail && !conclude_.load() && !stop_.load()) {
    (void)state_.AbortWith("background analysis failed: " + verdict.summary);
  }
}

Status BackgroundAnalysisRun::Conclude() {
  if (!thread_.joinable()) return Status::Ok();
  return state_.Step("conclude background analysis", [&](std::string& message) {
    conclude_.store(true);
    thread_.join();
    message = verdict_.summary;
    switch (verdict_.outcome) {
      case AnalysisVerdict::Outcome::kPass:
        return Status::Ok();
      case AnalysisVerdict::Outcome::kFail:
        return FailedPrecondition("background analysis failed: " + verdict_.summary);
      case AnalysisVerdict::Outcome::kInconclusive:
        // Never a silent pass: a human decides (Approve continues, Abort rolls back).
        state_.SetCurrent("background analysis inconclusive: waiting for approval");
        if (state_.Wait(std::nullopt, true) == RolloutState::WaitEnd::kAborted) {
          return Cancelled("aborted");
        }
        message += " (inconclusive; approved)";
        return Status::Ok();
    }
    return Internal("unknown verdict");
  });
}

}  // namespace slipway::deploy
