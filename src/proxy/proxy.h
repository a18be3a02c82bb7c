// The built-in L7 proxy: an HTTP/1.1 keep-alive reverse proxy that splits requests between
// named pools (one per revision: "stable", "canary", …) by weight, and counts what each pool
// answered. slipway's deploys shift traffic with it when no external router is configured;
// `slipway proxy` runs it on its own.
//
// Routing contract:
//  - Each new request picks a pool: an override header (`X-Slipway-Canary: always` → the pool
//    named "canary", `never` → the pool named "stable"; `X-Slipway-Pool: NAME` → that pool),
//    else the sticky cookie when enabled and it names a live pool, else a weighted draw.
//    Within a pool, endpoints take turns (round robin).
//  - SetRoutes replaces the table atomically: a request is routed entirely by the table current
//    when it arrived; in-flight requests finish on the upstream they started on. Upstream
//    keep-alive connections to endpoints no longer in any pool are closed once idle (drained).
//  - A pool with weight 0 gets no weighted traffic but still serves overrides.
//  - An upstream that refuses the connection before any byte of the request was sent is
//    retried once on another endpoint of the same pool; otherwise the client gets 502.
//    A pooled keep-alive connection that the upstream closed before answering is replaced by a
//    fresh one to the same endpoint once (idempotent methods only: a POST may have been read). No
//    answer within upstream_timeout_seconds gives 504. No pool at all (or an empty table) gives
//    503; an override or cookie naming a pool that is not in the table falls back to the weighted
//    draw.
//  - Requests are forwarded as they came, plus `X-Forwarded-For`; hop-by-hop headers
//    (Connection and what it names, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade,
//    Proxy-Connection) are not forwarded. Request and response bodies are buffered whole (up
//    to max_body_bytes), so streamed answers (SSE) reach the client only when complete.
//
// Admin API (when ProxyOptions::admin_enabled; JSON; `Authorization: Bearer TOKEN` when
// admin_token is set, else 401): GET /routes, PUT /routes (RoutesJson's shape; 400 and the
// table unchanged when invalid), GET /metrics (PrometheusText), GET /telemetry, GET /healthz.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::proxy {

struct Upstream {
  std::string host;  // IPv4/IPv6 literal or name (resolved when the table is set)
  uint16_t port = 0;
};

struct Pool {
  std::string name;                 // "stable", "canary", or a revision id
  std::vector<Upstream> upstreams;  // at least one
  int weight = 0;  // relative share; 0–100 in practice, weights need not sum to 100
};

struct Routes {
  std::vector<Pool> pools;
};

struct ProxyOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0 = any free port (see Proxy::port)
  int threads = 1;           // I/O threads
  // Sticky sessions: when non-empty, the first answer sets this cookie to the pool's name and
  // later requests carrying it stay on that pool while it exists.
  std::string sticky_cookie;
  size_t max_header_bytes = 64 * 1024;   // larger request headers → 431
  size_t max_body_bytes = 64 << 20;      // larger request bodies → 413
  int upstream_timeout_seconds = 60;     // no answer from the upstream in time → 504
  int client_idle_timeout_seconds = 60;  // idle client keep-alive connections are closed after
  // The admin API (see above) on a listener of its own, served by a thread of its own.
  bool admin_enabled = false;
  std::string admin_host = "127.0.0.1";
  uint16_t admin_port = 0;  // 0 = any free port (see Proxy::admin_port)
  std::string admin_token;  // empty = no authentication
};

// Latency histogram buckets (seconds, upper bounds), Prometheus style; the last is +Inf.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 1e300};

// What one pool answered since the proxy started (counters only grow, also across SetRoutes).
struct PoolTelemetry {
  std::string pool;
  uint64_t requests = 0;           // answered requests (any status)
  uint64_t errors = 0;             // 5xx answers, including the proxy's own 502/504
  uint64_t upstream_failures = 0;  // connect/read failures (a subset of errors)
  std::array<uint64_t, kLatencyBuckets.size()> latency_buckets{};  // cumulative counts
  double latency_sum_seconds = 0;
  // The most recent request latencies (seconds), at most 4096, oldest first: samples for the
  // canary judge.
  std::vector<double> recent_latencies;
};

class Proxy {
 public:
  // Binds and starts serving. InvalidArgument for a bad table, Unavailable when the address
  // cannot be bound.
  static Result<std::unique_ptr<Proxy>> Start(const ProxyOptions& options, const Routes& routes);
  ~Proxy();  // stops: closes the listener and every connection, joins the I/O threads
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  uint16_t port() const;        // the bound port
  uint16_t admin_port() const;  // the admin listener's port; 0 when the admin API is off

  // Atomically replaces the routing table (see the contract above). InvalidArgument (table
  // unchanged) for a pool without upstreams, duplicate names or a negative weight.
  Status SetRoutes(const Routes& routes);
  Routes routes() const;

  // Per pool, every pool that ever served a request or is in the table, by name.
  std::vector<PoolTelemetry> Telemetry() const;
  // The same as Prometheus text exposition (slipway_proxy_requests_total{pool=…},
  // slipway_proxy_errors_total, slipway_proxy_request_duration_seconds histogram,
  // slipway_proxy_pool_weight).
  std::string PrometheusText() const;

 private:
  struct Impl;
  explicit Proxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The admin API's JSON form of a table:
//   {"pools":[{"name":"stable","weight":90,"upstreams":["127.0.0.1:8001","[::1]:8002"]}]}
std::string RoutesJson(const Routes& routes);
// The inverse; InvalidArgument naming the field for bad JSON, unknown fields, wrong types, or
// a table CheckRoutes-style rules reject.
Result<Routes> ParseRoutesJson(std::string_view json);
// "HOST:PORT" or "[IPV6]:PORT" → Upstream; InvalidArgument otherwise.
Result<Upstream> ParseUpstream(std::string_view text);
// Telemetry() as JSON: {"pools":[{"pool":…,"requests":…,"errors":…,"upstream_failures":…,
// "latency_sum_seconds":…,"latency_buckets":[{"le":0.001,"count":…},…,{"le":"+Inf",…}],
// "recent_latencies":[…]}]}
std::string TelemetryJson(const std::vector<PoolTelemetry>& telemetry);

}  // namespace slipway::proxy
