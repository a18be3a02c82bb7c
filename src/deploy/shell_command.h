// A short command run to completion with only the tail of its output kept (health checks,
// router commands). Internal to deploy.
#pragma once

#include <string>

#include "util/subprocess.h"

namespace slipway::deploy {

struct CommandResult {
  ProcessOutcome outcome;
  std::string output_tail;  // the last `tail_bytes` of stdout and stderr
};

// Runs `spec` (RunProcess: its own process group, spec.timeout), keeping at most the last
// `tail_bytes` of its output, and removes what the command left behind in its group.
CommandResult RunCommandKeepingTail(const ProcessSpec& spec, size_t tail_bytes);

}  // namespace slipway::deploy
