// The built-in proxy as a Router and a TrafficSource, through its admin API.
#include <nlohmann/json.hpp>

#include "deploy/deploy.h"
#include "deploy/net_io.h"
#include "deploy/proxy_admin_call.h"
#include "proxy/proxy.h"

namespace slipway::deploy {

namespace {

using Json = nlohmann::json;

class ProxyRouter : public Router {
 public:
  explicit ProxyRouter(ProxyAdmin admin) : admin_(std::move(admin)) {}

  Status Apply(const std::vector<Backend>& backends) override {
    proxy::Routes routes;
    for (const Backend& backend : backends) {
      proxy::Pool pool{.name = backend.revision, .upstreams = {}, .weight = backend.weight};
      for (const Endpoint& endpoint : backend.endpoints) {
        pool.upstreams.push_back({.host = endpoint.host, .port = endpoint.port});
      }
      routes.pools.push_back(std::move(pool));
    }
    Result<HttpAnswer> answer = CallProxyAdmin(admin_, "PUT", "/routes", proxy::RoutesJson(routes));
    if (!answer.ok()) return answer.status();
    if (answer.value().status != 200) {
      return Unavailable("the proxy refused the routes (HTTP " +
                         std::to_string(answer.value().status) + "): " + answer.value().body);
    }
    return Status::Ok();
  }

  Result<std::vector<Backend>> Observe() override {
    Result<HttpAnswer> answer = CallProxyAdmin(admin_, "GET", "/routes", "");
    if (!answer.ok()) return answer.status();
    if (answer.value().status != 200) {
      return Unavailable("the proxy answered GET /routes with HTTP " +
                         std::to_string(answer.value().status));
    }
    Result<proxy::Routes> routes = proxy::ParseRoutesJson(answer.value().body);
    if (!routes.ok()) return Unavailable("the proxy's routes: " + routes.status().message());
    std::vector<Backend> backends;
    for (const proxy::Pool& pool : routes.value().pools) {
      Backend backend{.revision = pool.name, .endpoints = {}, .weight = pool.weight};
      for (const proxy::Upstream& upstream : pool.upstreams) {
        backend.endpoints.push_back({upstream.host, upstream.port});
      }
      backends.push_back(std::move(backend));
    }
    return backends;
  }

 private:
  const ProxyAdmin admin_;
};

}  // namespace

std::unique_ptr<Router> MakeProxyRouter(ProxyAdmin admin) {
  return std::make_unique<ProxyRouter>(std::move(admin));
}

TrafficSource MakeProxyTrafficSource(ProxyAdmin admin) {
  return [admin = std::move(admin)](const std::string& revision) -> std::optional<TrafficSample> {
    Result<HttpAnswer> answer = CallProxyAdmin(admin, "GET", "/telemetry", "");
    if (!answer.ok() || answer.value().status != 200) return std::nullopt;
    const Json json = Json::parse(answer.value().body, nullptr, false);
    if (!json.is_object() || !json.contains("pools") || !json["pools"].is_array()) {
      return std::nullopt;
    }
    for (const Json& pool : json["pools"]) {
      if (pool.value("pool", "") != revision) continue;
      return TrafficSample{.requests = pool.value("requests", uint64_t{0}),
                           .errors = pool.value("errors", uint64_t{0})};
    }
    return std::nullopt;
  };
}

}  // namespace slipway::deploy
