// What an attempt hands back besides its outcome: JUnit test results and declared outputs.
#include <string>

#include "runner/attempt_context.h"
#include "runner/junit.h"
#include "util/fs.h"
#include "util/glob.h"

namespace slipway::runner {
namespace {

constexpr size_t kMaxReportBytes = 64 << 20;

TestResult::Status Convert(TestCase::Status status) {
  switch (status) {
    case TestCase::Status::kPassed:
      return TestResult::Status::kPassed;
    case TestCase::Status::kFailed:
      return TestResult::Status::kFailed;
    case TestCase::Status::kError:
      return TestResult::Status::kError;
    case TestCase::Status::kSkipped:
      return TestResult::Status::kSkipped;
  }
  return TestResult::Status::kError;
}

}  // namespace

std::vector<TestResult> AttemptContext::CollectTestReports() {
  std::vector<TestResult> results;
  if (job_.junit_reports.empty()) return results;
  auto files = glob::Expand(attempt_.workspace, job_.junit_reports);
  if (!files.ok()) {
    Notice("warning: reports.junit: " + files.status().message());
    return results;
  }
  if (files->empty()) {
    Notice("warning: reports.junit: no file matches '" + job_.junit_reports + "'");
    return results;
  }
  for (const auto& file : *files) {
    auto xml = ReadFile(attempt_.workspace / file, kMaxReportBytes);
    if (!xml.ok()) {
      Notice("warning: reports.junit: " + xml.status().message());
      continue;
    }
    auto cases = ParseJUnit(*xml, file);
    if (!cases.ok()) {
      Notice("warning: reports.junit: " + cases.status().message());
      continue;
    }
    for (auto& test : *cases) {
      results.push_back(TestResult{.suite = Mask(test.suite),
                                   .classname = Mask(test.classname),
                                   .name = Mask(test.name),
                                   .status = Convert(test.status),
                                   .seconds = test.seconds,
                                   .message = Mask(test.message)});
    }
  }
  return results;
}

std::vector<std::pair<std::string, std::string>> AttemptContext::DeclaredOutputs() const {
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const auto& name : job_.outputs) {
    for (const auto& [written, value] : written_outputs_) {
      if (written == name) outputs.emplace_back(name, Mask(value));
    }
  }
  return outputs;
}

}  // namespace slipway::runner
