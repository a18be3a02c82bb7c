// The JSON forms of the admin API: routing tables and telemetry.
#include <charconv>
#include <nlohmann/json.hpp>

#include "proxy/proxy.h"
#include "proxy/route_check.h"

namespace slipway::proxy {
namespace {

using Json = nlohmann::json;

std::string UpstreamText(const Upstream& upstream) {
  const bool v6 = upstream.host.find(':') != std::string::npos;
  return (v6 ? "[" + upstream.host + "]" : upstream.host) + ":" + std::to_string(upstream.port);
}

Result<Pool> ParsePool(const Json& json, size_t index) {
  const std::string where = "pools[" + std::to_string(index) + "]";
  if (!json.is_object()) return InvalidArgument(where + " is not an object");
  Pool pool;
  for (const auto& [key, value] : json.items()) {
    if (key == "name") {
      if (!value.is_string()) return InvalidArgument(where + ".name is not a string");
      pool.name = value.get<std::string>();
    } else if (key == "weight") {
      if (!value.is_number_integer()) return InvalidArgument(where + ".weight is not an integer");
      const auto weight = value.get<int64_t>();
      if (weight < 0 || weight > 1000000) {
        return InvalidArgument(where + ".weight must be between 0 and 1000000");
      }
      pool.weight = static_cast<int>(weight);
    } else if (key == "upstreams") {
      if (!value.is_array()) return InvalidArgument(where + ".upstreams is not an array");
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string at = where + ".upstreams[" + std::to_string(i) + "]";
        if (!value[i].is_string()) return InvalidArgument(at + " is not a \"HOST:PORT\" string");
        Result<Upstream> upstream = ParseUpstream(value[i].get<std::string>());
        if (!upstream.ok()) return upstream.status().WithContext(at);
        pool.upstreams.push_back(*upstream);
      }
    } else {
      return InvalidArgument(where + ": unknown field '" + key +
                             "' (a pool has name, weight, upstreams)");
    }
  }
  if (!json.contains("name")) return InvalidArgument(where + " has no name");
  if (!json.contains("upstreams")) return InvalidArgument(where + " has no upstreams");
  return pool;
}

}  // namespace

Result<Upstream> ParseUpstream(std::string_view text) {
  Upstream upstream;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgument("'" + std::string(text) + "' is not [IPV6]:PORT");
    }
    upstream.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return InvalidArgument("'" + std::string(text) + "' is not HOST:PORT");
    }
    upstream.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (upstream.host.empty() || port.empty() || ec != std::errc() ||
      end != port.data() + port.size() || value == 0 || value > 65535) {
    return InvalidArgument("'" + std::string(text) + "' is not HOST:PORT (port 1-65535)");
  }
  upstream.port = static_cast<uint16_t>(value);
  return upstream;
}

std::string RoutesJson(const Routes& routes) {
  Json pools = Json::array();
  for (const Pool& pool : routes.pools) {
    Json upstreams = Json::array();
    for (const Upstream& upstream : pool.upstreams) upstreams.push_back(UpstreamText(upstream));
    pools.push_back({{"name", pool.name}, {"weight", pool.weight}, {"upstreams", upstreams}});
  }
  return Json{{"pools", pools}}.dump();
}

Result<Routes> ParseRoutesJson(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgument("the routing table is not valid JSON");
  if (!json.is_object()) return InvalidArgument("the routing table is not a JSON object");
  Routes routes;
  for (const auto& [key, value] : json.items()) {
    if (key != "pools") return InvalidArgument("unknown field '" + key + "' (expected \"pools\")");
    if (!value.is_array()) return InvalidArgument("pools is not an array");
    for (size_t i = 0; i < value.size(); ++i) {
      SLIPWAY_ASSIGN_OR_RETURN(Pool pool, ParsePool(value[i], i));
      routes.pools.push_back(std::move(pool));
    }
  }
  if (!json.contains("pools")) return InvalidArgument("the routing table has no \"pools\"");
  SLIPWAY_RETURN_IF_ERROR(CheckRoutes(routes));
  return routes;
}

std::string TelemetryJson(const std::vector<PoolTelemetry>& telemetry) {
  Json pools = Json::array();
  for (const PoolTelemetry& pool : telemetry) {
    Json buckets = Json::array();
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      Json le = i + 1 == kLatencyBuckets.size() ? Json("+Inf") : Json(kLatencyBuckets[i]);
      buckets.push_back({{"le", le}, {"count", pool.latency_buckets[i]}});
    }
    pools.push_back({{"pool", pool.pool},
                     {"requests", pool.requests},
                     {"errors", pool.errors},
                     {"upstream_failures", pool.upstream_failures},
                     {"latency_sum_seconds", pool.latency_sum_seconds},
                     {"latency_buckets", buckets},
                     {"recent_latencies", pool.recent_latencies}});
  }
  return Json{{"pools", pools}}.dump();
}

}  // namespace slipway::proxy
