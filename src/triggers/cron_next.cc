// CronSchedule::NextAfter: a search over wall-clock time that skips whole months, days and
// hours that cannot match (at most a few hundred steps per year searched), then maps the
// wall-clock minute it found back to an instant in the zone.
#include <chrono>
#include <optional>

#include "triggers/cron_fields.h"

namespace slipway::triggers {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::local_days;
using std::chrono::local_seconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// Every satisfiable schedule fires within 8 years (Feb 29 skips at most 7: 2096 → 2104);
// searching further only proves that it never fires.
constexpr int kSearchYears = 9;

bool DayMatches(const CronSchedule::Fields& f, const std::chrono::year_month_day& ymd) {
  const bool dom = f.days.test(static_cast<unsigned>(ymd.day()));
  const bool dow = f.weekdays.test(std::chrono::weekday(local_days(ymd)).c_encoding());
  return f.days_star || f.weekdays_star ? dom && dow : dom || dow;
}

template <size_t N>
std::optional<int> NextSet(const std::bitset<N>& bits, int from) {
  for (int i = from; i < static_cast<int>(N); ++i) {
    if (bits.test(i)) return i;
  }
  return std::nullopt;
}

// The first wall-clock minute at or after `start` (a whole minute) that the fields allow.
std::optional<local_seconds> NextLocalMatch(const CronSchedule::Fields& f, local_seconds start) {
  local_days day = std::chrono::floor<days>(start);
  const auto time = std::chrono::duration_cast<minutes>(start - day);
  int hour = static_cast<int>(time.count() / 60), minute = static_cast<int>(time.count() % 60);
  const std::chrono::year limit =
      std::chrono::year_month_day(day).year() + std::chrono::years(kSearchYears);
  auto next_day = [&] {
    day += days(1);
    hour = minute = 0;
  };
  while (true) {
    const std::chrono::year_month_day ymd(day);
    if (ymd.year() > limit) return std::nullopt;
    if (!f.months.test(static_cast<unsigned>(ymd.month()))) {
      const auto first_of_next = (ymd.year() / ymd.month() / 1) + std::chrono::months(1);
      day = local_days(first_of_next);
      hour = minute = 0;
      continue;
    }
    if (!DayMatches(f, ymd)) {
      next_day();
      continue;
    }
    const std::optional<int> h = NextSet(f.hours, hour);
    if (!h) {
      next_day();
      continue;
    }
    if (*h != hour) minute = 0;
    hour = *h;
    const std::optional<int> m = NextSet(f.minutes, minute);
    if (!m) {
      if (++hour == 24) next_day();
      minute = 0;
      continue;
    }
    return day + hours(hour) + minutes(*m);
  }
}

// The instant at which wall-clock time `local` happens in `zone`: its first occurrence when
// clocks were turned back over it, and the end of the gap (the instant of the change) when
// clocks jumped over it. Assumes at most one offset change within a day of `local`.
sys_seconds Resolve(const TimeZone& zone, local_seconds local) {
  const sys_seconds guess(local.time_since_epoch());
  const seconds before = zone.OffsetAt(guess - days(1));
  const seconds after = zone.OffsetAt(guess + days(1));
  std::optional<sys_seconds> best;
  for (seconds offset : {before, after}) {
    const sys_seconds candidate = guess - offset;
    if (zone.OffsetAt(candidate) == offset && (!best || candidate < *best)) best = candidate;
  }
  if (best) return *best;
  // In a gap: the offset changes from `before` to `after` somewhere in (guess - after,
  // guess - before]; find the first instant with the new offset.
  sys_seconds low = guess - after, high = guess - before;  // offset(low) == before
  while (high - low > seconds(1)) {
    const sys_seconds mid = low + (high - low) / 2;
    (zone.OffsetAt(mid) == before ? low : high) = mid;
  }
  return high;
}

}  // namespace

std::optional<sys_seconds> CronSchedule::NextAfter(sys_seconds after, const TimeZone& zone) const {
  const local_seconds now(after.time_since_epoch() + zone.OffsetAt(after));
  local_seconds start = std::chrono::floor<minutes>(now) + minutes(1);
  // Each round either returns or moves past one wall-clock minute that maps to an instant not
  // after `after` (only possible next to an offset change), so few rounds ever run.
  for (int round = 0; round < 100000; ++round) {
    const std::optional<local_seconds> local = NextLocalMatch(*fields_, start);
    if (!local) return std::nullopt;
    const sys_seconds instant = Resolve(zone, *local);
    if (instant > after) return instant;
    start = *local + minutes(1);
  }
  return std::nullopt;
}

}  // namespace slipway::triggers
