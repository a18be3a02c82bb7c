// Reading Prometheus's HTTP API answers (/api/v1/query, /api/v1/query_range) into a
// Measurement. Internal to verify; the shapes are documented at MakePrometheusProvider.
#pragma once

#include <string_view>

#include "util/status.h"
#include "verify/verify.h"

namespace slipway::verify::internal {

// `what` starts every error message (it names the address and the query). Errors: the
// answer's own `status: error` (bad_data → kInvalidArgument, timeout → kDeadlineExceeded,
// canceled → kCancelled, others kUnavailable); HTTP 401/403 → kPermissionDenied (a token or
// tenant header an authenticating proxy refused); another HTTP error status, a body not JSON
// or not of the documented shape → kUnavailable; no data (empty vector or matrix, a series
// without points) → kNotFound; NaN or ±Inf → kFailedPrecondition; a matrix of several series
// → kInvalidArgument (the query should aggregate them). `at` is copied to Measurement::at.
Result<Measurement> ParsePrometheusAnswer(std::string_view what, int http_status,
                                          std::string_view body,
                                          std::chrono::system_clock::time_point at);

}  // namespace slipway::verify::internal
