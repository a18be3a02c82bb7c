#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace slipway::engine {
namespace {

expr::Value ToValue(const nlohmann::json& value) {
  if (value.is_boolean()) return expr::Value(value.get<bool>());
  if (value.is_number_integer()) return expr::Value(value.get<int64_t>());
  if (value.is_number()) return expr::Value(value.get<double>());
  if (value.is_string()) return expr::Value(value.get<std::string>());
  if (value.is_object()) {
    expr::Value::Map map;
    for (const auto& [key, item] : value.items()) map.emplace(key, ToValue(item));
    return expr::Value(std::move(map));
  }
  if (value.is_array()) {
    expr::Value::List list;
    for (const auto& item : value) list.push_back(ToValue(item));
    return expr::Value(std::move(list));
  }
  return expr::Value();
}

}  // namespace

expr::Value ValueFromJson(std::string_view json_text) {
  auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  return doc.is_discarded() ? expr::Value(expr::Value::Map{}) : ToValue(doc);
}

}  // namespace slipway::engine
