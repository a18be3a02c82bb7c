// The proxy telemetry provider against a real built-in proxy (in-process, admin API on its
// own port, with a token) forwarding to an in-process upstream, and against a fake admin API
// that answers garbage.
#include <gmock/gmock.h>

#include <thread>

#include "fake_source.h"
#include "proxy/proxy.h"

namespace slipway::verify::testing {
namespace {

using ::testing::AllOf;
using ::testing::Each;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kToken[] = "admin-s3cret";

class ProxyTelemetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.Add("GET", "/ok", [](http::Request&) { return http::Response::Text(200, "ok"); });
    router.Add("GET", "/slow", [](http::Request&) {
      std::this_thread::sleep_for(30ms);
      return http::Response::Text(200, "slow");
    });
    router.Add("GET", "/fail", [](http::Request&) { return http::Response::Text(500, "boom"); });
    upstream_ = StartServer(std::move(router));
    ASSERT_TRUE(upstream_);
    proxy::Routes routes;
    for (const char* pool : {"stable", "canary", "idle"}) {
      routes.pools.push_back(
          {pool, {{"127.0.0.1", upstream_->port()}}, pool == std::string("idle") ? 0 : 50});
    }
    proxy::ProxyOptions options;
    options.admin_enabled = true;
    options.admin_token = kToken;
    auto started = proxy::Proxy::Start(options, routes);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    proxy_ = std::move(*started);
    admin_ = "127.0.0.1:" + std::to_string(proxy_->admin_port());
  }

  // `count` requests for `path` through the proxy, pinned to `pool`.
  void Send(const std::string& pool, const std::string& path, int count) {
    http::ClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(proxy_->port());
    auto client = http::HttpClient::Create(options);
    ASSERT_TRUE(client.ok());
    for (int i = 0; i < count; ++i) {
      auto answer = (*client)->Send("GET", path, {}, {{"X-Slipway-Pool", pool}});
      ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    }
  }

  Result<Measurement> Measure(ProxySignal signal, const std::string& revision,
                              std::string token = kToken) {
    ProxyTelemetryOptions options;
    options.admin_address = admin_;
    options.token = std::move(token);
    options.signal = signal;
    auto provider = MakeProxyTelemetryProvider(options);
    if (!provider.ok()) return provider.status();
    return (*provider)->Measure(RequestFor({{"revision", revision}}));
  }

  std::unique_ptr<http::Server> upstream_;
  std::unique_ptr<proxy::Proxy> proxy_;
  std::string admin_;  // host:port of its admin API, kept when the proxy is gone
};

TEST_F(ProxyTelemetryTest, ErrorRateCountsTheRevisionsPool) {
  Send("canary", "/ok", 3);
  Send("canary", "/fail", 2);
  Send("stable", "/ok", 4);

  auto canary = Measure(ProxySignal::kErrorRate, "canary");
  ASSERT_TRUE(canary.ok()) << canary.status().ToString();
  ASSERT_TRUE(canary->counts.has_value());
  EXPECT_EQ(canary->counts->events, 2u);
  EXPECT_EQ(canary->counts->total, 5u);
  EXPECT_EQ(canary->value, 0.4);
  const auto& result = canary->result.as_map();
  EXPECT_EQ(result.at("pool"), expr::Value("canary"));
  EXPECT_EQ(result.at("requests"), expr::Value(5));
  EXPECT_EQ(result.at("errors"), expr::Value(2));
  EXPECT_EQ(result.at("rate"), expr::Value(0.4));

  auto stable = Measure(ProxySignal::kErrorRate, "stable");
  ASSERT_TRUE(stable.ok()) << stable.status().ToString();
  EXPECT_EQ(stable->counts->events, 0u);
  EXPECT_EQ(stable->counts->total, 4u);
  EXPECT_EQ(stable->value, 0);
}

