// A condition metric's verdict on one measurement (Argo Rollouts' rules). Internal to
// src/verify.
#pragma once

#include <string>

#include "spec/spec.h"
#include "verify/verify.h"

namespace slipway::verify::internal {

struct ConditionResult {
  std::string phase;    // "successful", "failed", "inconclusive", or "error"
  std::string message;  // for "error": why the condition could not be evaluated
};

// Evaluates the metric's conditions with `result` bound to the measurement and `args` to the
// template's arguments: the failure condition holding → failed; else the success condition
// holding → successful, not holding → failed (inconclusive when a failure condition is also
// set and did not hold either); only a failure condition, not holding → successful. A
// condition that does not evaluate to a bool is an error, never a pass.
ConditionResult EvaluateConditions(const spec::AnalysisMetric& metric, const expr::Value& result,
                                   const expr::Value& args);

}  // namespace slipway::verify::internal
