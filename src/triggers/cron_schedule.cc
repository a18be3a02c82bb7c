// CronSchedule::Parse: spec::CronError validates (one grammar, one set of messages); this
// file only turns a valid expression into bit sets.
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.h"
#include "triggers/cron_fields.h"

namespace slipway::triggers {
namespace {

constexpr std::string_view kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::string_view kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldRange {
  int min;
  int max;
};

int Value(std::string_view text, int field) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) return value;
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (field == 3) {
    for (int i = 0; i < 12; ++i) {
      if (lower == kMonthNames[i]) return i + 1;
    }
  }
  if (field == 4) {
    for (int i = 0; i < 7; ++i) {
      if (lower == kDayNames[i]) return i;
    }
  }
  return -1;  // unreachable for an expression CronError accepted
}

// Calls set(v) for every value the comma-separated list `text` allows.
template <typename Set>
void Expand(std::string_view text, int field, FieldRange range, Set set) {
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view element = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    int step = 1;
    const size_t slash = element.find('/');
    if (slash != std::string_view::npos) {
      std::from_chars(element.data() + slash + 1, element.data() + element.size(), step);
      element = element.substr(0, slash);
    }
    int low = range.min, high = range.max;
    if (element != "*") {
      const size_t dash = element.find('-');
      low = Value(element.substr(0, dash), field);
      if (dash != std::string_view::npos) {
        high = Value(element.substr(dash + 1), field);
      } else if (slash == std::string_view::npos) {
        high = low;  // "N" alone; "N/S" means N-max/S
      }
    }
    for (int v = low; v <= high; v += step) set(v);
  }
}

std::vector<std::string_view> Split(std::string_view expression) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    const size_t start = i;
    while (i < expression.size() && !std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    if (i > start) parts.push_back(expression.substr(start, i - start));
  }
  return parts;
}

std::string_view ExpandMacro(std::string_view expression) {
  if (expression == "@hourly") return "0 * * * *";
  if (expression == "@daily") return "0 0 * * *";
  if (expression == "@weekly") return "0 0 * * 0";
  if (expression == "@monthly") return "0 0 1 * *";
  if (expression == "@yearly") return "0 0 1 1 *";
  return expression;
}

}  // namespace

CronSchedule::CronSchedule(std::string expression, std::shared_ptr<const Fields> fields)
    : expression_(std::move(expression)), fields_(std::move(fields)) {}

Result<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  if (auto error = spec::CronError(expression)) {
    return InvalidArgument("cron expression '" + std::string(expression) + "': " + *error);
  }
  std::vector<std::string_view> parts = Split(expression);
  if (parts.size() == 1) parts = Split(ExpandMacro(parts[0]));
  auto fields = std::make_shared<Fields>();
  Expand(parts[0], 0, {0, 59}, [&](int v) { fields->minutes.set(v); });
  Expand(parts[1], 1, {0, 23}, [&](int v) { fields->hours.set(v); });
  Expand(parts[2], 2, {1, 31}, [&](int v) { fields->days.set(v); });
  Expand(parts[3], 3, {1, 12}, [&](int v) { fields->months.set(v); });
  Expand(parts[4], 4, {0, 7}, [&](int v) { fields->weekdays.set(v % 7); });
  fields->days_star = parts[2].starts_with('*');
  fields->weekdays_star = parts[4].starts_with('*');
  return CronSchedule(std::string(expression), std::move(fields));
}

}  // namespace slipway::triggers
