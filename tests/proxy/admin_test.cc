// The admin API: what slipway's deploy module uses to drive a long-running proxy.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "proxy_fixture.h"

namespace slipway::proxy::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class ProxyAdmin : public ::testing::Test {
 protected:
  void Start(const std::string& token = "") {
    ProxyOptions options;
    options.admin_enabled = true;
    options.admin_token = token;
    proxy_ = StartProxy({{PoolOf("stable", 100, {&stable_})}}, options);
    ASSERT_TRUE(proxy_);
    ASSERT_NE(proxy_->admin_port(), 0);
    ASSERT_NE(proxy_->admin_port(), proxy_->port());
  }

  Backend stable_{"stable"}, canary_{"canary"};
  std::unique_ptr<Proxy> proxy_;
};

TEST_F(ProxyAdmin, GetRoutes) {
  Start();
  Client admin(proxy_->admin_port());
  Reply reply = admin.Get("/routes");
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "application/json");
  Json json = Json::parse(reply.body);
  EXPECT_EQ(json, Json::parse(R"({"pools":[{"name":"stable","weight":100,"upstreams":[")" +
                              stable_.address() + "\"]}]}"));
}

TEST_F(ProxyAdmin, PutRoutesShiftsTraffic) {
  Start();
  Client admin(proxy_->admin_port());
  const std::string table =
      R"({"pools":[{"name":"stable","weight":0,"upstreams":[")" + stable_.address() +
      R"("]},{"name":"canary","weight":100,"upstreams":[")" + canary_.address() + "\"]}]}";
  Reply reply = admin.Send("PUT", "/routes", {{"Content-Type", "application/json"}}, table);
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(Json::parse(reply.body), Json::parse(table));
  ASSERT_EQ(proxy_->routes().pools.size(), 2u);
  EXPECT_EQ(proxy_->routes().pools[1].weight, 100);
  Client client(proxy_->port());
  EXPECT_EQ(client.Get("/").body, "canary");
}

TEST_F(ProxyAdmin, BadTablesAre400AndChangeNothing) {
  Start();
  Client admin(proxy_->admin_port());
  const std::string before = admin.Get("/routes").body;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"pools":[{"name":"a","weight":1,"upstreams":[]}]})", "has no upstreams"},
      {R"({"pools":[{"name":"a","weight":-5,"upstreams":["127.0.0.1:1"]}]})", "weight"},
      {R"({"pools":[{"name":"a","weight":1,"upstreams":["127.0.0.1"]}]})", "upstreams[0]"},
      {R"({"pools":[{"name":"a","weigth":1,"upstreams":["127.0.0.1:1"]}]})",
       "unknown field 'weigth'"},
      {R"({"pools":[{"name":"a","upstreams":["127.0.0.1:1"]},{"name":"a","upstreams":["127.0.0.1:2"]}]})",
       "listed twice"},
      {R"({"routes":[]})", "unknown field 'routes'"},
  };
  for (const auto& [body, message] : cases) {
    Reply reply = admin.Send("PUT", "/routes", {}, body);
    ASSERT_TRUE(reply.ok) << reply.error;
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_THAT(Json::parse(reply.body).value("error", ""), HasSubstr(message)) << body;
  }
  EXPECT_EQ(admin.Get("/routes").body, before);
  Client client(proxy_->port());
  EXPECT_EQ(client.Get("/").body, "stable");
}

TEST_F(ProxyAdmin, MetricsTelemetryAndHealth) {
  Start();
  Client client(proxy_->port());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.Get("/").status, 200);
  Client admin(proxy_->admin_port());
  Reply metrics = admin.Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.header("content-type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics.body, HasSubstr("slipway_proxy_requests_total{pool=\"stable\"} 3\n"));

  Reply telemetry = admin.Get("/telemetry");
  ASSERT_EQ(telemetry.status, 200);
  Json json = Json::parse(telemetry.body);
  ASSERT_EQ(json["pools"].size(), 1u);
  const Json& pool = json["pools"][0];
  EXPECT_EQ(pool["pool"], "stable");
  EXPECT_EQ(pool["requests"], 3);
  EXPECT_EQ(pool["errors"], 0);
  EXPECT_EQ(pool["recent_latencies"].size(), 3u);
  EXPECT_EQ(pool["latency_buckets"].size(), kLatencyBuckets.size());
  EXPECT_EQ(pool["latency_buckets"].back()["le"], "+Inf");
  EXPECT_EQ(pool["latency_buckets"].back()["count"], 3);

  EXPECT_EQ(admin.Get("/healthz").status, 200);
  EXPECT_EQ(admin.Get("/nothing").status, 404);
  EXPECT_EQ(admin.Send("DELETE", "/routes").status, 405);
}

TEST_F(ProxyAdmin, TokenIsRequiredWhenSet) {
  Start("s3cret");
  Client admin(proxy_->admin_port());
  EXPECT_EQ(admin.Get("/routes").status, 401);
  EXPECT_EQ(admin.Get("/routes", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(admin.Get("/routes", {{"Authorization", "Bearer s3cre"}}).status, 401);
  EXPECT_EQ(admin.Get("/metrics").status, 401);
  const std::string table =
      R"({"pools":[{"name":"canary","weight":1,"upstreams":[")" + canary_.address() + "\"]}]}";
  EXPECT_EQ(admin.Send("PUT", "/routes", {}, table).status, 401);
  EXPECT_EQ(proxy_->routes().pools[0].name, "stable");
  EXPECT_EQ(admin.Get("/routes", {{"Authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(admin.Send("PUT", "/routes", {{"Authorization", "Bearer s3cret"}}, table).status, 200);
  EXPECT_EQ(proxy_->routes().pools[0].name, "canary");
  EXPECT_EQ(admin.Get("/healthz").status, 200);  // liveness probes need no token
}

TEST(ProxyAdminOff, NoAdminListenerByDefault) {
  Backend stable("stable");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&stable})}});
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->admin_port(), 0);
}

}  // namespace
}  // namespace slipway::proxy::testing
