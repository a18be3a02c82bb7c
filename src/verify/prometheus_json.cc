// Prometheus API answers → Measurement. Every value Prometheus sends is a [time, "number"]
// pair with the number as a string ("NaN" and "+Inf" included), so each is checked here:
// a NaN from 0/0 (no traffic) must never reach a success condition as a number.
#include "verify/prometheus_json.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "verify/provider_internal.h"

namespace slipway::verify::internal {
namespace {

using Json = nlohmann::json;

Status ErrorFromPrometheus(std::string_view what, const Json& answer) {
  const std::string type = answer.value("errorType", std::string("unknown"));
  const std::string message = answer.value("error", std::string("(no message)"));
  const std::string text =
      std::string(what) + ": Prometheus answered " + type + ": " + Quote(message, 500);
  if (type == "bad_data") return InvalidArgument(text);
  if (type == "timeout") return Status(StatusCode::kDeadlineExceeded, text);
  if (type == "canceled") return Cancelled(text);
  return Unavailable(text);
}

// One [time, "value"] pair's value.
Result<double> SampleValue(std::string_view what, const Json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) {
    return Unavailable(std::string(what) +
                       ": a sample is not [time, \"value\"]: " + Quote(pair.dump()));
  }
  const auto& text = pair[1].get_ref<const std::string&>();
  if (text == "NaN" || text == "+Inf" || text == "-Inf" || text == "Inf") {
    return FailedPrecondition(std::string(what) + ": the query's value is " + text +
                              " (0/0 when there was no traffic?)");
  }
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Unavailable(std::string(what) + ": a sample's value is not a number: \"" + Quote(text) +
                       "\"");
  }
  return value;
}

Result<Measurement> FromVector(std::string_view what, const Json& result, Measurement m) {
  if (result.empty()) return NotFound(std::string(what) + ": no data (an empty vector)");
  expr::Value::List list;
  for (const Json& element : result) {
    if (!element.is_object() || !element.contains("value")) {
      return Unavailable(std::string(what) + ": a vector element has no \"value\"");
    }
    SLIPWAY_ASSIGN_OR_RETURN(double value, SampleValue(what, element["value"]));
    m.samples.push_back(value);
    list.emplace_back(value);
  }
  m.value = m.samples.front();
  m.result = std::move(list);
  return m;
}

Result<Measurement> FromMatrix(std::string_view what, const Json& result, Measurement m) {
  if (result.empty()) return NotFound(std::string(what) + ": no data (an empty matrix)");
  if (result.size() > 1) {
    return InvalidArgument(std::string(what) + ": the range query returned " +
                           std::to_string(result.size()) +
                           " series; aggregate them to one (sum, avg, max …)");
  }
  const Json& series = result[0];
  if (!series.is_object() || !series.contains("values") || !series["values"].is_array()) {
    return Unavailable(std::string(what) + ": a matrix series has no \"values\" list");
  }
  expr::Value::List list;
  for (const Json& pair : series["values"]) {
    SLIPWAY_ASSIGN_OR_RETURN(double value, SampleValue(what, pair));
    m.samples.push_back(value);
    list.emplace_back(value);
  }
  if (m.samples.empty()) return NotFound(std::string(what) + ": no data (a series without points)");
  m.value = m.samples.back();
  m.result = std::move(list);
  return m;
}

Result<Measurement> FromData(std::string_view what, const Json& answer, Measurement m) {
  if (!answer.contains("data") || !answer["data"].is_object()) {
    return Unavailable(std::string(what) + ": the answer has no \"data\" object");
  }
  const Json& data = answer["data"];
  const std::string type = data.value("resultType", std::string());
  if (!data.contains("result"))
    return Unavailable(std::string(what) + ": \"data\" has no \"result\"");
  const Json& result = data["result"];
  if (type == "scalar") {
    SLIPWAY_ASSIGN_OR_RETURN(double value, SampleValue(what, result));
    m.value = value;
    m.samples = {value};
    m.result = value;
    return m;
  }
  if ((type == "vector" || type == "matrix") && !result.is_array()) {
    return Unavailable(std::string(what) + ": the " + type + " result is not a list");
  }
  if (type == "vector") return FromVector(what, result, std::move(m));
  if (type == "matrix") return FromMatrix(what, result, std::move(m));
  return Unavailable(std::string(what) + ": unexpected resultType \"" + Quote(type) +
                     "\" (want scalar, vector or matrix)");
}

Result<Measurement> FromAnswer(std::string_view what, int http_status, std::string_view body,
                               const Json& answer, std::chrono::system_clock::time_point at) {
  if (answer.is_object() && answer.value("status", std::string()) == "error") {
    return ErrorFromPrometheus(what, answer);
  }
  if (http_status == 401 || http_status == 403) {
    return PermissionDenied(std::string(what) + ": HTTP " + std::to_string(http_status) +
                            " (check bearer_token and headers): " + Quote(body));
  }
  if (http_status < 200 || http_status >= 300) {
    return Unavailable(std::string(what) + ": HTTP " + std::to_string(http_status) + ": " +
                       Quote(body));
  }
  if (answer.is_discarded()) {
    return Unavailable(std::string(what) + ": the answer is not JSON: " + Quote(body));
  }
  if (!answer.is_object() || answer.value("status", std::string()) != "success") {
    return Unavailable(std::string(what) +
                       ": the answer is not a Prometheus API answer: " + Quote(body));
  }
  Measurement m;
  m.at = at;
  return FromData(what, answer, std::move(m));
}

}  // namespace

Result<Measurement> ParsePrometheusAnswer(std::string_view what, int http_status,
                                          std::string_view body,
                                          std::chrono::system_clock::time_point at) {
  const Json answer = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  try {
    return FromAnswer(what, http_status, body, answer, at);
  } catch (const Json::exception& e) {  // a field of an unexpected type ("status": 3, …)
    return Unavailable(std::string(what) + ": the answer has an unexpected shape: " + e.what());
  }
}

}  // namespace slipway::verify::internal
