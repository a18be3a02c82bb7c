// CEL's type conversions: int(), uint(), double(), string(), bytes(), bool(), duration(),
// timestamp(), type() and dyn(). Numeric conversions truncate toward zero and refuse values
// outside the target's range; string conversions of bytes validate UTF-8.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>

#include "expr/library.h"

namespace slipway::expr::library {
namespace {

constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

template <typename T>
std::optional<T> ParseNumber(const std::string& s) {
  T value{};
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

Error OutOfRange(std::string_view function, const Value& x) {
  return Error{0, std::string(function) + "() argument out of range: " + x.ToTemplateString()};
}

Error CannotConvert(std::string_view function, const std::string& s, std::string_view what) {
  return Error{0, std::string(function) + "() cannot convert '" + s + "' to " + std::string(what)};
}

// Doubles truncate toward zero; the bounds are exclusive, as in CEL's reference implementation
// (-2^63 itself is refused: it cannot be told from a rounded neighbour).
Result Int(Args args) {
  const Value& x = args[0];
  if (x.is_int()) return x;
  if (x.is_uint()) {
    if (x.as_uint() > uint64_t{INT64_MAX}) return OutOfRange("int", x);
    return Value(static_cast<int64_t>(x.as_uint()));
  }
  if (x.is_double()) {
    const double d = x.as_double();
    if (std::isnan(d) || d <= -kTwoTo63 || d >= kTwoTo63) return OutOfRange("int", x);
    return Value(static_cast<int64_t>(std::trunc(d)));
  }
  if (x.is_string()) {
    if (auto value = ParseNumber<int64_t>(x.as_string())) return Value(*value);
    return CannotConvert("int", x.as_string(), "an int");
  }
  if (x.is_timestamp()) return Value(x.as_timestamp().seconds);
  return Expects("int", "an int, uint, double, string or timestamp", x);
}

Result Uint(Args args) {
  const Value& x = args[0];
  if (x.is_uint()) return x;
  if (x.is_int()) {
    if (x.as_int() < 0) return OutOfRange("uint", x);
    return Value::Uint(static_cast<uint64_t>(x.as_int()));
  }
  if (x.is_double()) {
    const double d = x.as_double();
    if (std::isnan(d) || d < 0 || d >= kTwoTo64) return OutOfRange("uint", x);
    return Value::Uint(static_cast<uint64_t>(std::trunc(d)));
  }
  if (x.is_string()) {
    if (auto value = ParseNumber<uint64_t>(x.as_string())) return Value::Uint(*value);
    return CannotConvert("uint", x.as_string(), "a uint");
  }
  return Expects("uint", "a uint, int, double or string", x);
}

Result Double(Args args) {
  const Value& x = args[0];
  if (x.is_double()) return x;
  if (x.is_int()) return Value(static_cast<double>(x.as_int()));
  if (x.is_uint()) return Value(static_cast<double>(x.as_uint()));
  if (x.is_string()) {
    // from_chars also reads "NaN", "inf" and "Infinity" (any case), as CEL's double() does.
    if (auto value = ParseNumber<double>(x.as_string())) return Value(*value);
    return CannotConvert("double", x.as_string(), "a double");
  }
  return Expects("double", "a double, int, uint or string", x);
}

Result String(Args args) {
  const Value& x = args[0];
  if (x.is_string()) return x;
  if (x.is_int() || x.is_uint() || x.is_double() || x.is_bool() || x.is_duration() ||
      x.is_timestamp()) {
    return Value(x.ToTemplateString());
  }
  if (x.is_bytes()) {
    if (!IsValidUtf8(x.as_bytes())) {
      return Error{0, "string() cannot convert bytes that are not valid UTF-8 (invalid UTF-8)"};
    }
    return Value(x.as_bytes());
  }
  return Expects("string", "a string, int, uint, double, bool, bytes, duration or timestamp", x);
}

Result Bytes(Args args) {
  const Value& x = args[0];
  if (x.is_bytes()) return x;
  if (x.is_string()) return Value::Bytes(x.as_string());
  return Expects("bytes", "bytes or a string", x);
}

// The spellings Go's strconv.ParseBool accepts, which CEL's bool() follows.
Result Bool(Args args) {
  const Value& x = args[0];
  if (x.is_bool()) return x;
  if (x.is_string()) {
    const std::string& s = x.as_string();
    if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") {
      return Value(true);
    }
    if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") {
      return Value(false);
    }
    return Error{0, "bool() cannot convert '" + s +
                        "' to a bool (type conversion error: expected true, false, t, f, 1 or 0)"};
  }
  return Expects("bool", "a bool or string", x);
}

Result DurationOf(Args args) {
  const Value& x = args[0];
  if (x.is_duration()) return x;
  if (x.is_string()) {
    auto parsed = ParseDuration(x.as_string());
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    return Value(std::get<Duration>(parsed));
  }
  return Expects("duration", "a duration or string", x);
}

Result TimestampOf(Args args) {
  const Value& x = args[0];
  if (x.is_timestamp()) return x;
  if (x.is_string()) {
    auto parsed = ParseTimestamp(x.as_string());
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    return Value(std::get<Timestamp>(parsed));
  }
  if (x.is_int()) {
    if (x.as_int() < kMinTimestampSeconds || x.as_int() > kMaxTimestampSeconds) {
      return Error{0, "timestamp out of range: " + std::to_string(x.as_int()) +
                          " seconds (CEL timestamps are from year 1 to 9999)"};
    }
    return Value(Timestamp{x.as_int(), 0});
  }
  return Expects("timestamp", "a timestamp, string or int", x);
}

Result TypeOf(Args args) { return Value::Type(std::string(args[0].type_name())); }

Result Dyn(Args args) { return args[0]; }

}  // namespace

void AddConversions(FunctionTable& table) {
  AddGlobal(table, "int", 1, Int);
  AddGlobal(table, "uint", 1, Uint);
  AddGlobal(table, "double", 1, Double);
  AddGlobal(table, "string", 1, String);
  AddGlobal(table, "bytes", 1, Bytes);
  AddGlobal(table, "bool", 1, Bool);
  AddGlobal(table, "duration", 1, DurationOf);
  AddGlobal(table, "timestamp", 1, TimestampOf);
  AddGlobal(table, "type", 1, TypeOf);
  AddGlobal(table, "dyn", 1, Dyn);
}

}  // namespace slipway::expr::library
