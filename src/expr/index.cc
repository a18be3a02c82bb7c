// Indexing lists and maps: `container[key]`.
#include <string>

#include "expr/operators.h"

namespace slipway::expr {
namespace {

std::string DescribeKey(const Value& key) {
  if (key.is_string()) return "'" + key.as_string() + "'";
  return key.ToTemplateString();
}

}  // namespace

std::variant<Value, Error> IndexValue(const Value& container, const Value& key, int column) {
  if (container.is_map()) {
    const auto it = container.as_map().find(key);
    if (it == container.as_map().end()) {
      return Error{column, "no such key: " + DescribeKey(key)};
    }
    return it->second;
  }
  if (container.is_list()) {
    if (!key.is_int()) {
      return Error{column, "list index must be an int, got " + std::string(key.type_name())};
    }
    const Value::List& list = container.as_list();
    if (key.as_int() < 0 || static_cast<uint64_t>(key.as_int()) >= list.size()) {
      return Error{column, "index out of range: " + std::to_string(key.as_int()) + " (list size " +
                               std::to_string(list.size()) + ")"};
    }
    return list[static_cast<size_t>(key.as_int())];
  }
  return Error{column, "cannot index a value of type " + std::string(container.type_name())};
}

const Activation::Function* FindStandardFunction(std::string_view name, bool receiver_style) {
  return receiver_style ? nullptr : FindBuiltin(name);
}

}  // namespace slipway::expr
