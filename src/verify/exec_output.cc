// Reading a command's stdout as a measurement: JSON only (a bare number is JSON), so "12 ms",
// "nan" or a half-written line is an error, never a number someone guessed at.
#include "verify/exec_output.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "verify/provider_internal.h"

namespace slipway::verify::internal {
namespace {

using Json = nlohmann::json;

std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

Result<double> FiniteNumber(const Json& json, std::string_view what) {
  const double number = json.get<double>();
  if (!std::isfinite(number)) {
    return FailedPrecondition(std::string(what) + " is not finite: " + Quote(json.dump()));
  }
  return number;
}

Result<Counts> CountsOf(const Json& object) {
  const bool has_events = object.contains("events"), has_total = object.contains("total");
  if (has_events != has_total) return Unavailable("printed \"events\" without \"total\" or back");
  const Json& events = object["events"];
  const Json& total = object["total"];
  if (!events.is_number_unsigned() || !total.is_number_unsigned() ||
      events.get<uint64_t>() > total.get<uint64_t>()) {
    return Unavailable("\"events\" and \"total\" must be integers with 0 <= events <= total, not " +
                       Quote(events.dump()) + " and " + Quote(total.dump()));
  }
  return Counts{events.get<uint64_t>(), total.get<uint64_t>()};
}

Result<Measurement> FromObject(const Json& object) {
  Measurement m;
  if (object.contains("value")) {
    if (!object["value"].is_number()) {
      return Unavailable("\"value\" is not a number: " + Quote(object["value"].dump()));
    }
    SLIPWAY_ASSIGN_OR_RETURN(double value, FiniteNumber(object["value"], "\"value\""));
    m.value = value;
  }
  if (object.contains("samples")) {
    auto samples = FiniteNumbers(object["samples"]);
    if (!samples) {
      return Unavailable("\"samples\" is not a list of finite numbers: " +
                         Quote(object["samples"].dump()));
    }
    m.samples = std::move(*samples);
  }
  if (object.contains("events") || object.contains("total")) {
    SLIPWAY_ASSIGN_OR_RETURN(Counts counts, CountsOf(object));
    m.counts = counts;
  }
  m.result = expr::ValueFromJson(object, expr::LargeIntegers::kDouble);
  return m;
}

}  // namespace

Result<Measurement> ParseExecOutput(std::string_view output) {
  const std::string_view text = Trim(output);
  if (text.empty()) return Unavailable("printed nothing (want a number or JSON on stdout)");
  const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_number()) {
    SLIPWAY_ASSIGN_OR_RETURN(double value, FiniteNumber(json, "the number printed"));
    Measurement m;
    m.value = value;
    m.samples = {value};
    m.result = expr::ValueFromJson(json, expr::LargeIntegers::kDouble);
    return m;
  }
  if (json.is_array()) {
    auto samples = FiniteNumbers(json);
    if (!samples)
      return Unavailable("printed a list that is not all finite numbers: " + Quote(text));
    Measurement m;
    if (!samples->empty()) m.value = samples->front();
    m.samples = std::move(*samples);
    m.result = expr::ValueFromJson(json, expr::LargeIntegers::kDouble);
    return m;
  }
  if (json.is_object()) return FromObject(json);
  return Unavailable("printed \"" + Quote(text) +
                     "\", not a number, a list of numbers or a JSON object");
}

}  // namespace slipway::verify::internal
