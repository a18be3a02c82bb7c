// The end of `slipway run`: the summary table for people and the JSON result for machines.
#include <nlohmann/json.hpp>

#include "cli/console.h"
#include "util/duration_format.h"

namespace slipway::cli {
namespace {

using runner::Outcome;

const char* ResultColor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "\033[32m";
    case Outcome::kSkipped:
      return "\033[90m";
    case Outcome::kCancelled:
      return "\033[33m";
    default:
      return "\033[31m";
  }
}

std::string Pad(std::string text, size_t width) {
  // Count code points, not bytes, so "✔" pads like one column.
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;
  if (columns < width) text.append(width - columns, ' ');
  return text;
}

}  // namespace

std::string SummaryTable(const engine::RunResult& result, bool color) {
  size_t id_width = 3;
  for (const auto& job : result.jobs) id_width = std::max(id_width, job.id.size());
  std::string text = "\n" + Pad("JOB", id_width + 2) + Pad("RESULT", 12) + Pad("ATTEMPTS", 10) +
                     Pad("DURATION", 10) + "DETAILS\n";
  for (const auto& job : result.jobs) {
    std::string outcome = runner::OutcomeName(job.outcome);
    std::string shown = Pad(outcome, 12);
    if (color) shown = ResultColor(job.outcome) + shown + "\033[0m";
    std::string details = job.outcome == Outcome::kSuccess ? "" : job.reason;
    size_t passed = 0, failed = 0;
    if (!job.attempts.empty()) {
      for (const auto& test : job.attempts.back().tests) {
        passed += test.status == runner::TestResult::Status::kPassed;
        failed += test.status == runner::TestResult::Status::kFailed ||
                  test.status == runner::TestResult::Status::kError;
      }
    }
    if (passed + failed > 0) {
      details += std::string(details.empty() ? "" : "; ") + "tests: " + std::to_string(passed) +
                 " passed, " + std::to_string(failed) + " failed";
    }
    if (!job.flaky_tests.empty()) {
      details += std::string(details.empty() ? "" : "; ") + "flaky: ";
      for (size_t i = 0; i < job.flaky_tests.size(); ++i) {
        details += (i ? ", " : "") + job.flaky_tests[i];
      }
    }
    text += Pad(job.id, id_width + 2) + shown + Pad(std::to_string(job.attempts.size()), 10) +
            Pad(job.attempts.empty() ? "-" : FormatDuration(job.duration), 10) + details + "\n";
  }
  text += "\n";
  if (result.cancelled) {
    text += "pipeline cancelled after " + FormatDuration(result.duration) + "\n";
  } else if (result.success) {
    text += "pipeline succeeded in " + FormatDuration(result.duration) + "\n";
  } else {
    text += "pipeline failed after " + FormatDuration(result.duration) + "\n";
  }
  return text;
}

std::string ResultJson(const engine::RunResult& result) {
  using nlohmann::json;
  json jobs = json::array();
  for (const auto& job : result.jobs) {
    json matrix = json::object();
    for (const auto& [axis, value] : job.matrix) matrix[axis] = value;
    json outputs = json::object();
    for (const auto& [name, value] : job.outputs) outputs[name] = value;
    json attempts = json::array();
    for (const auto& attempt : job.attempts) {
      // The agent wire format, whose outputs are the job's (listed once, below).
      json report = json::parse(runner::AttemptReportToJson(attempt));
      report.erase("outputs");
      attempts.push_back(std::move(report));
    }
    jobs.push_back({{"id", job.id},
                    {"job", job.job},
                    {"matrix", matrix},
                    {"result", runner::OutcomeName(job.outcome)},
                    {"reason", job.reason},
                    {"duration_ms", job.duration.count()},
                    {"outputs", outputs},
                    {"flaky_tests", job.flaky_tests},
                    {"attempts", attempts}});
  }
  json doc = {{"run_id", result.run_id},
              {"success", result.success},
              {"cancelled", result.cancelled},
              {"duration_ms", result.duration.count()},
              {"jobs", jobs}};
  // Replacement: a masked value or a job's output may hold invalid UTF-8.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace slipway::cli
