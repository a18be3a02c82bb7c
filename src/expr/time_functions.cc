// The accessors of durations and timestamps: `d.getHours()`, `t.getFullYear()`,
// `t.getDayOfWeek('Europe/Berlin')`, …. A timestamp accessor takes an optional time zone: an
// IANA name ("America/Los_Angeles", read from the system's TZif files through util's TimeZone)
// or a fixed offset ("+05:30", "-08:00", "02:00"); without one it reads UTC. As in CEL, months,
// days of the month (getDayOfMonth), days of the week (Sunday = 0) and days of the year count
// from 0, while getDate counts from 1.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "expr/library.h"
#include "util/time_zone.h"

namespace slipway::expr::library {
namespace {

// Loaded zones are kept: reading a TZif file per call would be slow. Zone names come from
// expressions, so the cache is bounded; past the bound a zone is loaded on every use.
constexpr size_t kMaxCachedZones = 64;

std::variant<TimeZone, Error> LoadZone(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, TimeZone, std::less<>> cache;
  {
    std::lock_guard lock(mutex);
    if (const auto it = cache.find(name); it != cache.end()) return it->second;
  }
  slipway::Result<TimeZone> zone = TimeZone::Load(name);
  if (!zone.ok()) return Error{0, "invalid time zone: " + zone.status().message()};
  std::lock_guard lock(mutex);
  if (cache.size() < kMaxCachedZones) cache.emplace(name, *zone);
  return *zone;
}

// "+05:30", "-08:00", "02:00" (no sign: east of UTC) → seconds east of UTC; nullopt otherwise.
std::optional<int64_t> FixedOffset(std::string_view zone) {
  int sign = 1;
  if (!zone.empty() && (zone.front() == '+' || zone.front() == '-')) {
    sign = zone.front() == '-' ? -1 : 1;
    zone.remove_prefix(1);
  }
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (zone.size() != 5 || !digit(zone[0]) || !digit(zone[1]) || zone[2] != ':' || !digit(zone[3]) ||
      !digit(zone[4])) {
    return std::nullopt;
  }
  const int hours = (zone[0] - '0') * 10 + (zone[1] - '0');
  const int minutes = (zone[3] - '0') * 10 + (zone[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return sign * (hours * 3600 + minutes * 60);
}

// Seconds east of UTC at `t` in the zone named by args[1], or UTC without one.
std::variant<int64_t, Error> OffsetAt(Timestamp t, Args args) {
  if (args.size() < 2) return int64_t{0};
  const std::string& zone = args[1].as_string();
  if (std::optional<int64_t> fixed = FixedOffset(zone)) return *fixed;
  auto loaded = LoadZone(zone);
  if (auto* error = std::get_if<Error>(&loaded)) return *error;
  const std::chrono::sys_seconds instant{std::chrono::seconds(t.seconds)};
  return static_cast<int64_t>(std::get<TimeZone>(loaded).OffsetAt(instant).count());
}

// The local wall-clock fields of a timestamp.
struct LocalTime {
  CivilDate date;
  int64_t days;           // since 1970-01-01, local
  int64_t second_of_day;  // 0..86399
};

LocalTime Local(Timestamp t, int64_t offset) {
  const int64_t local = t.seconds + offset;
  int64_t days = local / 86400;
  int64_t second = local % 86400;
  if (second < 0) {
    second += 86400;
    --days;
  }
  return LocalTime{CivilFromDays(days), days, second};
}

enum class Field {
  kFullYear,
  kMonth,
  kDate,
  kDayOfMonth,
  kDayOfWeek,
  kDayOfYear,
  kHours,
  kMinutes,
  kSeconds,
  kMilliseconds
};

Result TimestampField(Field field, Timestamp t, Args args) {
  auto offset = OffsetAt(t, args);
  if (auto* error = std::get_if<Error>(&offset)) return *error;
  const LocalTime local = Local(t, std::get<int64_t>(offset));
  switch (field) {
    case Field::kFullYear:
      return Value(local.date.year);
    case Field::kMonth:
      return Value(static_cast<int64_t>(local.date.month) - 1);
    case Field::kDate:
      return Value(static_cast<int64_t>(local.date.day));
    case Field::kDayOfMonth:
      return Value(static_cast<int64_t>(local.date.day) - 1);
    case Field::kDayOfWeek:  // 1970-01-01 was a Thursday (4)
      return Value(((local.days + 4) % 7 + 7) % 7);
    case Field::kDayOfYear:
      return Value(local.days - DaysFromCivil(local.date.year, 1, 1));
    case Field::kHours:
      return Value(local.second_of_day / 3600);
    case Field::kMinutes:
      return Value(local.second_of_day / 60 % 60);
    case Field::kSeconds:
      return Value(local.second_of_day % 60);
    case Field::kMilliseconds:
      return Value(static_cast<int64_t>(t.nanos / 1'000'000));
  }
  return Error{0, "internal error: unknown timestamp field"};
}

// Durations: hours, minutes and seconds are the whole duration in that unit (truncated);
// milliseconds are only the sub-second part, as CEL defines it.
std::optional<Result> DurationField(Field field, Duration d) {
  switch (field) {
    case Field::kHours:
      return Value(d.seconds / 3600);
    case Field::kMinutes:
      return Value(d.seconds / 60);
    case Field::kSeconds:
      return Value(d.seconds);
    case Field::kMilliseconds:
      return Value(static_cast<int64_t>(d.nanos / 1'000'000));
    default:
      return std::nullopt;
  }
}

template <Field F>
Result Accessor(Args args) {
  static constexpr const char* kNames[] = {
      "getFullYear",  "getMonth", "getDate",    "getDayOfMonth", "getDayOfWeek",
      "getDayOfYear", "getHours", "getMinutes", "getSeconds",    "getMilliseconds"};
  const char* name = kNames[static_cast<int>(F)];
  if (args[0].is_timestamp() && (args.size() == 1 || args[1].is_string())) {
    return TimestampField(F, args[0].as_timestamp(), args);
  }
  if (args[0].is_duration() && args.size() == 1) {
    if (std::optional<Result> result = DurationField(F, args[0].as_duration())) {
      return std::move(*result);
    }
  }
  return NoSuchOverload(name, args, /*receiver=*/true);
}

}  // namespace

void AddTimeFunctions(FunctionTable& table) {
  AddReceiver(table, "getFullYear", 0, 1, Accessor<Field::kFullYear>);
  AddReceiver(table, "getMonth", 0, 1, Accessor<Field::kMonth>);
  AddReceiver(table, "getDate", 0, 1, Accessor<Field::kDate>);
  AddReceiver(table, "getDayOfMonth", 0, 1, Accessor<Field::kDayOfMonth>);
  AddReceiver(table, "getDayOfWeek", 0, 1, Accessor<Field::kDayOfWeek>);
  AddReceiver(table, "getDayOfYear", 0, 1, Accessor<Field::kDayOfYear>);
  AddReceiver(table, "getHours", 0, 1, Accessor<Field::kHours>);
  AddReceiver(table, "getMinutes", 0, 1, Accessor<Field::kMinutes>);
  AddReceiver(table, "getSeconds", 0, 1, Accessor<Field::kSeconds>);
  AddReceiver(table, "getMilliseconds", 0, 1, Accessor<Field::kMilliseconds>);
}

}  // namespace slipway::expr::library
