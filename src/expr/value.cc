#include <cassert>
#include <cmath>

#include "expr/expr.h"

namespace slipway::expr {
namespace {

// Exact comparison: converting either side would round (2^53 + 1 vs 2^53 as a double).
bool IntEqualsDouble(int64_t i, double d) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::isnan(d) || d < -kTwoTo63 || d >= kTwoTo63 || d != std::trunc(d)) return false;
  return static_cast<int64_t>(d) == i;
}

}  // namespace

bool Value::as_bool() const {
  assert(is_bool());
  return std::get<bool>(data_);
}

int64_t Value::as_int() const {
  assert(is_int());
  return std::get<int64_t>(data_);
}

double Value::as_double() const {
  assert(is_double());
  return std::get<double>(data_);
}

const std::string& Value::as_string() const {
  assert(is_string());
  return std::get<std::string>(data_);
}

const Value::List& Value::as_list() const {
  assert(is_list());
  return *std::get<std::shared_ptr<const List>>(data_);
}

const Value::Map& Value::as_map() const {
  assert(is_map());
  return *std::get<std::shared_ptr<const Map>>(data_);
}

std::string_view Value::type_name() const {
  if (is_bool()) return "bool";
  if (is_int()) return "int";
  if (is_double()) return "double";
  if (is_string()) return "string";
  if (is_list()) return "list";
  if (is_map()) return "map";
  return "null_type";
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_int() && b.is_double()) return IntEqualsDouble(a.as_int(), b.as_double());
  if (a.is_double() && b.is_int()) return IntEqualsDouble(b.as_int(), a.as_double());
  if (a.data_.index() != b.data_.index()) return false;
  if (a.is_null()) return true;
  if (a.is_bool()) return a.as_bool() == b.as_bool();
  if (a.is_int()) return a.as_int() == b.as_int();
  if (a.is_double()) return a.as_double() == b.as_double();  // NaN != NaN, as in IEEE and CEL
  if (a.is_string()) return a.as_string() == b.as_string();
  if (a.is_list()) {
    const Value::List& x = a.as_list();
    const Value::List& y = b.as_list();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!(x[i] == y[i])) return false;
    }
    return true;
  }
  const Value::Map& x = a.as_map();
  const Value::Map& y = b.as_map();
  if (x.size() != y.size()) return false;
  for (const auto& [key, value] : x) {
    const auto it = y.find(key);
    if (it == y.end() || !(it->second == value)) return false;
  }
  return true;
}

}  // namespace slipway::expr
