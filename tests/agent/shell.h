// Shell: runs `sh -c COMMAND` for a test's set-up (a git repository, say) and returns its output;
// the test fails, showing the command and its output, when the command does.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "util/subprocess.h"

namespace slipway::agent::testing {

inline std::string Shell(const std::string& command) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", command};
  spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp"};
  std::string output;
  auto outcome = RunProcess(
      spec, [&](std::string_view chunk) { output += chunk; }, nullptr);
  EXPECT_EQ(outcome.exit_code, 0) << command << "\n" << output;
  return output;
}

}  // namespace slipway::agent::testing