TEST_F(ProxyTelemetryTest, LatencySamplesAreMillisecondsWithTheirMedian) {
  Send("canary", "/slow", 3);
  Send("canary", "/fail", 2);
  auto m = Measure(ProxySignal::kLatency, "canary");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  // Each /slow answer took at least its 30 ms sleep; the median of 5 is one of them.
  EXPECT_THAT(m->samples, SizeIs(5));
  EXPECT_THAT(m->samples, Each(Ge(0)));
  ASSERT_TRUE(m->value.has_value());
  EXPECT_GE(*m->value, 30);
  std::vector<double> sorted = m->samples;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(*m->value, sorted[2]);
  EXPECT_EQ(m->result.as_map().at("median_ms"), expr::Value(*m->value));
  EXPECT_FALSE(m->counts.has_value());
}

TEST_F(ProxyTelemetryTest, TheMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo) {
  Send("stable", "/ok", 2);
  Send("stable", "/slow", 2);
  auto m = Measure(ProxySignal::kLatency, "stable");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_THAT(m->samples, SizeIs(4));
  std::vector<double> sorted = m->samples;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_DOUBLE_EQ(*m->value, (sorted[1] + sorted[2]) / 2);
}

TEST_F(ProxyTelemetryTest, APoolWithoutTrafficHasNoRateRatherThanZero) {
  auto rate = Measure(ProxySignal::kErrorRate, "idle");
  ASSERT_TRUE(rate.ok()) << rate.status().ToString();
  EXPECT_EQ(rate->counts->total, 0u);
  EXPECT_FALSE(rate->value.has_value());
  EXPECT_TRUE(rate->result.as_map().at("rate").is_null());
  auto latency = Measure(ProxySignal::kLatency, "idle");
  ASSERT_TRUE(latency.ok());
  EXPECT_TRUE(latency->samples.empty());
  EXPECT_FALSE(latency->value.has_value());
}

TEST_F(ProxyTelemetryTest, UnknownPoolWrongTokenAndADownProxyAreErrors) {
  auto unknown = Measure(ProxySignal::kErrorRate, "rev-9");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), AllOf(HasSubstr("rev-9"), HasSubstr("canary")));

  auto refused = Measure(ProxySignal::kErrorRate, "canary", "wrong");
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();

  proxy_.reset();
  auto down = Measure(ProxySignal::kErrorRate, "canary");
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  EXPECT_THAT(down.status().message(), HasSubstr(admin_));
}

TEST(ProxyTelemetryGarbage, AnAnswerOfTheWrongShapeIsUnavailable) {
  FakeSource admin({"/telemetry"});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not JSON"},
      {R"({"pools": 3})", "\"pools\""},
      {R"({"pools": [{"name": "canary"}]})", "\"pool\" name"},
      {R"({"pools": [{"pool": "canary", "requests": -1, "errors": 0, "upstream_failures": 0}]})",
       "requests"},
      {R"({"pools": [{"pool": "canary", "requests": 1, "errors": 0, "upstream_failures": 0, "recent_latencies": ["x"]}]})",
       "recent_latencies"},
  };
  for (const auto& [body, says] : cases) {
    admin.Answer(200, body);
    ProxyTelemetryOptions options;
    options.admin_address = admin.host_port();
    auto provider = MakeProxyTelemetryProvider(options);
    ASSERT_TRUE(provider.ok());
    auto m = (*provider)->Measure(RequestFor({{"revision", "canary"}}));
    EXPECT_EQ(m.status().code(), StatusCode::kUnavailable) << body;
    EXPECT_THAT(m.status().message(), AllOf(HasSubstr(admin.host_port()), HasSubstr(says))) << body;
  }
  ProxyTelemetryOptions bad;
  EXPECT_EQ(MakeProxyTelemetryProvider(bad).status().code(), StatusCode::kInvalidArgument);
  bad.admin_address = "127.0.0.1:1";
  bad.pool = "${{ revision";
  EXPECT_EQ(MakeProxyTelemetryProvider(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::verify::testing
