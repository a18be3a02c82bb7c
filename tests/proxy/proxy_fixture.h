// Shorthands for the proxy tests: tables from backends, a started proxy.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/proxy.h"
#include "test_http.h"

namespace slipway::proxy::testing {

inline Pool PoolOf(const std::string& name, int weight,
                   const std::vector<const Backend*>& backends) {
  Pool pool;
  pool.name = name;
  pool.weight = weight;
  for (const Backend* backend : backends) pool.upstreams.push_back({"127.0.0.1", backend->port()});
  return pool;
}

inline std::unique_ptr<Proxy> StartProxy(const Routes& routes, ProxyOptions options = {}) {
  auto proxy = Proxy::Start(options, routes);
  EXPECT_TRUE(proxy.ok()) << proxy.status().ToString();
  return proxy.ok() ? std::move(*proxy) : nullptr;
}

// A copy (Telemetry() returns a temporary), empty when the pool is not listed.
inline std::optional<PoolTelemetry> Find(const std::vector<PoolTelemetry>& telemetry,
                                         const std::string& pool) {
  for (const auto& t : telemetry) {
    if (t.pool == pool) return t;
  }
  return std::nullopt;
}

}  // namespace slipway::proxy::testing
