// An environment's protection, checked before a deploy starts. Internal to deploy.
#pragma once

#include <chrono>
#include <string_view>

#include "deploy/deploy.h"
#include "spec/spec.h"
#include "util/status.h"

namespace slipway::deploy {

// FailedPrecondition, saying why and what would be allowed, when `branch` is not one of the
// environment's allowed branches (globs), or `now` falls outside all of its deploy windows
// (the cron expression matches the current minute in the window's time zone). Approvals are
// not checked here (the rollout waits for them).
Status CheckProtection(const spec::Environment& environment, std::string_view branch,
                       std::chrono::system_clock::time_point now);

// The release being deployed, as promotion knows it: by its manifest digest, or, for an
// artifact from the run's own workspace (no digest), by the run that built it.
struct ReleaseIdentity {
  std::string digest;
  std::string run_id;
};

// FailedPrecondition naming the environments still to pass when the release has not been
// deployed successfully to every environment of `environment.promote_from` (in `project`, as
// `ledger` records them). OK when it has, or when the environment names none.
Status CheckPromotion(const spec::Environment& environment, const std::string& project,
                      const ReleaseIdentity& release, EnvironmentLedger& ledger);

}  // namespace slipway::deploy
