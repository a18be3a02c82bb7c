#include "proxy/route_table.h"

#include <strings.h>

#include "proxy/route_check.h"

namespace slipway::proxy::internal {
namespace {

std::string EndpointKey(const Upstream& upstream) {
  const bool v6 = upstream.host.find(':') != std::string::npos;
  return (v6 ? "[" + upstream.host + "]" : upstream.host) + ":" + std::to_string(upstream.port);
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<std::shared_ptr<const RouteTable>> RouteTable::Build(const Routes& routes,
                                                            TelemetryRegistry& telemetry) {
  SLIPWAY_RETURN_IF_ERROR(CheckRoutes(routes));
  auto table = std::make_shared<RouteTable>();
  table->routes_ = routes;
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  for (const Pool& pool : routes.pools) {
    auto routed = std::make_unique<RoutedPool>();
    routed->name = pool.name;
    routed->weight = pool.weight;
    for (const Upstream& upstream : pool.upstreams) {
      auto endpoint = std::make_shared<Endpoint>();
      endpoint->key = EndpointKey(upstream);
      beast::error_code ec;
      const auto address = net::ip::make_address(upstream.host, ec);
      if (!ec) {
        endpoint->addresses.emplace_back(address, upstream.port);
      } else {
        auto results = resolver.resolve(upstream.host, std::to_string(upstream.port),
                                        tcp::resolver::numeric_service, ec);
        if (ec || results.empty()) {
          return InvalidArgument("pool '" + pool.name + "': cannot resolve upstream host '" +
                                 upstream.host + "': " + ec.message());
        }
        for (const auto& entry : results) endpoint->addresses.push_back(entry.endpoint());
      }
      table->endpoint_keys_.insert(endpoint->key);
      routed->endpoints.push_back(std::move(endpoint));
    }
    table->total_weight_ += pool.weight;
    table->cumulative_weights_.push_back(table->total_weight_);
    table->pools_.push_back(std::move(routed));
  }
  // Only a table that will be used gets its pools into the telemetry.
  for (auto& pool : table->pools_) pool->stats = telemetry.ForPool(pool->name);
  return std::shared_ptr<const RouteTable>(std::move(table));
}

const RoutedPool* RouteTable::Find(std::string_view name) const {
  for (const auto& pool : pools_) {
    if (pool->name == name) return pool.get();
  }
  return nullptr;
}

const RoutedPool* RouteTable::Draw(uint64_t random) const {
  if (total_weight_ <= 0) return nullptr;
  const auto ticket = static_cast<int64_t>(random % static_cast<uint64_t>(total_weight_));
  for (size_t i = 0; i < pools_.size(); ++i) {
    if (ticket < cumulative_weights_[i]) return pools_[i].get();
  }
  return nullptr;  // unreachable: the last running sum is the total
}

RouteChoice ChoosePool(const RouteTable& table, const RouteHints& hints, uint64_t random) {
  if (!hints.canary.empty()) {
    const RoutedPool* pool = nullptr;
    if (EqualsNoCase(hints.canary, "always")) pool = table.Find("canary");
    if (EqualsNoCase(hints.canary, "never")) pool = table.Find("stable");
    if (pool != nullptr) return {pool, false};
  }
  if (!hints.pool.empty()) {
    if (const RoutedPool* pool = table.Find(hints.pool)) return {pool, false};
  }
  if (!hints.cookie.empty()) {
    if (const RoutedPool* pool = table.Find(hints.cookie)) return {pool, false};
  }
  return {table.Draw(random), true};
}

}  // namespace slipway::proxy::internal
