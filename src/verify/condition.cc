#include "verify/condition.h"

#include <variant>

namespace slipway::verify::internal {
namespace {

// The condition's truth, or an error message naming the condition and the column.
std::variant<bool, std::string> Holds(const std::string& condition, const expr::Value& result,
                                      const expr::Value& args) {
  auto parsed = expr::Expression::Parse(condition);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    return "condition '" + condition + "': " + error->message;
  }
  expr::Activation activation;
  activation.variables["result"] = result;
  activation.variables["args"] = args;
  auto holds = expr::EvaluateCondition(std::get<expr::Expression>(parsed), activation);
  if (auto* error = std::get_if<expr::Error>(&holds)) {
    return "condition '" + condition + "' at column " + std::to_string(error->column) + ": " +
           error->message;
  }
  return std::get<bool>(holds);
}

}  // namespace

ConditionResult EvaluateConditions(const spec::AnalysisMetric& metric, const expr::Value& result,
                                   const expr::Value& args) {
  if (!metric.failure_condition.empty()) {
    auto failed = Holds(metric.failure_condition, result, args);
    if (auto* error = std::get_if<std::string>(&failed)) return {"error", *error};
    if (std::get<bool>(failed)) return {"failed", ""};
  }
  if (metric.success_condition.empty()) return {"successful", ""};
  auto succeeded = Holds(metric.success_condition, result, args);
  if (auto* error = std::get_if<std::string>(&succeeded)) return {"error", *error};
  if (std::get<bool>(succeeded)) return {"successful", ""};
  return {metric.failure_condition.empty() ? "failed" : "inconclusive", ""};
}

}  // namespace slipway::verify::internal
