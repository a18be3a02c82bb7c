// Free TCP ports for new instances. Internal to deploy. Thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "util/status.h"

namespace slipway::deploy {

// A port on `host` (an IP literal) that nothing listens on now, chosen by the kernel (bind to
// port 0) and not in `taken`. The port is free when this returns, not reserved: an instance
// that starts later may find it taken by someone else (it then fails its readiness check).
Result<uint16_t> AllocatePort(const std::string& host, const std::set<uint16_t>& taken);

}  // namespace slipway::deploy
