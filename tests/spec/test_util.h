// Helpers shared by the spec tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.h"

namespace slipway::spec::testing {

// Every diagnostic for `yaml` (loaded as "p.yml"), as "file:line:col: message (hint)".
inline std::vector<std::string> Errors(std::string_view yaml, const LoadOptions& options = {}) {
  std::vector<std::string> out;
  for (const Diagnostic& d : ParsePipeline(yaml, "p.yml", options).diagnostics) {
    out.push_back(d.ToString());
  }
  return out;
}

// The smallest valid pipeline around one job body, for tests of job-level errors.
inline std::string OneJob(std::string_view job_body) {
  return "jobs:\n  build:\n" + std::string(job_body);
}

}  // namespace slipway::spec::testing
