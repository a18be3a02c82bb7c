#include "triggers/json_fields.h"

#include <cctype>
#include <string>

namespace slipway::triggers::internal {

Result<nlohmann::json> JsonObject::ParseBody(std::string_view body) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
    // the bracketed id means nothing to a user.
    std::string what = e.what();
    if (const size_t close = what.find("] "); what.starts_with("[") && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    return InvalidArgument("body is not valid JSON: " + what);
  }
  if (!json.is_object()) return InvalidArgument("body must be a JSON object");
  return json;
}

std::string JsonObject::FieldPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const nlohmann::json* JsonObject::Find(std::string_view key) const {
  auto it = json_->find(key);
  if (it == json_->end() || it->is_null()) return nullptr;
  return &*it;
}

Status JsonObject::Missing(std::string_view key) const {
  return InvalidArgument("field '" + FieldPath(key) + "' is missing");
}

Status JsonObject::WrongType(std::string_view key, std::string_view what) const {
  return InvalidArgument("field '" + FieldPath(key) + "' must be " + std::string(what));
}

Result<std::string> JsonObject::String(std::string_view key) const {
  SLIPWAY_ASSIGN_OR_RETURN(auto value, OptionalString(key));
  if (!value) return Missing(key);
  return std::move(*value);
}

Result<JsonObject> JsonObject::Object(std::string_view key) const {
  SLIPWAY_ASSIGN_OR_RETURN(auto value, OptionalObject(key));
  if (!value) return Missing(key);
  return std::move(*value);
}

Result<std::vector<JsonObject>> JsonObject::ObjectList(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return Missing(key);
  if (!value->is_array()) return WrongType(key, "a list of objects");
  std::vector<JsonObject> out;
  out.reserve(value->size());
  for (size_t i = 0; i < value->size(); ++i) {
    const std::string item_path = FieldPath(key) + "[" + std::to_string(i) + "]";
    if (!(*value)[i].is_object()) {
      return InvalidArgument("field '" + item_path + "' must be an object");
    }
    out.emplace_back((*value)[i], item_path);
  }
  return out;
}

Result<std::vector<std::string>> JsonObject::StringList(std::string_view key) const {
  SLIPWAY_ASSIGN_OR_RETURN(auto value, OptionalStringList(key));
  if (!value) return Missing(key);
  return std::move(*value);
}

Result<std::optional<std::string>> JsonObject::OptionalString(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return WrongType(key, "a string");
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::optional<JsonObject>> JsonObject::OptionalObject(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<JsonObject>();
  if (!value->is_object()) return WrongType(key, "an object");
  return std::optional<JsonObject>(JsonObject(*value, FieldPath(key)));
}

Result<std::optional<std::vector<std::string>>> JsonObject::OptionalStringList(
    std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<std::vector<std::string>>();
  if (!value->is_array()) return WrongType(key, "a list of strings");
  std::vector<std::string> out;
  out.reserve(value->size());
  for (const auto& item : *value) {
    if (!item.is_string()) return WrongType(key, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<int64_t>> JsonObject::OptionalInteger(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<int64_t>();
  if (!value->is_number_integer()) return WrongType(key, "an integer");
  return std::optional<int64_t>(value->get<int64_t>());
}

Result<std::optional<bool>> JsonObject::OptionalBool(std::string_view key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return WrongType(key, "true or false");
  return std::optional<bool>(value->get<bool>());
}

bool IsFullSha(std::string_view sha) {
  if (sha.size() != 40 && sha.size() != 64) return false;
  for (char c : sha) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Result<std::string> ShaField(const JsonObject& object, std::string_view key) {
  SLIPWAY_ASSIGN_OR_RETURN(std::string sha, object.String(key));
  if (!IsFullSha(sha)) {
    return InvalidArgument("field '" + object.FieldPath(key) +
                           "' must be a full commit id (40 or 64 hex digits)");
  }
  for (char& c : sha) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return sha;
}

}  // namespace slipway::triggers::internal
