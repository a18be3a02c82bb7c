// Duration syntax ("250ms", "90s", "1h30m", "2d"), shared by ParseDuration and the loader.
// Internal to src/spec.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "spec/spec.h"

namespace slipway::spec::internal {

struct DurationProblem {
  std::string message;  // "unknown unit 'x' in '10x'"
  std::string hint;     // "add a unit, e.g. 30s or 10m" for bare numbers
};

std::variant<Duration, DurationProblem> ParseDurationDetailed(std::string_view text);

}  // namespace slipway::spec::internal
