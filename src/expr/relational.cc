// `<`, `<=`, `>`, `>=` and `in`. Ordering follows CEL: int, uint and double compare
// numerically across types (exactly, without rounding either side), strings by code point,
// bytes bytewise, false < true, durations and timestamps in time order; NaN is unordered, so
// every comparison with it is false. Other types have no ordering. `in` uses CEL's
// heterogeneous equality: `1u in [1]` and `1.0 in {1: 'a'}` are true.
#include <cmath>
#include <compare>
#include <optional>

#include "expr/library.h"
#include "expr/operators.h"

namespace slipway::expr {
namespace {

constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

std::partial_ordering CompareIntDouble(int64_t i, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  if (d >= kTwoTo63) return std::partial_ordering::less;
  if (d < -kTwoTo63) return std::partial_ordering::greater;
  const double whole = std::trunc(d);
  const auto truncated = static_cast<int64_t>(whole);
  if (i != truncated) return i <=> truncated;
  return 0.0 <=> (d - whole);  // i is d's integer part: the fraction decides
}

std::partial_ordering CompareUintDouble(uint64_t u, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  if (d >= kTwoTo64) return std::partial_ordering::less;
  if (d < 0) return std::partial_ordering::greater;
  const double whole = std::trunc(d);
  const auto truncated = static_cast<uint64_t>(whole);
  if (u != truncated) return u <=> truncated;
  return 0.0 <=> (d - whole);
}

std::strong_ordering CompareIntUint(int64_t i, uint64_t u) {
  if (i < 0) return std::strong_ordering::less;
  return static_cast<uint64_t>(i) <=> u;
}

std::partial_ordering Reverse(std::partial_ordering order) { return 0 <=> order; }

// std::nullopt when the two types have no ordering between them.
std::optional<std::partial_ordering> Compare(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return a.as_int() <=> b.as_int();
  if (a.is_uint() && b.is_uint()) return a.as_uint() <=> b.as_uint();
  if (a.is_double() && b.is_double()) return a.as_double() <=> b.as_double();
  if (a.is_int() && b.is_double()) return CompareIntDouble(a.as_int(), b.as_double());
  if (a.is_double() && b.is_int()) return Reverse(CompareIntDouble(b.as_int(), a.as_double()));
  if (a.is_uint() && b.is_double()) return CompareUintDouble(a.as_uint(), b.as_double());
  if (a.is_double() && b.is_uint()) return Reverse(CompareUintDouble(b.as_uint(), a.as_double()));
  if (a.is_int() && b.is_uint()) return CompareIntUint(a.as_int(), b.as_uint());
  if (a.is_uint() && b.is_int()) return Reverse(CompareIntUint(b.as_int(), a.as_uint()));
  // Byte order of UTF-8 is code point order; std::string compares bytes as unsigned.
  if (a.is_string() && b.is_string()) return a.as_string().compare(b.as_string()) <=> 0;
  if (a.is_bytes() && b.is_bytes()) return a.as_bytes().compare(b.as_bytes()) <=> 0;
  if (a.is_bool() && b.is_bool()) return a.as_bool() <=> b.as_bool();
  if (a.is_duration() && b.is_duration()) return a.as_duration() <=> b.as_duration();
  if (a.is_timestamp() && b.is_timestamp()) return a.as_timestamp() <=> b.as_timestamp();
  return std::nullopt;
}

std::variant<Value, Error> In(const Value& element, const Value& container, int column) {
  if (container.is_list()) {
    for (const Value& item : container.as_list()) {
      if (item == element) return Value(true);
    }
    return Value(false);
  }
  if (container.is_map()) {
    return Value(library::FindMapEntry(container.as_map(), element) != nullptr);
  }
  return Error{column, NoSuchOverload(Node::Kind::kIn, element, container) +
                           " (the right side must be a list or a map)"};
}

}  // namespace

std::variant<Value, Error> Relation(Node::Kind op, const Value& lhs, const Value& rhs, int column) {
  if (op == Node::Kind::kIn) return In(lhs, rhs, column);
  const std::optional<std::partial_ordering> order = Compare(lhs, rhs);
  if (!order) return Error{column, NoSuchOverload(op, lhs, rhs)};
  switch (op) {
    case Node::Kind::kLess:
      return Value(*order < 0);
    case Node::Kind::kLessEqual:
      return Value(*order <= 0);
    case Node::Kind::kGreater:
      return Value(*order > 0);
    case Node::Kind::kGreaterEqual:
      return Value(*order >= 0);
    default:
      return Error{column, "internal error: not a relational operator"};
  }
}

std::string NoSuchOverload(Node::Kind op, const Value& lhs, const Value& rhs) {
  return std::string("no such overload: '") + OperatorSpelling(op) + "' on " +
         std::string(lhs.type_name()) + " and " + std::string(rhs.type_name());
}

}  // namespace slipway::expr
