// Timestamps for machines and people: RFC 3339 in UTC.
#pragma once

#include <chrono>
#include <string>

namespace slipway {

// "2026-11-27T14:03:09.250Z" (milliseconds always shown).
std::string FormatRfc3339(std::chrono::system_clock::time_point at);

}  // namespace slipway
