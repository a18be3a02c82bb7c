// Which pool and endpoint a request reaches: weights, overrides, sticky cookie, round robin.
#include <map>

#include "proxy_fixture.h"

namespace slipway::proxy::testing {
namespace {

std::map<std::string, int> CountBackends(Client& client, int n,
                                         const std::map<std::string, std::string>& headers = {}) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) {
    Reply reply = client.Get("/", headers);
    EXPECT_TRUE(reply.ok) << reply.error;
    EXPECT_EQ(reply.status, 200);
    ++counts[reply.body];
  }
  return counts;
}

TEST(ProxyRouting, WeightsSplitRequests) {
  Backend stable("stable"), canary("canary");
  auto proxy = StartProxy({{PoolOf("stable", 90, {&stable}), PoolOf("canary", 10, {&canary})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  auto counts = CountBackends(client, 1000);
  // Binomial(1000, 0.1): mean 100, sd 9.5; 60..140 is over 4 sd either way.
  EXPECT_GE(counts["canary"], 60);
  EXPECT_LE(counts["canary"], 140);
  EXPECT_EQ(counts["stable"] + counts["canary"], 1000);
}

TEST(ProxyRouting, WeightsNeedNotSumToHundred) {
  Backend a("a"), b("b");
  auto proxy = StartProxy({{PoolOf("a", 1, {&a}), PoolOf("b", 3, {&b})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  auto counts = CountBackends(client, 400);
  // Binomial(400, 0.25): mean 100, sd 8.7.
  EXPECT_GE(counts["a"], 60);
  EXPECT_LE(counts["a"], 140);
}

TEST(ProxyRouting, WeightZeroGetsNoDrawnTrafficButServesOverrides) {
  Backend stable("stable"), canary("canary");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&stable}), PoolOf("canary", 0, {&canary})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  auto counts = CountBackends(client, 200);
  EXPECT_EQ(counts["stable"], 200);
  EXPECT_EQ(counts["canary"], 0);
  EXPECT_EQ(client.Get("/", {{"X-Slipway-Canary", "always"}}).body, "canary");
  EXPECT_EQ(client.Get("/", {{"X-Slipway-Pool", "canary"}}).body, "canary");
}

TEST(ProxyRouting, OverrideHeaders) {
  Backend stable("stable"), canary("canary"), blue("blue");
  auto proxy = StartProxy({{PoolOf("stable", 50, {&stable}), PoolOf("canary", 50, {&canary}),
                            PoolOf("blue", 0, {&blue})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  EXPECT_EQ(CountBackends(client, 50, {{"X-Slipway-Canary", "always"}})["canary"], 50);
  EXPECT_EQ(CountBackends(client, 50, {{"X-Slipway-Canary", "never"}})["stable"], 50);
  EXPECT_EQ(CountBackends(client, 50, {{"X-Slipway-Pool", "blue"}})["blue"], 50);
  // A pool that is not in the table: the weighted draw decides (both pools appear).
  auto counts = CountBackends(client, 100, {{"X-Slipway-Pool", "green"}});
  EXPECT_GT(counts["stable"], 0);
  EXPECT_GT(counts["canary"], 0);
  EXPECT_EQ(counts["blue"], 0);
}

TEST(ProxyRouting, StickyCookieKeepsAClientOnItsPool) {
  Backend stable("stable"), canary("canary");
  ProxyOptions options;
  options.sticky_cookie = "slipway_pool";
  auto proxy =
      StartProxy({{PoolOf("stable", 50, {&stable}), PoolOf("canary", 50, {&canary})}}, options);
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  Reply first = client.Get("/");
  ASSERT_TRUE(first.ok) << first.error;
  const std::string cookie = first.header("set-cookie");
  ASSERT_EQ(cookie.rfind("slipway_pool=" + first.body + ";", 0), 0u) << cookie;
  const std::string pair = cookie.substr(0, cookie.find(';'));
  // Every later request with the cookie lands on the same pool, and is not re-cookied.
  for (int i = 0; i < 40; ++i) {
    Reply reply = client.Get("/", {{"Cookie", "other=1; " + pair}});
    EXPECT_EQ(reply.body, first.body);
    EXPECT_EQ(reply.header("set-cookie"), "");
  }
  // A cookie naming a pool that is gone: drawn again, and a fresh cookie is set.
  Reply stale = client.Get("/", {{"Cookie", "slipway_pool=gone"}});
  EXPECT_NE(stale.header("set-cookie"), "");
}

TEST(ProxyRouting, RoundRobinWithinAPool) {
  Backend a("a"), b("b"), c("c");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&a, &b, &c})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  auto counts = CountBackends(client, 30);
  EXPECT_EQ(counts["a"], 10);
  EXPECT_EQ(counts["b"], 10);
  EXPECT_EQ(counts["c"], 10);
}

TEST(ProxyRouting, NoPoolsGives503) {
  auto proxy = StartProxy({});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  Reply reply = client.Get("/");
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.status, 503);
  // The connection stays usable.
  EXPECT_EQ(client.Get("/").status, 503);
  EXPECT_EQ(client.connects(), 1);
  EXPECT_NE(proxy->PrometheusText().find("slipway_proxy_unrouted_total 2\n"), std::string::npos);
}

TEST(ProxyRouting, OnlyZeroWeightsGives503UnlessOverridden) {
  Backend stable("stable");
  auto proxy = StartProxy({{PoolOf("stable", 0, {&stable})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  EXPECT_EQ(client.Get("/").status, 503);
  EXPECT_EQ(client.Get("/", {{"X-Slipway-Canary", "never"}}).status, 200);
}

}  // namespace
}  // namespace slipway::proxy::testing
