// Per-pool counters, latency histogram, recent latencies and their Prometheus text.
#include <gmock/gmock.h>

#include <cstdlib>
#include <sstream>

#include "proxy_fixture.h"

namespace slipway::proxy::testing {
namespace {

using ::testing::HasSubstr;

TEST(ProxyTelemetry, CountsPerPool) {
  Backend stable("stable"), canary("canary");
  canary.status = 503;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&stable}), PoolOf("canary", 0, {&canary})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 7; ++i) ASSERT_EQ(client.Get("/").status, 200);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(client.Get("/", {{"X-Slipway-Pool", "canary"}}).status, 503);

  auto telemetry = proxy->Telemetry();
  const auto s = Find(telemetry, "stable");
  const auto c = Find(telemetry, "canary");
  ASSERT_TRUE(s);
  ASSERT_TRUE(c);
  EXPECT_EQ(s->requests, 7u);
  EXPECT_EQ(s->errors, 0u);
  EXPECT_EQ(c->requests, 3u);
  EXPECT_EQ(c->errors, 3u);
  EXPECT_EQ(c->upstream_failures, 0u);
  ASSERT_EQ(s->recent_latencies.size(), 7u);
  EXPECT_EQ(s->latency_buckets.back(), 7u);  // +Inf holds every request
  double sum = 0;
  for (double latency : s->recent_latencies) {
    EXPECT_GT(latency, 0);
    EXPECT_LT(latency, 10);
    sum += latency;
  }
  EXPECT_NEAR(s->latency_sum_seconds, sum, 1e-9);
  for (size_t i = 1; i < s->latency_buckets.size(); ++i) {
    EXPECT_GE(s->latency_buckets[i], s->latency_buckets[i - 1]);  // cumulative
  }
}

TEST(ProxyTelemetry, LatenciesLandInTheirBuckets) {
  Backend slow("slow");
  slow.delay_ms = 120;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&slow})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 2; ++i) ASSERT_EQ(client.Get("/").status, 200);
  const auto s = Find(proxy->Telemetry(), "stable");
  ASSERT_TRUE(s);
  // Bucket 6 is le=0.1: a 120 ms answer is above it (a loaded machine may make it slower,
  // never faster).
  EXPECT_EQ(s->latency_buckets[6], 0u);
  EXPECT_EQ(s->latency_buckets.back(), 2u);
  for (double latency : s->recent_latencies) EXPECT_GE(latency, 0.12);
}

TEST(ProxyTelemetry, CountersSurviveSetRoutesAndRemovedPoolsStayListed) {
  Backend stable("stable"), canary("canary");
  auto proxy = StartProxy({{PoolOf("stable", 0, {&stable}), PoolOf("canary", 100, {&canary})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 4; ++i) ASSERT_EQ(client.Get("/").status, 200);
  ASSERT_TRUE(proxy->SetRoutes({{PoolOf("stable", 100, {&stable})}}).ok());
  ASSERT_EQ(client.Get("/").status, 200);
  auto telemetry = proxy->Telemetry();
  ASSERT_EQ(telemetry.size(), 2u);
  EXPECT_EQ(Find(telemetry, "canary")->requests, 4u);
  EXPECT_EQ(Find(telemetry, "stable")->requests, 1u);
}

TEST(ProxyTelemetry, RecentLatenciesKeepTheLast4096) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 4200; ++i) ASSERT_EQ(client.Get("/").status, 200);
  const auto s = Find(proxy->Telemetry(), "stable");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->requests, 4200u);
  EXPECT_EQ(s->recent_latencies.size(), 4096u);
}

TEST(ProxyTelemetry, PrometheusText) {
  Backend stable("stable"), canary("canary");
  auto proxy = StartProxy({{PoolOf("stable", 90, {&stable}), PoolOf("canary", 10, {&canary})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(client.Get("/", {{"X-Slipway-Canary", "always"}}).status, 200);
  const std::string text = proxy->PrometheusText();
  EXPECT_THAT(text, HasSubstr("# TYPE slipway_proxy_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("slipway_proxy_requests_total{pool=\"canary\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("slipway_proxy_requests_total{pool=\"stable\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("slipway_proxy_errors_total{pool=\"canary\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE slipway_proxy_request_duration_seconds histogram\n"));
  EXPECT_THAT(
      text,
      HasSubstr("slipway_proxy_request_duration_seconds_bucket{pool=\"canary\",le=\"+Inf\"} 5\n"));
  EXPECT_THAT(
      text,
      HasSubstr("slipway_proxy_request_duration_seconds_bucket{pool=\"canary\",le=\"0.0025\"} "));
  EXPECT_THAT(text, HasSubstr("slipway_proxy_request_duration_seconds_count{pool=\"canary\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("slipway_proxy_request_duration_seconds_sum{pool=\"canary\"} "));
  EXPECT_THAT(text, HasSubstr("slipway_proxy_pool_weight{pool=\"stable\"} 90\n"));
  EXPECT_THAT(text, HasSubstr("slipway_proxy_pool_weight{pool=\"canary\"} 10\n"));
  // Every non-comment line is "name{labels} value" or "name value".
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    char* end = nullptr;
    std::strtod(line.c_str() + space + 1, &end);
    EXPECT_EQ(*end, '\0') << line;
  }
}

}  // namespace
}  // namespace slipway::proxy::testing
