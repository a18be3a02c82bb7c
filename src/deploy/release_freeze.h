// The release freeze: deploys to an environment wait while an SLO that freezes it burns its
// error budget too fast (docs/slo.md). Internal to deploy.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "deploy/deploy.h"
#include "runner/runner.h"
#include "spec/spec.h"
#include "util/cancel.h"
#include "util/status.h"
#include "verify/verify.h"

namespace slipway::deploy {

struct ReleaseFreezeOptions {
  const SliSourceFactory* sli_sources = nullptr;  // unset or empty: SLOs are not evaluated
  std::chrono::milliseconds check_interval = std::chrono::seconds(30);
  std::chrono::milliseconds max_wait = std::chrono::hours(6);
};

// Returns once no SLO of `pipeline` whose freeze names `environment` has a 1h burn rate above
// its freeze threshold: at once when none does (or none freezes the environment, or there is
// no SLI source factory — logged). Otherwise checks every `check_interval`, logging one line
// per holding SLO with its burn rate and threshold. An SLO whose source cannot be built or
// read holds the deploy too (the safe default), and its line says why. Cancelled when
// `cancel` (may be null) fires; DeadlineExceeded after `max_wait`. Blocks the calling thread.
Status WaitOutReleaseFreeze(const spec::Pipeline& pipeline, std::string_view environment,
                            const ReleaseFreezeOptions& options, const CancelToken* cancel,
                            runner::LogSink& log);

// WaitOutReleaseFreeze for a deploy request with the Deployments' options: nullopt when the
// deploy may start; else how it ended (cancelled, timed out), already logged.
std::optional<runner::DeployOutcome> HoldForReleaseFreeze(const runner::DeployRequest& request,
                                                          const DeploymentsOptions& options);

}  // namespace slipway::deploy
