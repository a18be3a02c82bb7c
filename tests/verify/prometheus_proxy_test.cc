// Two providers reading the same traffic: Prometheus scraping the built-in proxy's /metrics
// (with the admin token) and the proxy telemetry provider reading its /telemetry agree on the
// canary's requests and errors.
#include <gmock/gmock.h>

#include "prometheus_server.h"
#include "proxy/proxy.h"

namespace slipway::verify::testing {
namespace {

constexpr char kToken[] = "scrape-s3cret";

TEST(PrometheusScrapingTheProxy, AgreesWithTheProxyTelemetryProvider) {
  http::Router router;
  router.Add("GET", "/ok", [](http::Request&) { return http::Response::Text(200, "ok"); });
  router.Add("GET", "/fail", [](http::Request&) { return http::Response::Text(502, "boom"); });
  auto upstream = StartServer(std::move(router));
  ASSERT_TRUE(upstream);
  proxy::ProxyOptions options;
  options.admin_enabled = true;
  options.admin_token = kToken;
  auto proxy = proxy::Proxy::Start(options, {{{"stable", {{"127.0.0.1", upstream->port()}}, 90},
                                              {"canary", {{"127.0.0.1", upstream->port()}}, 10}}});
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  const std::string admin = "127.0.0.1:" + std::to_string((*proxy)->admin_port());

  http::ClientOptions client_options;
  client_options.base_url = "http://127.0.0.1:" + std::to_string((*proxy)->port());
  auto client = http::HttpClient::Create(client_options);
  ASSERT_TRUE(client.ok());
  for (const char* path : {"/ok", "/ok", "/ok", "/fail", "/ok", "/fail", "/ok"}) {
    ASSERT_TRUE((*client)->Send("GET", path, {}, {{"X-Slipway-Pool", "canary"}}).ok());
  }

  PrometheusServer prometheus({admin}, kToken);
  ASSERT_TRUE(prometheus.ok()) << prometheus.error();
  PrometheusProviderOptions query;
  query.address = prometheus.address();
  query.query = R"(sum(slipway_proxy_errors_total{pool="${{ revision }}"}))"
                R"( / sum(slipway_proxy_requests_total{pool="${{ revision }}"}))";
  auto from_prometheus = MakePrometheusProvider(query);
  ASSERT_TRUE(from_prometheus.ok()) << from_prometheus.status().ToString();
  const expr::Value::Map canary = {{"revision", "canary"}};
  Result<Measurement> scraped = NotFound("not measured");
  WaitUntil([&] {  // until the first scrape
    scraped = (*from_prometheus)->Measure(RequestFor(canary));
    return scraped.status().code() != StatusCode::kNotFound;
  });
  ASSERT_TRUE(scraped.ok()) << scraped.status().ToString();

  ProxyTelemetryOptions telemetry;
  telemetry.admin_address = admin;
  telemetry.token = kToken;
  auto from_proxy = MakeProxyTelemetryProvider(telemetry);
  ASSERT_TRUE(from_proxy.ok());
  auto read = (*from_proxy)->Measure(RequestFor(canary));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->counts.has_value());
  EXPECT_EQ(read->counts->events, 2u);
  EXPECT_EQ(read->counts->total, 7u);
  ASSERT_TRUE(read->value.has_value());
  EXPECT_DOUBLE_EQ(*read->value, 2.0 / 7);
  EXPECT_DOUBLE_EQ(*scraped->value, *read->value);
}

}  // namespace
}  // namespace slipway::verify::testing
