// Prometheus text exposition format 0.0.4 of the proxy's telemetry.
#include <cstdio>
#include <cstdlib>

#include "proxy/telemetry.h"
#include "util/text_escape.h"

namespace slipway::proxy::internal {
namespace {

// Shortest text that reads back as the same double ("0.001", "2.5", "1e-06").
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, value);
    if (std::strtod(shorter, nullptr) == value) return shorter;
  }
  return text;
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

std::string FormatPrometheus(const std::vector<PoolTelemetry>& telemetry, const Routes& routes,
                             uint64_t unrouted) {
  std::string out;
  auto counter = [&](const char* name, const char* help, uint64_t PoolTelemetry::*field) {
    Header(out, name, "counter", help);
    for (const auto& pool : telemetry) {
      out += std::string(name) + "{pool=\"" + PrometheusLabelValue(pool.pool) + "\"} " +
             std::to_string(pool.*field) + "\n";
    }
  };
  counter("slipway_proxy_requests_total", "Requests answered, by pool (any status).",
          &PoolTelemetry::requests);
  counter("slipway_proxy_errors_total", "5xx answers, by pool, including the proxy's 502/504.",
          &PoolTelemetry::errors);
  counter("slipway_proxy_upstream_failures_total",
          "Upstream connect, read or timeout failures, by pool.",
          &PoolTelemetry::upstream_failures);

  const char* duration = "slipway_proxy_request_duration_seconds";
  Header(out, duration, "histogram",
         "Time from a request's head to its answer from the upstream, by pool.");
  for (const auto& pool : telemetry) {
    const std::string label = "pool=\"" + PrometheusLabelValue(pool.pool) + "\"";
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      const std::string le = i + 1 == kLatencyBuckets.size() ? "+Inf" : Number(kLatencyBuckets[i]);
      out += std::string(duration) + "_bucket{" + label + ",le=\"" + le + "\"} " +
             std::to_string(pool.latency_buckets[i]) + "\n";
    }
    out += std::string(duration) + "_sum{" + label + "} " + Number(pool.latency_sum_seconds) + "\n";
    out += std::string(duration) + "_count{" + label + "} " + std::to_string(pool.requests) + "\n";
  }

  Header(out, "slipway_proxy_pool_weight", "gauge", "Each pool's weight in the current table.");
  for (const auto& pool : routes.pools) {
    out += "slipway_proxy_pool_weight{pool=\"" + PrometheusLabelValue(pool.name) + "\"} " +
           std::to_string(pool.weight) + "\n";
  }
  Header(out, "slipway_proxy_unrouted_total", "counter",
         "Requests answered 503 because no pool could take them.");
  out += "slipway_proxy_unrouted_total " + std::to_string(unrouted) + "\n";
  return out;
}

}  // namespace slipway::proxy::internal
