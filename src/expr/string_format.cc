// `"%s is %d".format([a, b])`: the strings extension's format(), with the clauses cel-go
// defines: %s (any value in its string form; lists and maps spelled out, map entries sorted),
// %d, %o, %b (integers; %b also bools), %x and %X (integers, strings and bytes), %f and %e
// (doubles, default precision 6, NaN and ±Infinity spelled out) and %% for a percent sign. A
// precision
// ".N" may precede a clause.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "expr/library.h"

namespace slipway::expr::library {
namespace {

Error FormattingError(const std::string& what) {
  return Error{0, "error during formatting: " + what};
}

std::string DoubleText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return Value(d).ToTemplateString();
}

// The %s form of a value; nullopt for a value that has none.
std::optional<std::string> StringForm(const Value& v) {
  if (v.is_null()) return "null";
  if (v.is_double()) return DoubleText(v.as_double());
  if (v.is_bytes()) return v.as_bytes();
  if (v.is_list()) {
    std::string out = "[";
    for (size_t i = 0; i < v.as_list().size(); ++i) {
      auto element = StringForm(v.as_list()[i]);
      if (!element) return std::nullopt;
      out += (i > 0 ? ", " : "") + *element;
    }
    return out + "]";
  }
  if (v.is_map()) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& [key, value] : v.as_map()) {
      auto key_text = StringForm(key);
      auto value_text = StringForm(value);
      if (!key_text || !value_text) return std::nullopt;
      entries.emplace_back(std::move(*key_text), std::move(*value_text));
    }
    std::sort(entries.begin(), entries.end());
    std::string out = "{";
    for (size_t i = 0; i < entries.size(); ++i) {
      out += (i > 0 ? ", " : "") + entries[i].first + ": " + entries[i].second;
    }
    return out + "}";
  }
  return v.ToTemplateString();  // string, bool, int, uint, duration, timestamp, type
}

std::string InBase(uint64_t value, unsigned base, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  do {
    out += digits[value % base];
    value /= base;
  } while (value != 0);
  return {out.rbegin(), out.rend()};
}

// An int or uint in `base`, with a '-' for negative ints; nullopt for other types.
std::optional<std::string> Integer(const Value& v, unsigned base, bool upper) {
  if (v.is_uint()) return InBase(v.as_uint(), base, upper);
  if (!v.is_int()) return std::nullopt;
  const int64_t i = v.as_int();
  const uint64_t magnitude = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  return (i < 0 ? "-" : "") + InBase(magnitude, base, upper);
}

std::variant<std::string, Error> Clause(char clause, int precision, const Value& v) {
  const std::string type(v.type_name());
  switch (clause) {
    case 's':
      if (auto text = StringForm(v)) return *text;
      return FormattingError("string clause cannot format " + type);
    case 'd':
      if (auto text = Integer(v, 10, false)) return *text;
      return FormattingError("decimal clause can only be used on integers, was given " + type);
    case 'o':
      if (auto text = Integer(v, 8, false)) return *text;
      return FormattingError("octal clause can only be used on integers, was given " + type);
    case 'b':
      if (v.is_bool()) return std::string(v.as_bool() ? "1" : "0");
      if (auto text = Integer(v, 2, false)) return *text;
      return FormattingError("only integers and bools can be formatted as binary, was given " +
                             type);
    case 'x':
    case 'X': {
      const bool upper = clause == 'X';
      if (auto text = Integer(v, 16, upper)) return *text;
      if (v.is_string() || v.is_bytes()) {
        std::string out;
        for (const char c : v.is_string() ? v.as_string() : v.as_bytes()) {
          const std::string byte = InBase(static_cast<unsigned char>(c), 16, upper);
          out += (byte.size() == 1 ? "0" : "") + byte;
        }
        return out;
      }
      return FormattingError(
          "only integers, byte buffers, and strings can be formatted as hex, was given " + type);
    }
    case 'f':
    case 'e': {
      if (!v.is_double()) {
        return FormattingError(std::string(clause == 'f' ? "fixed-point" : "scientific") +
                               " clause can only be used on doubles, was given " + type);
      }
      const double d = v.as_double();
      if (!std::isfinite(d)) return DoubleText(d);
      // %f of 1e308 with 6 decimals is ~316 characters.
      char buffer[400];
      std::snprintf(buffer, sizeof buffer, clause == 'f' ? "%.*f" : "%.*e", precision, d);
      return std::string(buffer);
    }
    default:
      return Error{0, "could not parse formatting clause: unrecognized formatting clause \"" +
                          std::string(1, clause) + "\""};
  }
}

Result Format(Args args) {
  if (!args[0].is_string() || !args[1].is_list()) return NoSuchOverload("format", args, true);
  const std::string& text = args[0].as_string();
  const Value::List& values = args[1].as_list();
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '%') {
      out += '%';
      ++i;
      continue;
    }
    int precision = 6;
    size_t pos = i + 1;
    if (pos < text.size() && text[pos] == '.') {
      precision = 0;
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && precision < 100) {
        precision = precision * 10 + (text[pos++] - '0');
      }
    }
    if (pos >= text.size()) {
      return Error{0, "could not parse formatting clause: missing clause at the end"};
    }
    if (next >= values.size()) {
      return Error{0, "index " + std::to_string(next) + " out of range"};
    }
    auto formatted = Clause(text[pos], precision, values[next++]);
    if (auto* error = std::get_if<Error>(&formatted)) return *error;
    out += std::get<std::string>(formatted);
    if (out.size() > kMaxStringBytes) {
      return Error{0, "format() would build a string longer than " +
                          std::to_string(kMaxStringBytes) + " bytes"};
    }
    i = pos;
  }
  return Value(std::move(out));
}

}  // namespace

void AddStringFormat(FunctionTable& table) { AddReceiver(table, "format", 1, 1, Format); }

}  // namespace slipway::expr::library
