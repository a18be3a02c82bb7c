// The routing table in the form requests use: immutable once built, shared by the I/O threads
// through a shared_ptr; SetRoutes swaps in a new one (RouteHolder).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "proxy/asio.h"
#include "proxy/proxy.h"
#include "proxy/telemetry.h"

namespace slipway::proxy::internal {

// One upstream address, resolved when the table was built. `key` ("host:port") names it in
// the upstream connection pools.
struct Endpoint {
  std::string key;
  std::vector<tcp::endpoint> addresses;
};

struct RoutedPool {
  std::string name;
  int weight = 0;
  std::vector<std::shared_ptr<const Endpoint>> endpoints;  // at least one
  std::shared_ptr<PoolStats> stats;
  // Round robin: the only mutable member, shared by every thread that uses the table.
  mutable std::atomic<uint64_t> next{0};

  const Endpoint& NextEndpoint() const {
    return *endpoints[next.fetch_add(1, std::memory_order_relaxed) % endpoints.size()];
  }
};

class RouteTable {
 public:
  // Resolves every upstream; InvalidArgument for a table CheckRoutes rejects or a host that
  // does not resolve.
  static Result<std::shared_ptr<const RouteTable>> Build(const Routes& routes,
                                                         TelemetryRegistry& telemetry);

  const Routes& routes() const { return routes_; }
  const RoutedPool* Find(std::string_view name) const;
  // A weighted draw; `random` is uniform over 64 bits. Null when no pool has weight.
  const RoutedPool* Draw(uint64_t random) const;
  const std::unordered_set<std::string>& endpoint_keys() const { return endpoint_keys_; }

 private:
  Routes routes_;
  std::vector<std::unique_ptr<RoutedPool>> pools_;
  std::vector<int64_t> cumulative_weights_;  // running sums, one per pool
  int64_t total_weight_ = 0;
  std::unordered_set<std::string> endpoint_keys_;
};

// The current table. Readers on I/O threads keep a cached copy and re-read it only when the
// generation changed, so the common path takes no lock.
class RouteHolder {
 public:
  explicit RouteHolder(std::shared_ptr<const RouteTable> table) : table_(std::move(table)) {}

  void Set(std::shared_ptr<const RouteTable> table) {
    std::lock_guard lock(mu_);
    table_ = std::move(table);
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::shared_ptr<const RouteTable> Get() const {
    std::lock_guard lock(mu_);
    return table_;
  }
  // Updates `cache` if the table changed since it was read; `cached_generation` is the
  // caller's (per thread).
  void Refresh(std::shared_ptr<const RouteTable>& cache, uint64_t& cached_generation) const {
    const uint64_t now = generation_.load(std::memory_order_acquire);
    if (cache && now == cached_generation) return;
    std::lock_guard lock(mu_);
    cache = table_;
    cached_generation = generation_.load(std::memory_order_relaxed);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const RouteTable> table_;
  std::atomic<uint64_t> generation_{0};
};

// What a request asks for, read off its headers.
struct RouteHints {
  std::string_view canary;  // X-Slipway-Canary
  std::string_view pool;    // X-Slipway-Pool
  std::string_view cookie;  // the sticky cookie's value, when enabled and present
};

struct RouteChoice {
  const RoutedPool* pool = nullptr;  // null: no pool can take the request (503)
  bool drawn = false;                // chosen by the weighted draw (so a sticky cookie is due)
};

// The routing contract of proxy.h: overrides, then the sticky cookie, then the draw.
RouteChoice ChoosePool(const RouteTable& table, const RouteHints& hints, uint64_t random);

}  // namespace slipway::proxy::internal
