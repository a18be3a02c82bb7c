// Whether a revision is fit to be judged: every instance ready, none crash-looping. Shared by
// the health analysis and the template analyzer, which both refuse an unhealthy canary at once.
// Internal to src/deploy.
#pragma once

#include <optional>
#include <string>

#include "deploy/deploy.h"

namespace slipway::deploy {

// Why `revision` (as `state` reports it) is not healthy: "r4: 1 of 2 instances ready (…)";
// nullopt when it is.
std::optional<std::string> UnhealthyReason(const std::string& revision, const RevisionState& state);

}  // namespace slipway::deploy
