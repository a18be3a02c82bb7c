// `+ - * / %` and unary `-`, as in CEL: int is 64-bit and overflow is an error, double is IEEE
// (1.0 / 0.0 is +Inf), `+` also concatenates strings and lists. CEL has no implicit conversion
// between int and double, so `1 + 2.5` is an error that says how to write it instead.
#include <cstdint>
#include <limits>

#include "expr/operators.h"

namespace slipway::expr {
namespace {

std::variant<Value, Error> Int(Node::Kind op, int64_t a, int64_t b, int column) {
  const Error overflow{column, "integer overflow"};
  int64_t result = 0;
  switch (op) {
    case Node::Kind::kAdd:
      if (__builtin_add_overflow(a, b, &result)) return overflow;
      return Value(result);
    case Node::Kind::kSubtract:
      if (__builtin_sub_overflow(a, b, &result)) return overflow;
      return Value(result);
    case Node::Kind::kMultiply:
      if (__builtin_mul_overflow(a, b, &result)) return overflow;
      return Value(result);
    case Node::Kind::kDivide:
    case Node::Kind::kModulo:
      if (b == 0) return Error{column, "division by zero"};
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return overflow;
      return Value(op == Node::Kind::kDivide ? a / b : a % b);
    default:
      return Error{column, "internal error: not an arithmetic operator"};
  }
}

std::variant<Value, Error> Double(Node::Kind op, const Value& lhs, const Value& rhs, int column) {
  const double a = lhs.as_double();
  const double b = rhs.as_double();
  switch (op) {
    case Node::Kind::kAdd:
      return Value(a + b);
    case Node::Kind::kSubtract:
      return Value(a - b);
    case Node::Kind::kMultiply:
      return Value(a * b);
    case Node::Kind::kDivide:
      return Value(a / b);
    default:  // CEL has no `%` on doubles
      return Error{column, NoSuchOverload(op, lhs, rhs)};
  }
}

template <typename T>
T Concatenate(const T& a, const T& b) {
  T result;
  result.reserve(a.size() + b.size());
  result.insert(result.end(), a.begin(), a.end());
  result.insert(result.end(), b.begin(), b.end());
  return result;
}

}  // namespace

std::variant<Value, Error> Arithmetic(Node::Kind op, const Value& lhs, const Value& rhs,
                                      int column) {
  if (lhs.is_int() && rhs.is_int()) return Int(op, lhs.as_int(), rhs.as_int(), column);
  if (lhs.is_double() && rhs.is_double()) return Double(op, lhs, rhs, column);
  if ((lhs.is_int() && rhs.is_double()) || (lhs.is_double() && rhs.is_int())) {
    return Error{column, NoSuchOverload(op, lhs, rhs) +
                             " (CEL does not mix int and double in arithmetic: write 2.0 "
                             "rather than 2, or convert with double() or int())"};
  }
  if (op == Node::Kind::kAdd && lhs.is_string() && rhs.is_string()) {
    return Value(lhs.as_string() + rhs.as_string());
  }
  if (op == Node::Kind::kAdd && lhs.is_list() && rhs.is_list()) {
    return Value(Concatenate(lhs.as_list(), rhs.as_list()));
  }
  return Error{column, NoSuchOverload(op, lhs, rhs)};
}

std::variant<Value, Error> Negate(const Value& operand, int column) {
  if (operand.is_int()) {
    if (operand.as_int() == std::numeric_limits<int64_t>::min()) {
      return Error{column, "integer overflow"};
    }
    return Value(-operand.as_int());
  }
  if (operand.is_double()) return Value(-operand.as_double());
  return Error{column, "no such overload: '-' expects an int or double, got " +
                           std::string(operand.type_name())};
}

}  // namespace slipway::expr
