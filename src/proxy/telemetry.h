// Per-pool counters, the latency histogram and the ring of recent latencies. Thread-safe:
// I/O threads record, Telemetry()/PrometheusText() read, each pool under its own mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proxy/proxy.h"

namespace slipway::proxy::internal {

inline constexpr size_t kRecentLatencies = 4096;

class PoolStats {
 public:
  explicit PoolStats(std::string pool);
  PoolStats(const PoolStats&) = delete;
  PoolStats& operator=(const PoolStats&) = delete;

  // One answered request: its latency, its status, and whether the upstream failed it.
  void Record(double seconds, int status, bool upstream_failure);
  PoolTelemetry Snapshot() const;

 private:
  mutable std::mutex mu_;
  const std::string pool_;
  uint64_t requests_ = 0, errors_ = 0, upstream_failures_ = 0;
  std::array<uint64_t, kLatencyBuckets.size()> buckets_{};  // per bucket, not cumulative
  double sum_ = 0;
  std::array<double, kRecentLatencies> ring_{};
  size_t ring_next_ = 0, ring_size_ = 0;
};

// Every pool's stats by name; a pool's stats live as long as the proxy (counters survive
// SetRoutes, also when a pool leaves the table and comes back).
class TelemetryRegistry {
 public:
  std::shared_ptr<PoolStats> ForPool(const std::string& pool);  // created on first use
  std::vector<PoolTelemetry> Snapshot() const;                  // by pool name
  void CountUnrouted() { unrouted_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t unrouted() const { return unrouted_.load(std::memory_order_relaxed); }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<PoolStats>> pools_;
  std::atomic<uint64_t> unrouted_{0};
};

// Prometheus text exposition (version 0.0.4) of `telemetry`, with the current weights of
// the pools in `routes` and the count of requests no pool could take.
std::string FormatPrometheus(const std::vector<PoolTelemetry>& telemetry, const Routes& routes,
                             uint64_t unrouted);

}  // namespace slipway::proxy::internal
