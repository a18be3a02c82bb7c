// POSIX TZ strings, as found at the end of TZif files: the rule for instants past the file's
// table of transitions.
#include <cctype>
#include <chrono>
#include <optional>
#include <string_view>

#include "util/tz_rules.h"

namespace slipway::tz_internal {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A zone abbreviation: "<...>" or three or more letters.
  bool Name() {
    if (Consume('<')) {
      const size_t close = text_.find('>', pos_);
      if (close == std::string_view::npos) return false;
      pos_ = close + 1;
      return true;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return pos_ - start >= 3;
  }
  std::optional<int> Number(int max) {
    const size_t start = pos_;
    int value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      value = value * 10 + (text_[pos_++] - '0');
      if (value > max) return std::nullopt;
    }
    if (pos_ == start) return std::nullopt;
    return value;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  std::optional<int64_t> Duration(int max_hours) {
    int sign = 1;
    if (Consume('-')) {
      sign = -1;
    } else {
      Consume('+');
    }
    auto h = Number(max_hours);
    if (!h) return std::nullopt;
    int64_t total = int64_t{*h} * 3600;
    for (int64_t unit : {60, 1}) {
      if (!Consume(':')) break;
      auto part = Number(59);
      if (!part) return std::nullopt;
      total += *part * unit;
    }
    return sign * total;
  }
  std::optional<PosixTz::Date> Date() {
    PosixTz::Date date;
    if (Consume('M')) {
      const std::optional<int> m = Number(12);
      const std::optional<int> w = m && Consume('.') ? Number(5) : std::nullopt;
      const std::optional<int> d = w && Consume('.') ? Number(6) : std::nullopt;
      if (!d || *m < 1 || *w < 1) return std::nullopt;
      date.kind = PosixTz::Date::Kind::kMonthWeekDay;
      date.month = *m;
      date.week = *w;
      date.weekday = *d;
    } else if (Consume('J')) {
      auto n = Number(365);
      if (!n || *n < 1) return std::nullopt;
      date.kind = PosixTz::Date::Kind::kJulian1;
      date.day = *n;
    } else {
      auto n = Number(365);
      if (!n) return std::nullopt;
      date.kind = PosixTz::Date::Kind::kJulian0;
      date.day = *n;
    }
    if (Consume('/')) {
      auto time = Duration(167);
      if (!time) return std::nullopt;
      date.time = *time;
    }
    return date;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

using std::chrono::sys_days;

// Days since the epoch of `date` in `year`.
int64_t DayOf(const PosixTz::Date& date, std::chrono::year year) {
  const sys_days jan1{year / std::chrono::January / 1};
  switch (date.kind) {
    case PosixTz::Date::Kind::kJulian1:
      return jan1.time_since_epoch().count() + date.day - 1 +
             (year.is_leap() && date.day >= 60 ? 1 : 0);
    case PosixTz::Date::Kind::kJulian0:
      return jan1.time_since_epoch().count() + date.day;
    case PosixTz::Date::Kind::kMonthWeekDay:
      break;
  }
  const auto month = std::chrono::month(static_cast<unsigned>(date.month));
  const sys_days first{year / month / 1};
  const unsigned first_weekday = std::chrono::weekday(first).c_encoding();
  int day = (date.weekday - static_cast<int>(first_weekday) + 7) % 7 + 1 + (date.week - 1) * 7;
  const int length =
      static_cast<int>(static_cast<unsigned>((year / month / std::chrono::last).day()));
  while (day > length) day -= 7;
  return first.time_since_epoch().count() + day - 1;
}

}  // namespace

std::optional<PosixTz> ParsePosixTz(std::string_view text) {
  Reader reader(text);
  PosixTz tz;
  if (!reader.Name()) return std::nullopt;
  auto std_west = reader.Duration(24);
  if (!std_west) return std::nullopt;
  tz.std_offset = -*std_west;
  if (reader.done()) return tz;
  if (!reader.Name()) return std::nullopt;
  tz.dst_offset = tz.std_offset + 3600;
  if (!reader.Consume(',')) {
    auto dst_west = reader.Duration(24);
    if (!dst_west) return std::nullopt;
    tz.dst_offset = -*dst_west;
    if (!reader.Consume(',')) return std::nullopt;
  }
  auto start = reader.Date();
  if (!start || !reader.Consume(',')) return std::nullopt;
  auto end = reader.Date();
  if (!end || !reader.done()) return std::nullopt;
  tz.start = *start;
  tz.end = *end;
  return tz;
}

int64_t PosixTz::OffsetAt(int64_t utc_seconds) const {
  if (!dst_offset) return std_offset;
  const auto local_day = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_seconds(std::chrono::seconds(utc_seconds + std_offset)));
  const std::chrono::year year = std::chrono::year_month_day(local_day).year();
  // Start is given in standard time, end in daylight time (both local).
  const int64_t start_utc = DayOf(start, year) * 86400 + start.time - std_offset;
  const int64_t end_utc = DayOf(end, year) * 86400 + end.time - *dst_offset;
  const bool dst = start_utc < end_utc ? start_utc <= utc_seconds && utc_seconds < end_utc
                                       : !(end_utc <= utc_seconds && utc_seconds < start_utc);
  return dst ? *dst_offset : std_offset;
}

}  // namespace slipway::tz_internal
