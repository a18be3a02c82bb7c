// An environment's protection, checked before a deploy starts. Internal to deploy.
#pragma once

#include <chrono>
#include <string_view>

#include "spec/spec.h"
#include "util/status.h"

namespace slipway::deploy {

// FailedPrecondition, saying why and what would be allowed, when `branch` is not one of the
// environment's allowed branches (globs), or `now` falls outside all of its deploy windows
// (the cron expression matches the current minute in the window's time zone). Approvals are
// not checked here (the rollout waits for them).
Status CheckProtection(const spec::Environment& environment, std::string_view branch,
                       std::chrono::system_clock::time_point now);

}  // namespace slipway::deploy
