// What an exec provider's command printed → Measurement. Internal to verify.
#pragma once

#include <string_view>

#include "util/status.h"
#include "verify/verify.h"

namespace slipway::verify::internal {

// `output` (trimmed) must be JSON: a finite number, a list of finite numbers, or an object
// whose optional "value" (finite number), "samples" (list of finite numbers) and
// "events"/"total" (integers, 0 ≤ events ≤ total, both or neither) fill those fields.
// Errors (kUnavailable; kFailedPrecondition for a NaN/infinite number) quote the output.
// Measurement::at is left for the caller.
Result<Measurement> ParseExecOutput(std::string_view output);

}  // namespace slipway::verify::internal
