// Parsing JUnit XML test reports, as written by Maven Surefire, Gradle, pytest, jest-junit,
// go-junit-report and most other test runners.
//
// Accepted shapes: a <testsuites> root or a single <testsuite> root; suites may nest; each
// <testcase classname name time> is passed unless it holds <failure> (failed), <error>
// (error) or <skipped> (skipped). Surefire's <flakyFailure>/<flakyError> (failed, then passed
// on a rerun) leave the case passed. Unknown elements and attributes are ignored.
//
// Text comes back as it is in the report: callers mask it before it leaves the job. No DTD or
// external entity is ever loaded (pugixml does not process them).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::runner {

struct TestCase {
  enum class Status { kPassed, kFailed, kError, kSkipped };
  std::string suite;  // name of the innermost enclosing <testsuite>
  std::string classname;
  std::string name;
  Status status = Status::kPassed;
  double seconds = 0;  // the `time` attribute; 0 when absent or unreadable
  // For failed, error and skipped cases: the `message` attribute (or the `type` when there is
  // no message), then a newline and the element's text (stack trace, assertion diff); at most
  // kMaxTestMessageBytes.
  std::string message;
  std::string output;  // the case's <system-out> and <system-err>; at most kMaxTestMessageBytes
};

inline constexpr size_t kMaxJUnitBytes = 64 << 20;
inline constexpr size_t kMaxTestMessageBytes = 64 << 10;

// Parses one report. Errors name the file and where: "FILE:LINE:COLUMN: malformed XML: ...",
// "FILE: not a JUnit report (root element <html>)", or a size over kMaxJUnitBytes.
Result<std::vector<TestCase>> ParseJUnit(std::string_view xml,
                                         std::string_view file_name_for_errors);

// Reads and parses the report at `path`; checks the size before reading.
Result<std::vector<TestCase>> ReadJUnitFile(const std::filesystem::path& path);

}  // namespace slipway::runner
