// ParseAlertmanagerPayload: the strict reading of an Alertmanager webhook body. Every error
// names the field, so an operator can see which part of their Alertmanager setup is wrong.
#include <nlohmann/json.hpp>
#include <string>

#include "api/alert_intake.h"
#include "util/rfc3339.h"

namespace slipway::api {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxFingerprint = 128;

Status Missing(const std::string& field) { return InvalidArgument(field + " is missing"); }

const Json* Field(const Json& object, const char* name) {
  auto found = object.find(name);
  return found == object.end() || found->is_null() ? nullptr : &*found;
}

Status ReadString(const Json& object, const char* name, const std::string& path, bool required,
                  std::string* out) {
  const Json* value = Field(object, name);
  if (value == nullptr) return required ? Missing(path) : Status::Ok();
  if (!value->is_string()) return InvalidArgument(path + " must be a string");
  *out = value->get<std::string>();
  return Status::Ok();
}

Status ReadStatus(const Json& object, const std::string& prefix, store::AlertStatus* out) {
  std::string text;
  SLIPWAY_RETURN_IF_ERROR(ReadString(object, "status", prefix + "status", true, &text));
  std::optional<store::AlertStatus> status = store::ParseAlertStatus(text);
  if (!status) {
    return InvalidArgument(prefix + "status must be \"firing\" or \"resolved\", not \"" +
                           text.substr(0, 40) + "\"");
  }
  *out = *status;
  return Status::Ok();
}

Status ReadStringMap(const Json& object, const char* name, const std::string& path,
                     std::map<std::string, std::string>* out) {
  const Json* value = Field(object, name);
  if (value == nullptr) return Missing(path);
  if (!value->is_object()) return InvalidArgument(path + " must be an object of strings");
  for (const auto& [key, item] : value->items()) {
    if (!item.is_string()) return InvalidArgument(path + "." + key + " must be a string");
    (*out)[key] = item.get<std::string>();
  }
  return Status::Ok();
}

Status ReadTime(const Json& object, const char* name, const std::string& path,
                std::optional<store::Time>* out) {
  std::string text;
  SLIPWAY_RETURN_IF_ERROR(ReadString(object, name, path, true, &text));
  // Go's zero time (how Go writes it): Alertmanager's "no end yet".
  if (text == "0001-01-01T00:00:00Z") {
    out->reset();
    return Status::Ok();
  }
  std::optional<store::Time> time = ParseRfc3339(text);
  if (!time) {
    return InvalidArgument(path + " must be an RFC 3339 time, not \"" + text.substr(0, 40) + "\"");
  }
  *out = time;
  return Status::Ok();
}

Result<PayloadAlert> ReadAlert(const Json& object, const std::string& prefix) {
  if (!object.is_object())
    return InvalidArgument(prefix.substr(0, prefix.size() - 1) + " must be an object");
  PayloadAlert alert;
  SLIPWAY_RETURN_IF_ERROR(ReadStatus(object, prefix, &alert.status));
  SLIPWAY_RETURN_IF_ERROR(ReadStringMap(object, "labels", prefix + "labels", &alert.labels));
  if (alert.labels.empty()) return InvalidArgument(prefix + "labels must not be empty");
  SLIPWAY_RETURN_IF_ERROR(
      ReadStringMap(object, "annotations", prefix + "annotations", &alert.annotations));
  std::optional<store::Time> starts;
  SLIPWAY_RETURN_IF_ERROR(ReadTime(object, "startsAt", prefix + "startsAt", &starts));
  if (!starts) return InvalidArgument(prefix + "startsAt must be set");
  alert.starts_at = *starts;
  SLIPWAY_RETURN_IF_ERROR(ReadTime(object, "endsAt", prefix + "endsAt", &alert.ends_at));
  if (alert.status == store::AlertStatus::kResolved && !alert.ends_at) {
    return InvalidArgument(prefix + "endsAt must be set for a resolved alert");
  }
  SLIPWAY_RETURN_IF_ERROR(
      ReadString(object, "generatorURL", prefix + "generatorURL", false, &alert.generator_url));
  SLIPWAY_RETURN_IF_ERROR(
      ReadString(object, "fingerprint", prefix + "fingerprint", true, &alert.fingerprint));
  if (alert.fingerprint.empty() || alert.fingerprint.size() > kMaxFingerprint) {
    return InvalidArgument(prefix + "fingerprint must have 1 to " +
                           std::to_string(kMaxFingerprint) + " characters");
  }
  return alert;
}

}  // namespace

Result<AlertmanagerPayload> ParseAlertmanagerPayload(std::string_view body) {
  const Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded()) return InvalidArgument("the request body is not valid JSON");
  if (!doc.is_object()) return InvalidArgument("the request body must be a JSON object");
  std::string version;
  SLIPWAY_RETURN_IF_ERROR(ReadString(doc, "version", "version", true, &version));
  if (version != "4") {
    return InvalidArgument("version must be \"4\" (Alertmanager's webhook format), not \"" +
                           version.substr(0, 20) + "\"");
  }
  AlertmanagerPayload payload;
  SLIPWAY_RETURN_IF_ERROR(ReadString(doc, "receiver", "receiver", true, &payload.receiver));
  SLIPWAY_RETURN_IF_ERROR(ReadStatus(doc, "", &payload.status));
  const Json* alerts = Field(doc, "alerts");
  if (alerts == nullptr) return Missing("alerts");
  if (!alerts->is_array()) return InvalidArgument("alerts must be an array");
  if (alerts->size() > kMaxAlertsPerPayload) {
    return InvalidArgument("alerts has " + std::to_string(alerts->size()) + " alerts; at most " +
                           std::to_string(kMaxAlertsPerPayload) +
                           " are taken at once (Alertmanager's max_alerts)");
  }
  for (size_t i = 0; i < alerts->size(); ++i) {
    SLIPWAY_ASSIGN_OR_RETURN(PayloadAlert alert,
                             ReadAlert((*alerts)[i], "alerts[" + std::to_string(i) + "]."));
    payload.alerts.push_back(std::move(alert));
  }
  return payload;
}

}  // namespace slipway::api
