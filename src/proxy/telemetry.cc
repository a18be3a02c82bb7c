#include "proxy/telemetry.h"

namespace slipway::proxy::internal {

PoolStats::PoolStats(std::string pool) : pool_(std::move(pool)) {}

void PoolStats::Record(double seconds, int status, bool upstream_failure) {
  size_t bucket = 0;
  while (bucket + 1 < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  std::lock_guard lock(mu_);
  ++requests_;
  if (status >= 500) ++errors_;
  if (upstream_failure) ++upstream_failures_;
  ++buckets_[bucket];
  sum_ += seconds;
  ring_[ring_next_] = seconds;
  ring_next_ = (ring_next_ + 1) % ring_.size();
  if (ring_size_ < ring_.size()) ++ring_size_;
}

PoolTelemetry PoolStats::Snapshot() const {
  PoolTelemetry out;
  out.pool = pool_;
  std::lock_guard lock(mu_);
  out.requests = requests_;
  out.errors = errors_;
  out.upstream_failures = upstream_failures_;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i];
    out.latency_buckets[i] = cumulative;
  }
  out.latency_sum_seconds = sum_;
  out.recent_latencies.reserve(ring_size_);
  // Oldest first: when the ring is full the oldest sample is where the next one goes.
  const size_t first = ring_size_ < ring_.size() ? 0 : ring_next_;
  for (size_t i = 0; i < ring_size_; ++i) {
    out.recent_latencies.push_back(ring_[(first + i) % ring_.size()]);
  }
  return out;
}

std::shared_ptr<PoolStats> TelemetryRegistry::ForPool(const std::string& pool) {
  std::lock_guard lock(mu_);
  auto& stats = pools_[pool];
  if (!stats) stats = std::make_shared<PoolStats>(pool);
  return stats;
}

std::vector<PoolTelemetry> TelemetryRegistry::Snapshot() const {
  std::vector<std::shared_ptr<PoolStats>> pools;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, stats] : pools_) pools.push_back(stats);
  }
  std::vector<PoolTelemetry> out;
  out.reserve(pools.size());
  for (const auto& stats : pools) out.push_back(stats->Snapshot());
  return out;
}

}  // namespace slipway::proxy::internal
