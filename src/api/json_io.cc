// Strict request bodies and query parameters.
#include "api/json_io.h"

#include <charconv>

#include "util/hints.h"

namespace slipway::api {
namespace {

// Finds where a body stops being JSON, for the error message (nlohmann reports the position
// only through exceptions or SAX; exceptions must not be used).
class ErrorFinder : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception&) override {
    position_ = position;
    last_token_ = last_token;
    return false;
  }

  std::size_t position_ = 0;
  std::string last_token_;
};

Status NotJson(std::string_view body) {
  ErrorFinder finder;
  (void)Json::sax_parse(body, &finder, Json::input_format_t::json, true, false);
  std::string token = finder.last_token_.substr(0, 40);
  return InvalidArgument("the request body is not valid JSON (at byte " +
                         std::to_string(finder.position_) +
                         (token.empty() ? "" : ", near '" + token + "'") + ")");
}

Status WrongType(const char* field, const char* what) {
  return InvalidArgument(std::string("field '") + field + "' must be " + what);
}

}  // namespace

Result<BodyObject> BodyObject::Parse(std::string_view body,
                                     std::initializer_list<const char*> known) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return BodyObject(Json::object());
  }
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return NotJson(body);
  if (!doc.is_object()) return InvalidArgument("the request body must be a JSON object");
  std::vector<std::string> names(known.begin(), known.end());
  for (const auto& [key, value] : doc.items()) {
    bool listed = false;
    for (const auto& name : names) listed = listed || name == key;
    if (listed) continue;
    std::string hint = DidYouMean(key, names);
    return InvalidArgument(
        "unknown field '" + key + "'" +
        (hint.empty() ? " (known: " + JoinAlternatives(names) + ")" : " (" + hint + ")"));
  }
  return BodyObject(std::move(doc));
}

const Json* BodyObject::Find(const char* field) const {
  auto it = doc_.find(field);
  if (it == doc_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool BodyObject::Has(const char* field) const { return Find(field) != nullptr; }

Status BodyObject::RequiredString(const char* field, std::string* out) const {
  std::optional<std::string> value;
  SLIPWAY_RETURN_IF_ERROR(OptionalString(field, &value));
  if (!value) return InvalidArgument(std::string("field '") + field + "' is missing");
  *out = std::move(*value);
  return Status::Ok();
}

Status BodyObject::OptionalString(const char* field, std::optional<std::string>* out) const {
  const Json* value = Find(field);
  if (value == nullptr) return Status::Ok();
  if (!value->is_string()) return WrongType(field, "a string");
  *out = value->get_ref<const std::string&>();
  return Status::Ok();
}

Status BodyObject::OptionalBool(const char* field, std::optional<bool>* out) const {
  const Json* value = Find(field);
  if (value == nullptr) return Status::Ok();
  if (!value->is_boolean()) return WrongType(field, "true or false");
  *out = value->get<bool>();
  return Status::Ok();
}

Status BodyObject::OptionalInt(const char* field, int64_t min, int64_t max,
                               std::optional<int64_t>* out) const {
  const Json* value = Find(field);
  if (value == nullptr) return Status::Ok();
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  int64_t number = 0;
  if (value->is_number_integer() && !value->is_number_unsigned()) {
    number = value->get<int64_t>();
  } else if (value->is_number_unsigned() &&
             value->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
    number = static_cast<int64_t>(value->get<uint64_t>());
  } else {
    return WrongType(field, range.c_str());
  }
  if (number < min || number > max) return WrongType(field, range.c_str());
  *out = number;
  return Status::Ok();
}

Status BodyObject::OptionalStringList(const char* field,
                                      std::optional<std::vector<std::string>>* out) const {
  const Json* value = Find(field);
  if (value == nullptr) return Status::Ok();
  if (!value->is_array()) return WrongType(field, "a list of strings");
  std::vector<std::string> items;
  for (const Json& item : *value) {
    if (!item.is_string()) return WrongType(field, "a list of strings");
    items.push_back(item.get<std::string>());
  }
  *out = std::move(items);
  return Status::Ok();
}

Status BodyObject::OptionalStringMap(const char* field,
                                     std::optional<std::map<std::string, std::string>>* out) const {
  const Json* value = Find(field);
  if (value == nullptr) return Status::Ok();
  if (!value->is_object()) return WrongType(field, "an object of strings");
  std::map<std::string, std::string> items;
  for (const auto& [key, item] : value->items()) {
    if (!item.is_string()) {
      return InvalidArgument(std::string("field '") + field + "." + key + "' must be a string");
    }
    items.emplace(key, item.get<std::string>());
  }
  *out = std::move(items);
  return Status::Ok();
}

Result<std::optional<int64_t>> QueryInt(const http::Request& request, std::string_view name,
                                        int64_t min, int64_t max) {
  std::optional<std::string_view> text = request.Query(name);
  if (!text) return std::optional<int64_t>();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return InvalidArgument("query parameter '" + std::string(name) + "' must be an integer from " +
                           std::to_string(min) + " to " + std::to_string(max));
  }
  return std::optional<int64_t>(value);
}

}  // namespace slipway::api
