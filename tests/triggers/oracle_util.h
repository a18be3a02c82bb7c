// Runs tests/triggers/oracle.py (croniter, zoneinfo) over a batch of questions.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "triggers_test_util.h"
#include "util/subprocess.h"

namespace slipway::triggers::testing {

// Debian's python3-croniter installs for the system interpreter; a python3 earlier in PATH
// (pyenv, a venv) usually lacks it.
inline std::string Python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// The oracle's answers, one per line of `questions`; nullopt when the oracle is unavailable
// (exit 77: module missing, or no python at all).
inline std::optional<std::vector<std::string>> AskOracle(const std::string& mode,
                                                         const std::vector<std::string>& questions,
                                                         const fs::path& scratch) {
  const fs::path input = scratch / (mode + ".questions");
  {
    std::ofstream out(input);
    for (const std::string& q : questions) out << q << "\n";
  }
  ProcessSpec spec;
  spec.argv = {Python(), std::string(SLIPWAY_SOURCE_DIR) + "/tests/triggers/oracle.py", mode,
               input.string()};
  const char* path = std::getenv("PATH");
  spec.env = {"PATH=" + std::string(path != nullptr ? path : "/usr/bin:/bin")};
  spec.timeout = std::chrono::minutes(2);
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { output.append(chunk); }, nullptr);
  if (outcome.kind == ProcessOutcome::Kind::kFailedToStart ||
      (outcome.kind == ProcessOutcome::Kind::kExited && outcome.exit_code == 77)) {
    return std::nullopt;
  }
  EXPECT_TRUE(outcome.kind == ProcessOutcome::Kind::kExited && outcome.exit_code == 0) << output;
  std::vector<std::string> answers;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) answers.push_back(line);
  EXPECT_EQ(answers.size(), questions.size()) << output;
  return answers;
}

}  // namespace slipway::triggers::testing
