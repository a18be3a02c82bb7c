// Durations: one or more <number><unit> terms, unit ms|s|m|h|d, summed ("1h30m"). Numbers may
// have a fraction ("1.5h"); the total is truncated to whole milliseconds and must be > 0.
#include "spec/durations.h"

#include <cstdint>
#include <limits>

#include "spec/spec.h"

namespace slipway::spec {
namespace internal {
namespace {

constexpr std::string_view kUnitHint = "add a unit, e.g. 30s or 10m";

// Milliseconds per unit; 0 for an unknown unit.
int64_t UnitMillis(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return int64_t{60} * 1000;
  if (unit == "h") return int64_t{60} * 60 * 1000;
  if (unit == "d") return int64_t{24} * 60 * 60 * 1000;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::variant<Duration, DurationProblem> ParseDurationDetailed(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  if (text.empty()) return DurationProblem{"empty duration", std::string(kUnitHint)};
  if (text[0] == '-') {
    return DurationProblem{"duration " + quoted + " is negative; it must be greater than 0", ""};
  }
  // Each term is mantissa / 10^fraction_digits units, computed in integers so "1.1h" is
  // exactly 3960000ms; 128 bits cannot overflow before the range check at the end.
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max() / 2;
  __int128 total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t number_start = i;
    __int128 mantissa = 0;
    __int128 divisor = 1;
    size_t digits = 0;
    bool in_fraction = false;
    while (i < text.size() && (IsDigit(text[i]) || (text[i] == '.' && !in_fraction))) {
      if (text[i] == '.') {
        in_fraction = true;
      } else if (++digits <= 30) {
        mantissa = mantissa * 10 + (text[i] - '0');
        if (in_fraction) divisor *= 10;
      } else if (!in_fraction) {
        return DurationProblem{"duration " + quoted + " is too long", ""};
      }  // fraction digits past 30 cannot change a whole number of milliseconds
      ++i;
    }
    if (digits == 0) {
      return DurationProblem{"invalid duration " + quoted + ": expected a number at '" +
                                 std::string(text.substr(number_start)) + "'",
                             std::string(kUnitHint)};
    }
    const size_t unit_start = i;
    while (i < text.size() && !IsDigit(text[i]) && text[i] != '.') ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      return DurationProblem{"duration " + quoted + " has no unit", std::string(kUnitHint)};
    }
    const int64_t millis = UnitMillis(unit);
    if (millis == 0) {
      return DurationProblem{
          "invalid duration " + quoted + ": unknown unit '" + std::string(unit) + "'",
          "units are ms, s, m, h and d, e.g. 1h30m"};
    }
    if (mantissa / divisor > kMax) {
      return DurationProblem{"duration " + quoted + " is too long", ""};
    }
    total += mantissa * millis / divisor;
    if (total > kMax) return DurationProblem{"duration " + quoted + " is too long", ""};
  }
  if (total < 1) {
    return DurationProblem{"duration " + quoted + " must be greater than 0", ""};
  }
  return Duration(static_cast<int64_t>(total));
}

}  // namespace internal

std::optional<Duration> ParseDuration(std::string_view text) {
  auto parsed = internal::ParseDurationDetailed(text);
  if (auto* duration = std::get_if<Duration>(&parsed)) return *duration;
  return std::nullopt;
}

}  // namespace slipway::spec
