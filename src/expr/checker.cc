// Check and CheckType: first the names (are the names an expression uses defined, and are the
// scope's functions called with the right number of arguments? CollectUses walks every operand),
// then the types (type_checker.cc). Functions are the scope's, the built-ins (one argument
// each), the rest of the standard library and `dyn`; methods (`x.f()`) are the standard
// library's receiver-style functions.
#include <string>

#include "expr/ast.h"
#include "expr/expr.h"
#include "expr/operators.h"
#include "expr/type_rules.h"
#include "expr/uses.h"

namespace slipway::expr {
namespace {

std::string Arguments(int n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); }

std::optional<Error> CheckCall(const Use& call, const Scope& scope) {
  const auto it = scope.functions.find(call.function);
  if (it == scope.functions.end() && !IsBuiltinFunction(call.function)) {
    if (FindStandardFunction(call.function, false) != nullptr) return std::nullopt;
    if (call.function == "dyn" && call.arity == 1) return std::nullopt;
    return Error{call.column, "unknown function '" + call.function + "'"};
  }
  const int expected = it != scope.functions.end() ? it->second : 1;  // built-ins take one
  if (expected < 0 && call.arity < 1) {
    return Error{call.column, "function '" + call.function + "' expects at least 1 argument, got " +
                                  std::to_string(call.arity)};
  }
  if (expected >= 0 && call.arity != expected) {
    return Error{call.column, "function '" + call.function + "' expects " + Arguments(expected) +
                                  ", got " + std::to_string(call.arity)};
  }
  return std::nullopt;
}

std::optional<Error> CheckNames(const Expression& expression, const Scope& scope) {
  for (const Use& use : CollectUses(expression.root())) {
    if (use.kind == Use::Kind::kCall) {
      if (auto error = CheckCall(use, scope)) return error;
    } else if (use.kind == Use::Kind::kMethod) {
      if (FindStandardFunction(use.function, true) == nullptr) {
        return Error{use.column, "unknown method '" + use.function + "'"};
      }
    } else if (scope.check_reference) {
      if (auto problem = scope.check_reference(use.path)) {
        return Error{use.column, std::move(*problem)};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<Type, Error> CheckType(const Expression& expression, const Scope& scope) {
  if (auto error = CheckNames(expression, scope)) return *error;
  return DeduceType(expression.root(), scope);
}

std::optional<Error> Check(const Expression& expression, const Scope& scope) {
  std::variant<Type, Error> checked = CheckType(expression, scope);
  if (auto* error = std::get_if<Error>(&checked)) return *error;
  return std::nullopt;
}

}  // namespace slipway::expr
