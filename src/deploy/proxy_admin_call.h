// One call to a built-in proxy's admin API. Internal to deploy.
#pragma once

#include <string_view>

#include "deploy/deploy.h"
#include "deploy/net_io.h"

namespace slipway::deploy {

// Sends METHOD PATH (with the admin token and `body` as JSON) and returns the answer.
// Unavailable names the admin address when the proxy cannot be reached or answers garbage.
Result<HttpAnswer> CallProxyAdmin(const ProxyAdmin& admin, std::string_view method,
                                  std::string_view path, std::string_view body);

}  // namespace slipway::deploy
