// Indexing lists and maps: `container[key]`. A list takes an int, a uint or a double with an
// integral value; a map finds its key with CEL's heterogeneous numeric equality
// (`{1: 'a'}[1u]`, `{1: 'a'}[1.0]`).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "expr/library.h"
#include "expr/operators.h"

namespace slipway::expr {
namespace {

std::string DescribeKey(const Value& key) {
  if (key.is_string()) return "'" + key.as_string() + "'";
  return key.ToTemplateString();
}

// The position `key` names, when it is a whole number of any numeric type; nullopt otherwise.
// Positions past INT64_MAX are clamped there: they are out of range of any list anyway.
std::optional<int64_t> Position(const Value& key) {
  if (key.is_int()) return key.as_int();
  if (key.is_uint()) return static_cast<int64_t>(std::min<uint64_t>(key.as_uint(), INT64_MAX));
  if (key.is_double()) {
    const double d = key.as_double();
    if (std::isnan(d) || d != std::trunc(d)) return std::nullopt;
    if (d >= 9223372036854775808.0) return INT64_MAX;
    if (d < -9223372036854775808.0) return INT64_MIN;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

std::variant<Value, Error> IndexValue(const Value& container, const Value& key, int column) {
  if (container.is_map()) {
    if (!key.is_string() && !key.is_int() && !key.is_uint() && !key.is_bool() && !key.is_double()) {
      return Error{column, "invalid map key type: " + std::string(key.type_name()) +
                               " (map keys are string, int, uint or bool)"};
    }
    const Value* value = library::FindMapEntry(container.as_map(), key);
    if (value == nullptr) return Error{column, "no such key: " + DescribeKey(key)};
    return *value;
  }
  if (container.is_list()) {
    const std::optional<int64_t> position = Position(key);
    if (!position && key.is_double()) {
      return Error{column, "list index must be a whole number, got " + key.ToTemplateString()};
    }
    if (!position) {
      return Error{column, "list index must be an int, got " + std::string(key.type_name())};
    }
    const Value::List& list = container.as_list();
    if (*position < 0 || static_cast<uint64_t>(*position) >= list.size()) {
      return Error{column, "index out of range: " + DescribeKey(key) + " (list size " +
                               std::to_string(list.size()) + ")"};
    }
    return list[static_cast<size_t>(*position)];
  }
  return Error{column, "cannot index a value of type " + std::string(container.type_name())};
}

}  // namespace slipway::expr
