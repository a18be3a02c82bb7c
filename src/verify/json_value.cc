// JSON answers (HTTP check bodies, exec output) as expression values for analysis conditions.
#include <cmath>
#include <nlohmann/json.hpp>

#include "verify/provider_internal.h"

namespace slipway::verify::internal {

expr::Value JsonToValue(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::boolean:
      return json.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return json.get<int64_t>();
    case nlohmann::json::value_t::number_unsigned: {
      // Past int64 an integer keeps its magnitude as a double rather than wrapping.
      const auto value = json.get<uint64_t>();
      if (value <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(value);
      return static_cast<double>(value);
    }
    case nlohmann::json::value_t::number_float:
      return json.get<double>();
    case nlohmann::json::value_t::string:
      return json.get<std::string>();
    case nlohmann::json::value_t::array: {
      expr::Value::List list;
      list.reserve(json.size());
      for (const auto& element : json) list.push_back(JsonToValue(element));
      return list;
    }
    case nlohmann::json::value_t::object: {
      expr::Value::Map map;
      for (const auto& [key, element] : json.items()) map.emplace(key, JsonToValue(element));
      return map;
    }
    default:
      return nullptr;
  }
}

std::optional<std::vector<double>> FiniteNumbers(const nlohmann::json& json) {
  if (!json.is_array()) return std::nullopt;
  std::vector<double> numbers;
  numbers.reserve(json.size());
  for (const auto& element : json) {
    if (!element.is_number()) return std::nullopt;
    const double number = element.get<double>();
    if (!std::isfinite(number)) return std::nullopt;
    numbers.push_back(number);
  }
  return numbers;
}

}  // namespace slipway::verify::internal
