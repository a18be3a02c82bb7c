// Tree-walking evaluation with CEL semantics: strict operators propagate the first error
// (left to right), while && and || absorb an error when the other side decides the result, and
// `?:` evaluates only the branch it picks. The operators themselves live in operators.h.
// Recursion depth is bounded by the tree height (see ast.h).
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "expr/ast.h"
#include "expr/expr.h"
#include "expr/operators.h"

namespace slipway::expr {
namespace {

using Result = std::variant<Value, Error>;

class Evaluator {
 public:
  explicit Evaluator(const Activation& activation) : activation_(activation) {}

  Result Eval(const Node& node) const {
    switch (node.kind()) {
      case Node::Kind::kLiteral:
        return node.literal();
      case Node::Kind::kIdent:
        return Ident(node);
      case Node::Kind::kSelect:
        return Select(node);
      case Node::Kind::kIndex:
        return Index(node);
      case Node::Kind::kCall:
        return Call(node);
      case Node::Kind::kNot:
        return Not(node);
      case Node::Kind::kNegate:
        return Negation(node);
      case Node::Kind::kAnd:
      case Node::Kind::kOr:
        return Logical(node);
      case Node::Kind::kConditional:
        return Conditional(node);
      case Node::Kind::kEqual:
      case Node::Kind::kNotEqual:
      case Node::Kind::kLess:
      case Node::Kind::kLessEqual:
      case Node::Kind::kGreater:
      case Node::Kind::kGreaterEqual:
      case Node::Kind::kIn:
      case Node::Kind::kAdd:
      case Node::Kind::kSubtract:
      case Node::Kind::kMultiply:
      case Node::Kind::kDivide:
      case Node::Kind::kModulo:
        return Strict(node);
    }
    return Error{node.column(), "internal error: unknown expression node"};
  }

 private:
  Result Ident(const Node& node) const {
    const auto it = activation_.variables.find(node.name());
    if (it == activation_.variables.end()) {
      return Error{node.column(), "undeclared reference to '" + node.name() + "'"};
    }
    return it->second;
  }

  Result Select(const Node& node) const {
    Result operand = Eval(*node.children()[0]);
    if (std::holds_alternative<Error>(operand)) return operand;
    const Value& value = std::get<Value>(operand);
    if (!value.is_map()) {
      return Error{node.column(), "cannot select field '" + node.name() +
                                      "' from a value of type " + std::string(value.type_name())};
    }
    const auto it = value.as_map().find(node.name());
    if (it == value.as_map().end()) {
      return Error{node.column(), "no such key: '" + node.name() + "'"};
    }
    return it->second;
  }

  Result Index(const Node& node) const {
    Result operand = Eval(*node.children()[0]);
    if (std::holds_alternative<Error>(operand)) return operand;
    Result index = Eval(*node.children()[1]);
    if (std::holds_alternative<Error>(index)) return index;
    return IndexValue(std::get<Value>(operand), std::get<Value>(index), node.column());
  }

  // The caller's function of that name, else the built-in.
  const Activation::Function* FindFunction(const std::string& name) const {
    const auto it = activation_.functions.find(name);
    if (it != activation_.functions.end() && it->second) return &it->second;
    return FindStandardFunction(name, /*receiver_style=*/false);
  }

  Result Call(const Node& node) const {
    const Activation::Function* function = FindFunction(node.name());
    if (function == nullptr) {
      return Error{node.column(), "unknown function '" + node.name() + "'"};
    }
    std::vector<Value> args;
    args.reserve(node.children().size());
    for (const auto& child : node.children()) {
      Result arg = Eval(*child);
      if (std::holds_alternative<Error>(arg)) return arg;
      args.push_back(std::move(std::get<Value>(arg)));
    }
    Result result;
    // Functions come from callers; an exception must not escape Evaluate.
    try {
      result = (*function)(args);
    } catch (const std::exception& e) {
      result = Error{0, "function '" + node.name() + "' failed: " + e.what()};
    } catch (...) {
      result = Error{0, "function '" + node.name() + "' failed"};
    }
    if (auto* error = std::get_if<Error>(&result); error && error->column == 0) {
      error->column = node.column();
    }
    return result;
  }

