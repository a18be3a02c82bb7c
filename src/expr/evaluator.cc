#include "expr/evaluator.h"

#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "expr/macros.h"
#include "expr/operators.h"

namespace slipway::expr {

using Result = Evaluator::Result;

Evaluator::Evaluator(const Activation& activation) : activation_(activation) {
  for (const auto& [name, value] : activation.variables) {
    if (name.is_string() && name.as_string().find('.') != std::string::npos) {
      has_dotted_names_ = true;
    }
  }
}

Result Evaluator::Eval(const Node& node) {
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
    case Node::Kind::kMethod:
      return Method(node);
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
    case Node::Kind::kList:
      return List(node);
    case Node::Kind::kMap:
      return Map(node);
    case Node::Kind::kMessage:
      return Error{node.column(), "unsupported: message types ('" + node.name() + "{…}')"};
    case Node::Kind::kHas:
      return Has(node);
    case Node::Kind::kComprehension:
      return Comprehension(node);
    case Node::Kind::kBind:
      return Bind(node);
  }
  return Error{node.column(), "internal error: unknown expression node"};
}

Result Evaluator::Index(const Node& node) {
  Result operand = Eval(*node.children()[0]);
  if (std::holds_alternative<Error>(operand)) return operand;
  Result index = Eval(*node.children()[1]);
  if (std::holds_alternative<Error>(index)) return index;
  return IndexValue(std::get<Value>(operand), std::get<Value>(index), node.column());
}

// The caller's function of that name first, then the standard library; `dyn(x)` is x.
Result Evaluator::Call(const Node& node) {
  const auto it = activation_.functions.find(node.name());
  const Activation::Function* function =
      it != activation_.functions.end() && it->second ? &it->second : nullptr;
  if (function == nullptr) function = FindStandardFunction(node.name(), false);
  const bool is_dyn = function == nullptr && node.name() == "dyn" && node.children().size() == 1;
  if (function == nullptr && !is_dyn) {
    return Error{node.column(), "unknown function '" + node.name() + "'"};
  }
  std::vector<Value> args;
  args.reserve(node.children().size());
  for (const auto& child : node.children()) {
    Result arg = Eval(*child);
    if (std::holds_alternative<Error>(arg)) return arg;
    args.push_back(std::move(std::get<Value>(arg)));
  }
  if (is_dyn) return std::move(args[0]);
  return Invoke(*function, node.name(), std::move(args), node.column());
}

// `target.name(args)`: the standard library's receiver-style function, or, when `target` is a
// qualified name that is not a variable (`math.greatest(…)`), the global function of the whole
// dotted name.
Result Evaluator::Method(const Node& node) {
  const Node& target = *node.children()[0];
  if (IsQualifiedName(target) && !NamesValue(target)) {
    const std::string qualified = QualifiedName(target) + "." + node.name();
    const auto it = activation_.functions.find(qualified);
    const Activation::Function* function =
        it != activation_.functions.end() && it->second ? &it->second : nullptr;
    if (function == nullptr) function = FindStandardFunction(qualified, false);
    if (function != nullptr) {
      std::vector<Value> args;
      for (size_t i = 1; i < node.children().size(); ++i) {
        Result arg = Eval(*node.children()[i]);
        if (std::holds_alternative<Error>(arg)) return arg;
        args.push_back(std::move(std::get<Value>(arg)));
      }
      return Invoke(*function, qualified, std::move(args), node.column());
    }
  }
  std::vector<Value> args;
  args.reserve(node.children().size());
  for (const auto& child : node.children()) {
    Result arg = Eval(*child);
    if (std::holds_alternative<Error>(arg)) return arg;
    args.push_back(std::move(std::get<Value>(arg)));
  }
  const Activation::Function* function = FindStandardFunction(node.name(), true);
  if (function == nullptr) return Error{node.column(), "unknown method '" + node.name() + "'"};
  return Invoke(*function, node.name(), std::move(args), node.column());
}

