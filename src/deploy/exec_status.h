// The JSON an exec target's status command prints (docs/deploy.md, "exec"). Internal to deploy.
#pragma once

#include <string_view>

#include "deploy/deploy.h"
#include "util/status.h"

namespace slipway::deploy {

// Parses {"desired":N,"running":N,"ready":N,"endpoints":["host:port"],"message":"…"}
// ("endpoints", "message", and "restarts"/"crash_looping" as in RevisionState, are optional;
// other keys are ignored). InvalidArgument says what is wrong and where.
Result<RevisionState> ParseExecStatus(std::string_view text);

}  // namespace slipway::deploy
