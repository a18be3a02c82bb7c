// AttemptReport <-> JSON: the wire format between agents and the server.
#include <nlohmann/json.hpp>

#include "runner/runner.h"

namespace slipway::runner {
namespace {

using nlohmann::json;

const char* TestStatusName(TestResult::Status status) {
  switch (status) {
    case TestResult::Status::kPassed:
      return "passed";
    case TestResult::Status::kFailed:
      return "failed";
    case TestResult::Status::kError:
      return "error";
    case TestResult::Status::kSkipped:
      return "skipped";
  }
  return "error";
}

std::optional<TestResult::Status> ParseTestStatus(const std::string& name) {
  for (auto status : {TestResult::Status::kPassed, TestResult::Status::kFailed,
                      TestResult::Status::kError, TestResult::Status::kSkipped}) {
    if (name == TestStatusName(status)) return status;
  }
  return std::nullopt;
}

// Reads doc[key] as T, or explains which field is missing or wrong.
template <typename T>
Status Read(const json& doc, const char* key, const std::string& where, T* out) {
  auto it = doc.find(key);
  if (it == doc.end()) return InvalidArgument("field '" + where + key + "' is missing");
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    return InvalidArgument("field '" + where + key + "' has the wrong type");
  }
  return Status::Ok();
}

}  // namespace

std::string AttemptReportToJson(const AttemptReport& report) {
  json steps = json::array();
  for (const auto& step : report.steps) {
    steps.push_back({{"name", step.name},
                     {"result", OutcomeName(step.outcome)},
                     {"exit_code", step.exit_code},
                     {"duration_ms", step.duration.count()},
                     {"continued_on_error", step.continued_on_error}});
  }
  json tests = json::array();
  for (const auto& test : report.tests) {
    tests.push_back({{"suite", test.suite},
                     {"classname", test.classname},
                     {"name", test.name},
                     {"status", TestStatusName(test.status)},
                     {"seconds", test.seconds},
                     {"message", test.message}});
  }
  json outputs = json::object();
  for (const auto& [name, value] : report.outputs) outputs[name] = value;
  json doc = {{"attempt", report.attempt},
              {"result", OutcomeName(report.outcome)},
              {"exit_code", report.exit_code},
              {"reason", report.reason},
              {"duration_ms", report.duration.count()},
              {"steps", steps},
              {"tests", tests},
              {"outputs", outputs}};
  // Replacement: masked text or a test's message may hold invalid UTF-8.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<AttemptReport> AttemptReportFromJson(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgument("the attempt report is not a JSON object");
  }
  AttemptReport report;
  std::string result;
  int64_t duration = 0;
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "attempt", "", &report.attempt));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "result", "", &result));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "exit_code", "", &report.exit_code));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "reason", "", &report.reason));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "duration_ms", "", &duration));
  auto outcome = ParseOutcome(result);
  if (!outcome) return InvalidArgument("field 'result' is not a known outcome: '" + result + "'");
  report.outcome = *outcome;
  report.duration = std::chrono::milliseconds(duration);

  json steps, tests, outputs;
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "steps", "", &steps));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "tests", "", &tests));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "outputs", "", &outputs));
  if (!steps.is_array()) return InvalidArgument("field 'steps' must be a list");
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string where = "steps[" + std::to_string(i) + "].";
    StepReport step;
    std::string step_result;
    int64_t step_ms = 0;
    SLIPWAY_RETURN_IF_ERROR(Read(steps[i], "name", where, &step.name));
    SLIPWAY_RETURN_IF_ERROR(Read(steps[i], "result", where, &step_result));
    SLIPWAY_RETURN_IF_ERROR(Read(steps[i], "exit_code", where, &step.exit_code));
    SLIPWAY_RETURN_IF_ERROR(Read(steps[i], "duration_ms", where, &step_ms));
    SLIPWAY_RETURN_IF_ERROR(Read(steps[i], "continued_on_error", where, &step.continued_on_error));
    auto step_outcome = ParseOutcome(step_result);
    if (!step_outcome) return InvalidArgument("field '" + where + "result' is not an outcome");
    step.outcome = *step_outcome;
    step.duration = std::chrono::milliseconds(step_ms);
    report.steps.push_back(std::move(step));
  }
  if (!tests.is_array()) return InvalidArgument("field 'tests' must be a list");
  for (size_t i = 0; i < tests.size(); ++i) {
    const std::string where = "tests[" + std::to_string(i) + "].";
    TestResult test;
    std::string status;
    SLIPWAY_RETURN_IF_ERROR(Read(tests[i], "suite", where, &test.suite));
    SLIPWAY_RETURN_IF_ERROR(Read(tests[i], "classname", where, &test.classname));
    SLIPWAY_RETURN_IF_ERROR(Read(tests[i], "name", where, &test.name));
    SLIPWAY_RETURN_IF_ERROR(Read(tests[i], "status", where, &status));
    SLIPWAY_RETURN_IF_ERROR(Read(tests[i], "seconds", where, &test.seconds));
    SLIPWAY_RETURN_IF_ERROR(Read(tests[i], "message", where, &test.message));
    auto parsed = ParseTestStatus(status);
    if (!parsed) return InvalidArgument("field '" + where + "status' is not a test status");
    test.status = *parsed;
    report.tests.push_back(std::move(test));
  }
  if (!outputs.is_object()) return InvalidArgument("field 'outputs' must be an object");
  for (const auto& [name, value] : outputs.items()) {
    if (!value.is_string()) return InvalidArgument("field 'outputs." + name + "' must be text");
    report.outputs.emplace_back(name, value.get<std::string>());
  }
  return report;
}

}  // namespace slipway::runner
