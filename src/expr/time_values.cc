// Durations and timestamps: range-checked construction from nanoseconds, Go-style duration
// parsing, RFC 3339 parsing and formatting, and the civil calendar (Howard Hinnant's
// algorithms, proleptic Gregorian).
#include <algorithm>
#include <cstdio>
#include <string>

#include "expr/library.h"

namespace slipway::expr::library {
namespace {

constexpr Nanos kNanos = kNanosPerSecond;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The fraction "5" of "1.5" as nanoseconds of `unit` (truncated past nanosecond precision).
Nanos FractionOf(std::string_view digits, Nanos unit) {
  Nanos value = 0;
  Nanos scale = 1;
  for (const char c : digits) {
    if (scale > unit) break;  // further digits are below one nanosecond
    value = value * 10 + (c - '0');
    scale *= 10;
  }
  return value * unit / scale;
}

std::optional<Nanos> UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return kNanos;
  if (unit == "m") return 60 * kNanos;
  if (unit == "h") return 3600 * kNanos;
  return std::nullopt;
}

// Reads exactly `width` digits at `pos`.
std::optional<int> Digits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::string Fraction(int32_t nanos) {
  std::string fraction = std::to_string(kNanosPerSecond + nanos).substr(1);
  while (fraction.back() == '0') fraction.pop_back();
  return "." + fraction;
}

}  // namespace

Nanos TotalNanos(Duration d) { return Nanos(d.seconds) * kNanos + d.nanos; }
Nanos TotalNanos(Timestamp t) { return Nanos(t.seconds) * kNanos + t.nanos; }

std::optional<Duration> DurationFromNanos(Nanos nanos) {
  if (nanos > kMaxDurationNanos || nanos < -Nanos(kMaxDurationNanos)) return std::nullopt;
  // Division truncates, so seconds and nanos share the sign of the total.
  return Duration{static_cast<int64_t>(nanos / kNanos), static_cast<int32_t>(nanos % kNanos)};
}

std::optional<Timestamp> TimestampFromNanos(Nanos nanos) {
  Nanos seconds = nanos / kNanos;
  Nanos rest = nanos % kNanos;
  if (rest < 0) {  // floor: nanos are never negative
    rest += kNanos;
    --seconds;
  }
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) return std::nullopt;
  return Timestamp{static_cast<int64_t>(seconds), static_cast<int32_t>(rest)};
}

std::variant<Duration, Error> ParseDuration(std::string_view text) {
  const auto malformed = [&] {
    return Error{0, "duration() cannot parse '" + std::string(text) +
                        "' (expected a number with a unit ns, us, ms, s, m or h, like '1h30m' or "
                        "'1.5s')"};
  };
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return Duration{};
  if (rest.empty()) return malformed();
  // Any total beyond this is out of range; checking as we go keeps the sum from overflowing.
  constexpr Nanos kLimit = Nanos(kMaxDurationNanos) + 1;
  Nanos total = 0;
  while (!rest.empty()) {
    size_t i = 0;
    Nanos whole = 0;
    while (i < rest.size() && IsDigit(rest[i])) {
      whole = whole * 10 + (rest[i++] - '0');
      if (whole > kLimit) return Error{0, "duration out of range: '" + std::string(text) + "'"};
    }
    const size_t whole_digits = i;
    std::string_view fraction;
    if (i < rest.size() && rest[i] == '.') {
      const size_t start = ++i;
      while (i < rest.size() && IsDigit(rest[i])) ++i;
      fraction = rest.substr(start, i - start);
    }
    if (whole_digits == 0 && fraction.empty()) return malformed();
    const size_t unit_start = i;
    while (i < rest.size() && !IsDigit(rest[i]) && rest[i] != '.') ++i;
    const std::optional<Nanos> unit = UnitNanos(rest.substr(unit_start, i - unit_start));
    if (!unit) return malformed();
    total += whole * *unit + FractionOf(fraction, *unit);
    if (total > kLimit) return Error{0, "duration out of range: '" + std::string(text) + "'"};
    rest.remove_prefix(i);
  }
  std::optional<Duration> duration = DurationFromNanos(negative ? -total : total);
  if (!duration) return Error{0, "duration out of range: '" + std::string(text) + "'"};
  return *duration;
}

std::variant<Timestamp, Error> ParseTimestamp(std::string_view text) {
  const auto malformed = [&] {
    return Error{0, "timestamp() cannot parse '" + std::string(text) +
                        "' (expected RFC 3339, like '2024-01-02T03:04:05Z' or "
                        "'2024-01-02T03:04:05.5+01:00')"};
  };
  const auto out_of_range = [&] {
    return Error{0, "timestamp out of range: '" + std::string(text) +
                        "' (CEL timestamps are from year 1 to 9999)"};
  };
  size_t year_digits = 0;
  while (year_digits < text.size() && IsDigit(text[year_digits])) ++year_digits;
  if (year_digits > 4 && year_digits < text.size() && text[year_digits] == '-') {
    return out_of_range();
  }
  const auto year = Digits(text, 0, 4);
  const auto month = Digits(text, 5, 2);
  const auto day = Digits(text, 8, 2);
  const auto hour = Digits(text, 11, 2);
  const auto minute = Digits(text, 14, 2);
  const auto second = Digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return malformed();
  }
  if (*month < 1 || *month > 12 || *day < 1 ||
      static_cast<unsigned>(*day) > DaysInMonth(*year, static_cast<unsigned>(*month)) ||
      *hour > 23 || *minute > 59 || *second > 59) {
    return malformed();
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    const size_t start = ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    if (pos == start) return malformed();
    nanos = static_cast<int64_t>(FractionOf(text.substr(start, pos - start), kNanos));
  }
  int64_t offset = 0;
  const std::string_view zone = text.substr(std::min(pos, text.size()));
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto offset_hours = Digits(zone, 1, 2);
    const auto offset_minutes = Digits(zone, 4, 2);
    if (!offset_hours || !offset_minutes || *offset_hours > 23 || *offset_minutes > 59) {
      return malformed();
    }
    offset = (*offset_hours * 3600 + *offset_minutes * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return malformed();
  }
  const int64_t days =
      DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  const int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset;
  std::optional<Timestamp> timestamp = TimestampFromNanos(Nanos(seconds) * kNanos + nanos);
  if (!timestamp) return out_of_range();
  return *timestamp;
}

std::string FormatDuration(Duration d) {
  std::string out = (d.seconds < 0 || d.nanos < 0) ? "-" : "";
  out += std::to_string(d.seconds < 0 ? 0 - uint64_t(d.seconds) : uint64_t(d.seconds));
  if (d.nanos != 0) out += Fraction(d.nanos < 0 ? -d.nanos : d.nanos);
  return out + "s";
}

std::string FormatTimestamp(Timestamp t) {
  int64_t days = t.seconds / 86400;
  int64_t rest = t.seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                static_cast<long long>(rest % 60));
  std::string out = buffer;
  if (t.nanos != 0) out += Fraction(t.nanos);
  return out + "Z";
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int64_t>(yoe) + era * 400 + (month <= 2), month, day};
}

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace slipway::expr::library
