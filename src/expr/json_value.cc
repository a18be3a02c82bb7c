// ValueFromJson: JSON documents (an exec provider's output, an HTTP check's body, `slipway expr
// --input`) as expression values.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "expr/expr.h"

namespace slipway::expr {

Value ValueFromJson(const nlohmann::json& json, LargeIntegers large) {
  switch (json.type()) {
    case nlohmann::json::value_t::boolean:
      return json.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return json.get<int64_t>();
    case nlohmann::json::value_t::number_unsigned: {
      const auto value = json.get<uint64_t>();
      if (value <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(value);
      if (large == LargeIntegers::kUint) return Value::Uint(value);
      return static_cast<double>(value);
    }
    case nlohmann::json::value_t::number_float:
      return json.get<double>();
    case nlohmann::json::value_t::string:
      return json.get<std::string>();
    case nlohmann::json::value_t::array: {
      Value::List list;
      list.reserve(json.size());
      for (const auto& element : json) list.push_back(ValueFromJson(element, large));
      return list;
    }
    case nlohmann::json::value_t::object: {
      Value::Map map;
      for (const auto& [key, element] : json.items()) {
        map.emplace(key, ValueFromJson(element, large));
      }
      return map;
    }
    default:
      return nullptr;
  }
}

}  // namespace slipway::expr
