#include "util/duration_format.h"

#include <cstdio>

namespace slipway {

std::string FormatDuration(std::chrono::milliseconds duration) {
  const long long ms = duration.count();
  char text[48];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%lldms", ms);
  } else if (ms < 60'000 && ms % 1000 == 0) {
    std::snprintf(text, sizeof text, "%llds", ms / 1000);
  } else if (ms < 60'000) {
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms) / 1000);
  } else if (ms < 3'600'000) {
    std::snprintf(text, sizeof text, "%lldm%02llds", ms / 60'000, ms / 1000 % 60);
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", ms / 3'600'000, ms / 60'000 % 60);
  }
  return text;
}

}  // namespace slipway