  Result Not(const Node& node) const {
    Result operand = Eval(*node.children()[0]);
    if (std::holds_alternative<Error>(operand)) return operand;
    const Value& value = std::get<Value>(operand);
    if (!value.is_bool()) {
      return Error{node.column(),
                   "no such overload: '!' expects a bool, got " + std::string(value.type_name())};
    }
    return Value(!value.as_bool());
  }

  // CEL's commutative && and ||: the absorbing value (false for &&, true for ||) on either side
  // decides the result even if the other side is an error or not a bool.
  Result Logical(const Node& node) const {
    const bool absorbing = node.kind() == Node::Kind::kOr;
    const auto absorbs = [&](const Result& r) {
      const Value* v = std::get_if<Value>(&r);
      return v != nullptr && v->is_bool() && v->as_bool() == absorbing;
    };
    const Result lhs = Eval(*node.children()[0]);
    if (absorbs(lhs)) return Value(absorbing);
    const Result rhs = Eval(*node.children()[1]);
    if (absorbs(rhs)) return Value(absorbing);
    for (const Result* side : {&lhs, &rhs}) {
      if (const Error* error = std::get_if<Error>(side)) return *error;
      const Value& value = std::get<Value>(*side);
      if (!value.is_bool()) {
        return Error{node.column(),
                     std::string("no such overload: '") + OperatorSpelling(node.kind()) +
                         "' expects bool operands, got " + std::string(value.type_name())};
      }
    }
    return Value(!absorbing);
  }

  Result Negation(const Node& node) const {
    Result operand = Eval(*node.children()[0]);
    if (std::holds_alternative<Error>(operand)) return operand;
    return Negate(std::get<Value>(operand), node.column());
  }

  // Only the chosen branch is evaluated, so `x != 0 ? 1 / x : 0` never divides by zero.
  Result Conditional(const Node& node) const {
    Result condition = Eval(*node.children()[0]);
    if (std::holds_alternative<Error>(condition)) return condition;
    const Value& value = std::get<Value>(condition);
    if (!value.is_bool()) {
      return Error{node.column(), "no such overload: '?:' expects a bool condition, got " +
                                      std::string(value.type_name())};
    }
    return Eval(*node.children()[value.as_bool() ? 1 : 2]);
  }

  Result Strict(const Node& node) const {
    Result lhs_result = Eval(*node.children()[0]);
    if (std::holds_alternative<Error>(lhs_result)) return lhs_result;
    Result rhs_result = Eval(*node.children()[1]);
    if (std::holds_alternative<Error>(rhs_result)) return rhs_result;
    const Value& lhs = std::get<Value>(lhs_result);
    const Value& rhs = std::get<Value>(rhs_result);
    switch (node.kind()) {
      case Node::Kind::kEqual:
        return Value(lhs == rhs);
      case Node::Kind::kNotEqual:
        return Value(!(lhs == rhs));
      case Node::Kind::kLess:
      case Node::Kind::kLessEqual:
      case Node::Kind::kGreater:
      case Node::Kind::kGreaterEqual:
      case Node::Kind::kIn:
        return Relation(node.kind(), lhs, rhs, node.column());
      default:
        return Arithmetic(node.kind(), lhs, rhs, node.column());
    }
  }

  const Activation& activation_;
};

}  // namespace

std::variant<Value, Error> Evaluate(const Expression& expression, const Activation& activation) {
  return Evaluator(activation).Eval(expression.root());
}

std::variant<bool, Error> EvaluateCondition(const Expression& expression,
                                            const Activation& activation) {
  auto result = Evaluate(expression, activation);
  if (auto* error = std::get_if<Error>(&result)) return std::move(*error);
  const Value& value = std::get<Value>(result);
  if (value.is_bool()) return value.as_bool();
  // Point at the expression as a whole: its first non-blank character.
  const size_t start = expression.text().find_first_not_of(" \t\r\n\f");
  const int column = start == std::string::npos ? 1 : static_cast<int>(start) + 1;
  return Error{column, "condition must evaluate to a bool, got " + std::string(value.type_name())};
}

}  // namespace slipway::expr
