// `if:` conditions: the implicit success() and the status functions.
#include <string>
#include <variant>

#include "expr/expr.h"
#include "runner/runner.h"

namespace slipway::runner {
namespace {

constexpr const char* kStatusFunctions[] = {"success", "failure", "always", "cancelled"};

// `${{ expr }}` as the whole condition is the same as `expr`.
std::string StripTemplateBraces(std::string_view condition) {
  std::string_view s = condition;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  if (s.size() >= 5 && s.substr(0, 3) == "${{" && s.substr(s.size() - 2) == "}}" &&
      s.find("${{", 3) == std::string_view::npos) {
    return std::string(s.substr(3, s.size() - 5));
  }
  return std::string(s);
}

bool CallsStatusFunction(const expr::Expression& expression) {
  for (const auto& call : expression.Calls()) {
    for (const char* name : kStatusFunctions) {
      if (call.name == name) return true;
    }
  }
  return false;
}

}  // namespace

std::variant<bool, expr::Error> EvaluateIf(std::string_view condition,
                                           const expr::Activation& activation,
                                           const StatusView& status) {
  const bool success = status.success && !status.cancelled;
  std::string text = StripTemplateBraces(condition);
  if (text.empty()) return success;

  auto parsed = expr::Expression::Parse(text);
  if (auto* error = std::get_if<expr::Error>(&parsed)) return *error;
  const auto& expression = std::get<expr::Expression>(parsed);
  if (!CallsStatusFunction(expression) && !success) return false;

  expr::Activation scope = activation;
  auto constant = [](bool value) {
    return [value](std::span<const expr::Value>) -> std::variant<expr::Value, expr::Error> {
      return expr::Value(value);
    };
  };
  scope.functions["success"] = constant(success);
  scope.functions["failure"] = constant(status.failed);
  scope.functions["always"] = constant(true);
  scope.functions["cancelled"] = constant(status.cancelled);
  return expr::EvaluateCondition(expression, scope);
}

}  // namespace slipway::runner
