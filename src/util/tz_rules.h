// What a TimeZone knows: the UTC offsets of a zone over time, from a TZif file (RFC 8536):
// a table of transitions, then a POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3") for instants
// after the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "util/time_zone.h"

namespace slipway {

namespace tz_internal {

// A POSIX TZ string's rule (POSIX.1-2017 section 8.3, with RFC 8536's extension of hours to
// -167..167 in transition times).
struct PosixTz {
  // When DST starts or ends in a year: Jn (1..365, Feb 29 never counted), n (0..365 counting
  // Feb 29), or Mm.w.d (day d of week w of month m; w = 5 means the last such day).
  struct Date {
    enum class Kind { kJulian1, kJulian0, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0;  // Jn / n
    int month = 0, week = 0, weekday = 0;
    int64_t time = 7200;  // seconds after local midnight (default 02:00)
  };
  int64_t std_offset = 0;  // seconds east of UTC
  std::optional<int64_t> dst_offset;
  Date start, end;  // meaningful when dst_offset is set

  int64_t OffsetAt(int64_t utc_seconds) const;
};

// Parses a POSIX TZ string; nullopt when it is malformed.
std::optional<PosixTz> ParsePosixTz(std::string_view text);

}  // namespace tz_internal

struct TimeZone::Rules {
  std::string name;
  std::vector<int64_t> transitions;            // UTC seconds, ascending
  std::vector<int64_t> offsets;                // offsets[i] holds from transitions[i] on
  int64_t initial_offset = 0;                  // before the first transition
  std::optional<tz_internal::PosixTz> footer;  // after the last transition, when present

  int64_t OffsetAt(int64_t utc_seconds) const;
};

namespace tz_internal {

// Parses the contents of a TZif file (versions 1 to 4) named `name`; errors say what is wrong.
Result<TimeZone::Rules> ParseTzif(std::string_view bytes, std::string name);

}  // namespace tz_internal

}  // namespace slipway
