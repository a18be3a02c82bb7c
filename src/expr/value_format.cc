// Value::ToTemplateString, and the compact JSON it uses for lists and maps. Hand-written so
// the module depends on nothing but util.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "expr/expr.h"

namespace slipway::expr {
namespace {

// Shortest text that reads back as the same double; NaN and infinities as CEL's string()
// spells them, since JSON has no spelling for them (AppendJson writes null instead).
std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
  return std::string(buffer, result.ptr);
}

// Escapes what JSON requires; other bytes (including UTF-8 sequences) pass through.
void AppendJsonString(const std::string& s, std::string& out) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
          out += escape;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendJson(const Value& value, std::string& out) {
  if (value.is_null()) {
    out += "null";
  } else if (value.is_bool()) {
    out += value.as_bool() ? "true" : "false";
  } else if (value.is_int()) {
    out += std::to_string(value.as_int());
  } else if (value.is_uint()) {
    out += std::to_string(value.as_uint());
  } else if (value.is_double()) {
    out += std::isfinite(value.as_double()) ? FormatDouble(value.as_double()) : "null";
  } else if (value.is_string()) {
    AppendJsonString(value.as_string(), out);
  } else if (value.is_bytes() || value.is_duration() || value.is_timestamp() || value.is_type()) {
    AppendJsonString(value.ToTemplateString(), out);
  } else if (value.is_list()) {
    out += '[';
    bool first = true;
    for (const Value& element : value.as_list()) {
      if (!first) out += ',';
      first = false;
      AppendJson(element, out);
    }
    out += ']';
  } else if (value.is_map()) {
    out += '{';
    bool first = true;
    for (const auto& [key, element] : value.as_map()) {
      if (!first) out += ',';
      first = false;
      AppendJsonString(key.is_string() ? key.as_string() : key.ToTemplateString(), out);
      out += ':';
      AppendJson(element, out);
    }
    out += '}';
  }
}

// A duration in CEL's string form: seconds with up to nine fractional digits and an "s".
std::string FormatDuration(Duration d) {
  std::string out = (d.seconds < 0 || d.nanos < 0) ? "-" : "";
  const uint64_t seconds = d.seconds < 0 ? 0 - uint64_t(d.seconds) : uint64_t(d.seconds);
  out += std::to_string(seconds);
  if (d.nanos != 0) {
    std::string fraction = std::to_string(1000000000 + (d.nanos < 0 ? -d.nanos : d.nanos));
    fraction.erase(0, 1);
    while (fraction.back() == '0') fraction.pop_back();
    out += "." + fraction;
  }
  return out + "s";
}

// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm, proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t& year, unsigned& month, unsigned& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

// RFC 3339 in UTC with as many fractional digits as needed ("2024-01-02T03:04:05.5Z").
std::string FormatTimestamp(Timestamp t) {
  int64_t days = t.seconds / 86400;
  int64_t rest = t.seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, year, month, day);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(year), month, day, static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  std::string out = buffer;
  if (t.nanos != 0) {
    std::string fraction = std::to_string(1000000000 + t.nanos);
    fraction.erase(0, 1);
    while (fraction.back() == '0') fraction.pop_back();
    out += "." + fraction;
  }
  return out + "Z";
}

}  // namespace

std::string Value::ToTemplateString() const {
  if (is_null()) return "";
  if (is_string()) return as_string();
  if (is_double()) return FormatDouble(as_double());
  if (is_bytes()) return as_bytes();
  if (is_duration()) return FormatDuration(as_duration());
  if (is_timestamp()) return FormatTimestamp(as_timestamp());
  if (is_type()) return as_type();
  std::string out;
  AppendJson(*this, out);
  return out;
}

}  // namespace slipway::expr
