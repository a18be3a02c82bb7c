// Parsing an origin-form request-target ("/path?query") and splitting its path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace slipway::http::internal {

struct ParsedTarget {
  std::string path;                                        // still percent-encoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded
};

// Errors (kInvalidArgument): not origin-form, bad percent-encoding, a "." or ".." path
// segment (never meaningful to our routes, and dangerous in a handler that builds paths).
Result<ParsedTarget> ParseTarget(std::string_view target);

// The segments of an encoded path after its leading '/', split on '/' (empty ones kept)
// and percent-decoded; nullopt when a segment does not decode or decodes to NUL.
struct PathSegment {
  std::string decoded;
  bool had_slash = false;  // decoded contains '/' (sent as %2F)
};
std::optional<std::vector<PathSegment>> SplitPath(std::string_view encoded_path);

}  // namespace slipway::http::internal
