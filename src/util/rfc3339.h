// Timestamps for machines and people: RFC 3339 in UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace slipway {

// "2026-11-27T14:03:09.250Z" (milliseconds always shown).
std::string FormatRfc3339(std::chrono::system_clock::time_point at);

// Parses an RFC 3339 date-time: "2026-11-27T14:03:09Z", with any number of fraction digits
// (kept to the millisecond, truncated) and a "Z" or "±HH:MM" offset; 't' and 'z' are accepted
// too. nullopt otherwise, and for times system_clock cannot hold (before 1678 or after 2261
// with nanosecond ticks; Go's zero time 0001-01-01T00:00:00Z among them).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

}  // namespace slipway
