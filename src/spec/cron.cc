// Cron expressions: five fields (minute hour day-of-month month day-of-week), each a
// comma-separated list of `*`, `N`, `A-B`, optionally `/STEP`; months and weekdays also by
// three-letter English name (case-insensitive); weekday 7 is Sunday like 0. The macros
// @hourly, @daily, @weekly, @monthly and @yearly stand for their usual expansions.
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.h"

namespace slipway::spec {
namespace {

struct CronField {
  std::string_view name;
  int min;
  int max;
  std::vector<std::string_view> names;  // names[i] stands for min + i
};

const std::array<CronField, 5>& Fields() {
  static const std::array<CronField, 5> kFields = {{
      {"minute", 0, 59, {}},
      {"hour", 0, 23, {}},
      {"day-of-month", 1, 31, {}},
      {"month",
       1,
       12,
       {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
      {"day-of-week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
  }};
  return kFields;
}

std::optional<int> ParseValue(const CronField& field, std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) return value;
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (lower == field.names[i]) return field.min + static_cast<int>(i);
  }
  return std::nullopt;
}

// Explains what is wrong with one comma-separated element of `field`, or nullopt.
std::optional<std::string> ElementError(const CronField& field, std::string_view element) {
  const std::string range = std::to_string(field.min) + "-" + std::to_string(field.max);
  if (element.empty()) return "empty list element";
  std::string_view base = element;
  if (size_t slash = element.find('/'); slash != std::string_view::npos) {
    base = element.substr(0, slash);
    std::string_view step_text = element.substr(slash + 1);
    int step = 0;
    auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
    if (ec != std::errc() || end != step_text.data() + step_text.size() || step < 1) {
      return "step '" + std::string(step_text) + "' must be a positive number";
    }
    if (step > field.max) {
      return "step " + std::string(step_text) + " is larger than the field's range " + range;
    }
  }
  if (base == "*") return std::nullopt;
  std::string_view low_text = base, high_text;
  const size_t dash = base.find('-');
  if (dash != std::string_view::npos) {
    low_text = base.substr(0, dash);
    high_text = base.substr(dash + 1);
  }
  auto low = ParseValue(field, low_text);
  if (!low) return "'" + std::string(low_text) + "' is not a number or name";
  if (*low < field.min || *low > field.max) {
    return std::to_string(*low) + " is out of range " + range;
  }
  if (dash == std::string_view::npos) return std::nullopt;
  auto high = ParseValue(field, high_text);
  if (!high) return "'" + std::string(high_text) + "' is not a number or name";
  if (*high < field.min || *high > field.max) {
    return std::to_string(*high) + " is out of range " + range;
  }
  if (*high < *low) return "range " + std::string(base) + " ends before it starts";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CronError(std::string_view expression) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    const size_t start = i;
    while (i < expression.size() && !std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    if (i > start) parts.push_back(expression.substr(start, i - start));
  }
  if (parts.size() == 1 && parts[0].starts_with("@")) {
    for (std::string_view macro : {"@hourly", "@daily", "@weekly", "@monthly", "@yearly"}) {
      if (parts[0] == macro) return std::nullopt;
    }
    return "unknown macro '" + std::string(parts[0]) +
           "'; use @hourly, @daily, @weekly, @monthly or @yearly";
  }
  if (parts.size() != 5) {
    return "expected 5 fields (minute hour day-of-month month day-of-week), got " +
           std::to_string(parts.size());
  }
  for (size_t f = 0; f < 5; ++f) {
    const CronField& field = Fields()[f];
    std::string_view rest = parts[f];
    while (true) {
      const size_t comma = rest.find(',');
      std::string_view element = rest.substr(0, comma);
      if (auto error = ElementError(field, element)) {
        return std::string(field.name) + " field '" + std::string(parts[f]) + "': " + *error;
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return std::nullopt;
}

}  // namespace slipway::spec
