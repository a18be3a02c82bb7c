// Value::ToTemplateString, and the compact JSON it uses for lists and maps. Hand-written so
// the module depends on nothing but util.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "expr/expr.h"
#include "expr/library.h"

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

}  // namespace

std::string Value::ToTemplateString() const {
  if (is_null()) return "";
  if (is_string()) return as_string();
  if (is_double()) return FormatDouble(as_double());
  if (is_bytes()) return as_bytes();
  if (is_duration()) return library::FormatDuration(as_duration());
  if (is_timestamp()) return library::FormatTimestamp(as_timestamp());
  if (is_type()) return as_type();
  std::string out;
  AppendJson(*this, out);
  return out;
}

}  // namespace slipway::expr
