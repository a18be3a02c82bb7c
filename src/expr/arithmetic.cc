// `+ - * / %` and unary `-`, as in CEL: int is 64-bit and uint 64-bit unsigned, and overflow of
// either is an error (uint never wraps: `0u - 1u` is an error); double is IEEE (1.0 / 0.0 is
// +Inf); `+` also concatenates strings, bytes and lists; durations and timestamps add and
// subtract within CEL's ranges. CEL has no implicit conversion between int, uint and double,
// so `1 + 2.5` is an error that says how to write it instead.
#include <cstdint>
#include <limits>
#include <string>

#include "expr/library.h"
#include "expr/operators.h"

namespace slipway::expr {
namespace {

using library::Nanos;
using Result = std::variant<Value, Error>;

Result Int(Node::Kind op, int64_t a, int64_t b, int column) {
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
      if (b == 0) {
        return Error{column, op == Node::Kind::kDivide ? "division by zero" : "modulus by zero"};
      }
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return overflow;
      return Value(op == Node::Kind::kDivide ? a / b : a % b);
    default:
      return Error{column, "internal error: not an arithmetic operator"};
  }
}

Result Uint(Node::Kind op, uint64_t a, uint64_t b, int column) {
  const Error overflow{column, "unsigned integer overflow"};
  uint64_t result = 0;
  switch (op) {
    case Node::Kind::kAdd:
      if (__builtin_add_overflow(a, b, &result)) return overflow;
      return Value::Uint(result);
    case Node::Kind::kSubtract:
      if (__builtin_sub_overflow(a, b, &result)) return overflow;
      return Value::Uint(result);
    case Node::Kind::kMultiply:
      if (__builtin_mul_overflow(a, b, &result)) return overflow;
      return Value::Uint(result);
    case Node::Kind::kDivide:
    case Node::Kind::kModulo:
      if (b == 0) {
        return Error{column, op == Node::Kind::kDivide ? "division by zero" : "modulus by zero"};
      }
      return Value::Uint(op == Node::Kind::kDivide ? a / b : a % b);
    default:
      return Error{column, "internal error: not an arithmetic operator"};
  }
}

Result Double(Node::Kind op, const Value& lhs, const Value& rhs, int column) {
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

// duration ± duration, timestamp ± duration, duration + timestamp, timestamp - timestamp;
// std::nullopt for any other combination.
std::optional<Result> Time(Node::Kind op, const Value& lhs, const Value& rhs, int column) {
  const bool add = op == Node::Kind::kAdd;
  if (!add && op != Node::Kind::kSubtract) return std::nullopt;
  const auto duration = [&](Nanos nanos) -> Result {
    if (auto d = library::DurationFromNanos(nanos)) return Value(*d);
    return Error{column, "duration out of range (CEL durations are within about ±292 years)"};
  };
  const auto timestamp = [&](Nanos nanos) -> Result {
    if (auto t = library::TimestampFromNanos(nanos)) return Value(*t);
    return Error{column, "timestamp out of range (CEL timestamps are from year 1 to 9999)"};
  };
  if (lhs.is_duration() && rhs.is_duration()) {
    const Nanos a = library::TotalNanos(lhs.as_duration());
    const Nanos b = library::TotalNanos(rhs.as_duration());
    return duration(add ? a + b : a - b);
  }
  if (lhs.is_timestamp() && rhs.is_duration()) {
    const Nanos a = library::TotalNanos(lhs.as_timestamp());
    const Nanos b = library::TotalNanos(rhs.as_duration());
    return timestamp(add ? a + b : a - b);
  }
  if (add && lhs.is_duration() && rhs.is_timestamp()) {
    return timestamp(library::TotalNanos(lhs.as_duration()) +
                     library::TotalNanos(rhs.as_timestamp()));
  }
  if (!add && lhs.is_timestamp() && rhs.is_timestamp()) {
    return duration(library::TotalNanos(lhs.as_timestamp()) -
                    library::TotalNanos(rhs.as_timestamp()));
  }
  return std::nullopt;
}

template <typename T>
T Concatenate(const T& a, const T& b) {
  T result;
  result.reserve(a.size() + b.size());
  result.insert(result.end(), a.begin(), a.end());
  result.insert(result.end(), b.begin(), b.end());
  return result;
}

bool IsNumber(const Value& v) { return v.is_int() || v.is_uint() || v.is_double(); }

}  // namespace

Result Arithmetic(Node::Kind op, const Value& lhs, const Value& rhs, int column) {
  if (lhs.is_int() && rhs.is_int()) return Int(op, lhs.as_int(), rhs.as_int(), column);
  if (lhs.is_uint() && rhs.is_uint()) return Uint(op, lhs.as_uint(), rhs.as_uint(), column);
  if (lhs.is_double() && rhs.is_double()) return Double(op, lhs, rhs, column);
  if (IsNumber(lhs) && IsNumber(rhs)) {
    const bool uint = lhs.is_uint() || rhs.is_uint();
    return Error{column, NoSuchOverload(op, lhs, rhs) +
                             (uint ? " (CEL does not mix uint with int or double in arithmetic: "
                                     "write 2u rather than 2, or convert with uint(), int() or "
                                     "double())"
                                   : " (CEL does not mix int and double in arithmetic: write "
                                     "2.0 rather than 2, or convert with double() or int())")};
  }
  if (op == Node::Kind::kAdd) {
    const auto too_long = [&](std::string_view what, size_t limit) {
      return Error{column, "'+' would build a " + std::string(what) + " longer than " +
                               std::to_string(limit) + (what == "list" ? " elements" : " bytes")};
    };
    if (lhs.is_string() && rhs.is_string()) {
      if (lhs.as_string().size() + rhs.as_string().size() > library::kMaxStringBytes) {
        return too_long("string", library::kMaxStringBytes);
      }
      return Value(lhs.as_string() + rhs.as_string());
    }
    if (lhs.is_bytes() && rhs.is_bytes()) {
      if (lhs.as_bytes().size() + rhs.as_bytes().size() > library::kMaxStringBytes) {
        return too_long("bytes value", library::kMaxStringBytes);
      }
      return Value::Bytes(lhs.as_bytes() + rhs.as_bytes());
    }
    if (lhs.is_list() && rhs.is_list()) {
      if (lhs.as_list().size() + rhs.as_list().size() > library::kMaxListSize) {
        return too_long("list", library::kMaxListSize);
      }
      return Value(Concatenate(lhs.as_list(), rhs.as_list()));
    }
  }
  if (std::optional<Result> time = Time(op, lhs, rhs, column)) return std::move(*time);
  return Error{column, NoSuchOverload(op, lhs, rhs)};
}

Result Negate(const Value& operand, int column) {
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