Result Evaluator::Invoke(const Activation::Function& function, const std::string& name,
                         std::vector<Value> args, int column) {
  Result result;
  // Functions come from callers; an exception must not escape Evaluate.
  try {
    result = function(args);
  } catch (const std::exception& e) {
    result = Error{0, "function '" + name + "' failed: " + e.what()};
  } catch (...) {
    result = Error{0, "function '" + name + "' failed"};
  }
  if (auto* error = std::get_if<Error>(&result); error && error->column == 0) {
    error->column = column;
  }
  return Bounded(std::move(result), column);
}

Result Evaluator::Not(const Node& node) {
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
Result Evaluator::Logical(const Node& node) {
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

Result Evaluator::Negation(const Node& node) {
  Result operand = Eval(*node.children()[0]);
  if (std::holds_alternative<Error>(operand)) return operand;
  return Negate(std::get<Value>(operand), node.column());
}

// Only the chosen branch is evaluated, so `x != 0 ? 1 / x : 0` never divides by zero.
Result Evaluator::Conditional(const Node& node) {
  Result condition = Eval(*node.children()[0]);
  if (std::holds_alternative<Error>(condition)) return condition;
  const Value& value = std::get<Value>(condition);
  if (!value.is_bool()) {
    return Error{node.column(), "no such overload: '?:' expects a bool condition, got " +
                                    std::string(value.type_name())};
  }
  return Eval(*node.children()[value.as_bool() ? 1 : 2]);
}

Result Evaluator::Strict(const Node& node) {
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
      return Bounded(Arithmetic(node.kind(), lhs, rhs, node.column()), node.column());
  }
}

Result Evaluator::List(const Node& node) {
  Value::List elements;
  elements.reserve(node.children().size());
  for (const auto& child : node.children()) {
    Result element = Eval(*child);
    if (std::holds_alternative<Error>(element)) return element;
    elements.push_back(std::move(std::get<Value>(element)));
  }
  return Value(std::move(elements));
}

// Keys must be bool, int, uint or string, and distinct (`{1: 'a', 1u: 'b'}` repeats a key:
// CEL's equality says 1 == 1u).
Result Evaluator::Map(const Node& node) {
  Value::Map map;
  const auto& children = node.children();
  for (size_t i = 0; i + 1 < children.size(); i += 2) {
    Result key = Eval(*children[i]);
    if (std::holds_alternative<Error>(key)) return key;
    Result value = Eval(*children[i + 1]);
    if (std::holds_alternative<Error>(value)) return value;
    const Value& k = std::get<Value>(key);
    if (!k.is_bool() && !k.is_int() && !k.is_uint() && !k.is_string()) {
      return Error{children[i]->column(),
                   "unsupported key type: map keys must be bool, int, "
                   "uint or string, got " +
                       std::string(k.type_name())};
    }
    if (map.contains(k) ||
        (k.is_int() && k.as_int() >= 0 && map.contains(Value::Uint(k.as_int()))) ||
        (k.is_uint() && k.as_uint() <= INT64_MAX &&
         map.contains(Value(static_cast<int64_t>(k.as_uint()))))) {
      return Error{children[i]->column(), "Failed with repeated key"};
    }
    map.emplace(k, std::move(std::get<Value>(value)));
  }
  return Value(std::move(map));
}

Result Evaluator::Bounded(Result result, int column) {
  const Value* value = std::get_if<Value>(&result);
  if (value == nullptr) return result;
  const auto too_big = [&](const char* what, size_t size, size_t limit) -> Result {
    return Error{column, std::string(what) + " too large (" + std::to_string(size) +
                             "; the limit is " + std::to_string(limit) + ")"};
  };
  if (value->is_string() && value->as_string().size() > kMaxStringSize) {
    return too_big("string", value->as_string().size(), kMaxStringSize);
  }
  if (value->is_bytes() && value->as_bytes().size() > kMaxStringSize) {
    return too_big("bytes", value->as_bytes().size(), kMaxStringSize);
  }
  if (value->is_list() && value->as_list().size() > kMaxListSize) {
    return too_big("list", value->as_list().size(), kMaxListSize);
  }
  if (value->is_map() && value->as_map().size() > kMaxListSize) {
    return too_big("map", value->as_map().size(), kMaxListSize);
  }
  return result;
}

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
