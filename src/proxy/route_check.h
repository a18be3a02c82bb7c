// Validation of a routing table before it replaces the current one.
#pragma once

#include "proxy/proxy.h"

namespace slipway::proxy {

// InvalidArgument naming the pool for: an empty name, duplicate names, no upstreams, an
// upstream without a host or port, a negative weight.
Status CheckRoutes(const Routes& routes);

}  // namespace slipway::proxy
