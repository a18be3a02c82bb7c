// Durations for people: "250ms", "1.2s", "3m04s", "1h02m".
#pragma once

#include <chrono>
#include <string>

namespace slipway {

std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace slipway
