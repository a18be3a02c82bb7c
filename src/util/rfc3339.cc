#include "util/rfc3339.h"

#include <cstdio>
#include <ctime>
#include <optional>

namespace slipway {

std::string FormatRfc3339(std::chrono::system_clock::time_point at) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms % 1000));
  return text;
}

namespace {

// Reads `n` digits at `at` into `out`; false when they are not all digits.
bool Digits(std::string_view text, size_t at, size_t n, int* out) {
  if (at + n > text.size()) return false;
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, 0, 4, &year) || text.size() < 20 || text[4] != '-' ||
      !Digits(text, 5, 2, &month) || text[7] != '-' || !Digits(text, 8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't') || !Digits(text, 11, 2, &hour) || text[13] != ':' ||
      !Digits(text, 14, 2, &minute) || text[16] != ':' || !Digits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  // Second 60 (a leap second) is allowed by RFC 3339; it counts as the next second.
  if (year < 1 || !date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t at = 19;
  int64_t millis = 0;
  if (text[at] == '.') {
    size_t digits = 0;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[at] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int oh = 0, om = 0;
    if (!Digits(text, at + 1, 2, &oh) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !Digits(text, at + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (text[at] == '+' ? 1 : -1) * (oh * 60 + om);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  // In milliseconds first: system_clock counts nanoseconds here, which hold only the years
  // 1678–2261; anything outside is refused rather than wrapped around.
  const milliseconds since_epoch =
      duration_cast<milliseconds>(sys_days(date).time_since_epoch() + hours(hour) +
                                  minutes(minute) + seconds(second) - minutes(offset_minutes)) +
      milliseconds(millis);
  if (since_epoch < duration_cast<milliseconds>(system_clock::duration::min()) + hours(24) ||
      since_epoch > duration_cast<milliseconds>(system_clock::duration::max()) - hours(24)) {
    return std::nullopt;
  }
  return system_clock::time_point(duration_cast<system_clock::duration>(since_epoch));
}

}  // namespace slipway
