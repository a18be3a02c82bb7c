// The JSON forms: tables round-trip, upstream addresses parse strictly.
#include <gtest/gtest.h>

#include "proxy/proxy.h"

namespace slipway::proxy {
namespace {

TEST(RoutesJson, RoundTrips) {
  Routes routes;
  routes.pools.push_back({"stable", {{"127.0.0.1", 8001}, {"::1", 8002}}, 90});
  routes.pools.push_back({"canary", {{"localhost", 9000}}, 10});
  const std::string json = RoutesJson(routes);
  EXPECT_EQ(
      json,
      R"({"pools":[{"name":"stable","upstreams":["127.0.0.1:8001","[::1]:8002"],"weight":90},)"
      R"({"name":"canary","upstreams":["localhost:9000"],"weight":10}]})");
  Result<Routes> back = ParseRoutesJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->pools.size(), 2u);
  EXPECT_EQ(back->pools[0].upstreams[1].host, "::1");
  EXPECT_EQ(back->pools[0].upstreams[1].port, 8002);
  EXPECT_EQ(back->pools[1].weight, 10);
}

TEST(RoutesJson, WeightDefaultsToZeroAndEmptyTableIsValid) {
  Result<Routes> routes = ParseRoutesJson(R"({"pools":[{"name":"a","upstreams":["h:1"]}]})");
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(routes->pools[0].weight, 0);
  EXPECT_TRUE(ParseRoutesJson(R"({"pools":[]})").ok());
}

TEST(ParseUpstream, AcceptsAndRejects) {
  EXPECT_TRUE(ParseUpstream("127.0.0.1:80").ok());
  EXPECT_TRUE(ParseUpstream("[::1]:80").ok());
  EXPECT_TRUE(ParseUpstream("backend.internal:65535").ok());
  for (const char* bad : {"", "host", "host:", ":80", "host:0", "host:65536", "host:8x", "::1:80",
                          "[::1]80", "[::1]:"}) {
    EXPECT_FALSE(ParseUpstream(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace slipway::proxy
