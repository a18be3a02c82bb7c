#include "proxy/route_check.h"

#include <set>

namespace slipway::proxy {

Status CheckRoutes(const Routes& routes) {
  std::set<std::string> names;
  for (const Pool& pool : routes.pools) {
    if (pool.name.empty()) return InvalidArgument("a pool has no name");
    if (!names.insert(pool.name).second) {
      return InvalidArgument("pool '" + pool.name + "' is listed twice");
    }
    if (pool.upstreams.empty()) return InvalidArgument("pool '" + pool.name + "' has no upstreams");
    for (const Upstream& upstream : pool.upstreams) {
      if (upstream.host.empty() || upstream.port == 0) {
        return InvalidArgument("pool '" + pool.name + "' has an upstream without host or port");
      }
    }
    if (pool.weight < 0) return InvalidArgument("pool '" + pool.name + "' has a negative weight");
  }
  return Status::Ok();
}

}  // namespace slipway::proxy
