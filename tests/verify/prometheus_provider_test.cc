// The Prometheus provider against a real Prometheus scraping a real service: an in-process
// HTTP server exposing counters in the text format, whose values the test sets and then
// reads back through PromQL with template variables.
#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>

#include "prometheus_server.h"

namespace slipway::verify::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// The service Prometheus scrapes: demo_requests_total for two revisions of service "shop".
class MetricsService {
 public:
  MetricsService() {
    http::Router router;
    router.Add("GET", "/metrics", [this](http::Request&) {
      return http::Response::Text(200,
                                  "# TYPE demo_requests_total counter\n"
                                  "demo_requests_total{revision=\"canary\",service=\"shop\"} " +
                                      std::to_string(canary.load()) +
                                      "\n"
                                      "demo_requests_total{revision=\"stable\",service=\"shop\"} " +
                                      std::to_string(stable.load()) + "\n",
                                  "text/plain; version=0.0.4");
    });
    server_ = StartServer(std::move(router));
  }
  std::string target() const { return "127.0.0.1:" + std::to_string(server_->port()); }

  std::atomic<int> canary{42}, stable{7};

 private:
  std::unique_ptr<http::Server> server_;
};

std::unique_ptr<Provider> MakeProvider(const std::string& address, const std::string& query,
                                       std::optional<PrometheusRange> range = std::nullopt) {
  PrometheusProviderOptions options;
  options.address = address;
  options.query = query;
  options.range = range;
  options.timeout = 5000ms;
  auto provider = MakePrometheusProvider(options);
  EXPECT_TRUE(provider.ok()) << provider.status().ToString();
  return provider.ok() ? std::move(*provider) : nullptr;
}

const expr::Value::Map kCanary = {{"revision", "canary"}, {"service", "shop"}};
constexpr char kPerRevision[] =
    R"(demo_requests_total{revision="${{ revision }}", service="${{ service }}"})";

class PrometheusProviderTest : public ::testing::Test {
 protected:
  // One Prometheus for the suite: starting it is most of the suite's time.
  static void SetUpTestSuite() {
    service_ = new MetricsService();
    prometheus_ = new PrometheusServer({service_->target()});
  }
  static void TearDownTestSuite() {
    delete prometheus_;
    delete service_;
  }
  void SetUp() override { ASSERT_TRUE(prometheus_->ok()) << prometheus_->error(); }

  // Measures until `done` accepts the result (Prometheus scrapes every second), or 15 s
  // pass; returns the last result.
  static Result<Measurement> MeasureUntil(
      Provider& provider, const expr::Value::Map& variables,
      const std::function<bool(const Result<Measurement>&)>& done) {
    Result<Measurement> last = NotFound("not measured");
    WaitUntil([&] {
      last = provider.Measure(RequestFor(variables));
      return done(last);
    });
    return last;
  }
  // A measurement once there is data; errors other than "no data" end the wait at once.
  static Result<Measurement> MeasureWithData(Provider& provider,
                                             const expr::Value::Map& variables) {
    return MeasureUntil(provider, variables, [](const Result<Measurement>& r) {
      return r.status().code() != StatusCode::kNotFound;
    });
  }

  static MetricsService* service_;
  static PrometheusServer* prometheus_;
};
MetricsService* PrometheusProviderTest::service_ = nullptr;
PrometheusServer* PrometheusProviderTest::prometheus_ = nullptr;

TEST_F(PrometheusProviderTest, InstantAndRangeQueriesReadWhatTheServiceExposed) {
  auto instant = MakeProvider(prometheus_->address(), kPerRevision);
  ASSERT_TRUE(instant);
  auto first = MeasureWithData(*instant, kCanary);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->value, 42);
  EXPECT_EQ(first->samples, std::vector<double>{42});
  EXPECT_EQ(first->result, expr::Value(expr::Value::List{42.0}));

  // The counter moves on; Prometheus's next scrape sees it.
  service_->canary = 100;
  auto second = MeasureUntil(
      *instant, kCanary, [](const Result<Measurement>& r) { return r.ok() && r->value == 100; });
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->value, 100);

  // The last minute, every 200 ms (scrapes are 1 s apart, so some points fall between the
  // scrape that saw 42 and the one that saw 100): oldest first, each a value exposed.
  auto range = MakeProvider(prometheus_->address(), kPerRevision, PrometheusRange{60s, 200ms});
  ASSERT_TRUE(range);
  MeasureRequest request = RequestFor(kCanary);
  auto points = range->Measure(request);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  EXPECT_EQ(points->at, request.now);
  EXPECT_THAT(points->samples, AllOf(Contains(42), Contains(100)));
  for (double sample : points->samples) EXPECT_TRUE(sample == 42 || sample == 100) << sample;
  EXPECT_TRUE(std::is_sorted(points->samples.begin(), points->samples.end()));
  EXPECT_EQ(points->value, 100);  // the last point
  ASSERT_TRUE(points->result.is_list());
  EXPECT_EQ(points->result.as_list().size(), points->samples.size());
}

TEST_F(PrometheusProviderTest, VectorOfSeveralSeriesAndScalar) {
  auto both =
      MakeProvider(prometheus_->address(), R"(demo_requests_total{service="${{ service }}"})");
  ASSERT_TRUE(both);
  auto vector = MeasureUntil(*both, kCanary, [](const Result<Measurement>& r) {
    return r.ok() && r->samples.size() == 2;
  });
  ASSERT_TRUE(vector.ok()) << vector.status().ToString();
  EXPECT_THAT(vector->samples, Contains(7));  // stable's; canary's may be 42 or 100 by now
  ASSERT_TRUE(vector->value.has_value());
  EXPECT_EQ(*vector->value, vector->samples.front());

  auto scalar = MakeProvider(prometheus_->address(),
                             R"(scalar(sum(demo_requests_total{revision="stable"})) * 2)");
  ASSERT_TRUE(scalar);
  auto doubled = MeasureUntil(
      *scalar, kCanary, [](const Result<Measurement>& r) { return r.ok() && r->value == 14; });
  ASSERT_TRUE(doubled.ok()) << doubled.status().ToString();
  EXPECT_EQ(doubled->value, 14);
  EXPECT_EQ(doubled->result, expr::Value(14.0));
}

TEST_F(PrometheusProviderTest, QueryPrometheusRejectsCarriesItsMessage) {
  auto provider =
      MakeProvider(prometheus_->address(), "sum(demo_requests_total{revision=\"${{ revision }}\"}");
  ASSERT_TRUE(provider);
  auto result = provider->Measure(RequestFor(kCanary));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr(prometheus_->address()), HasSubstr("revision=\"canary\""),
                    HasSubstr("bad_data"), HasSubstr("parse error")));
}

TEST_F(PrometheusProviderTest, NoDataNaNAndSeveralSeriesInARangeAreErrors) {
  auto missing = MakeProvider(prometheus_->address(), R"(demo_requests_total{revision="nope"})");
  ASSERT_TRUE(missing);
  auto none = missing->Measure(RequestFor(kCanary));
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound) << none.status().ToString();

  auto nan = MakeProvider(prometheus_->address(), "0/0");
  ASSERT_TRUE(nan);
  auto not_a_number = nan->Measure(RequestFor(kCanary));
  EXPECT_EQ(not_a_number.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(not_a_number.status().message(), HasSubstr("NaN"));

  auto several =
      MakeProvider(prometheus_->address(), "demo_requests_total", PrometheusRange{30s, 1s});
  ASSERT_TRUE(several);
  auto series = MeasureWithData(*several, kCanary);
  EXPECT_EQ(series.status().code(), StatusCode::kInvalidArgument) << series.status().ToString();
  EXPECT_THAT(series.status().message(), HasSubstr("2 series"));
}

TEST_F(PrometheusProviderTest, AVariableTheRequestLacksNamesTheQuery) {
  auto provider = MakeProvider(prometheus_->address(), R"(up{env="${{ environment }}"})");
  ASSERT_TRUE(provider);
  auto result = provider->Measure(RequestFor(kCanary));
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), AllOf(HasSubstr(prometheus_->address()),
                                               HasSubstr("query"), HasSubstr("environment")));
}

TEST(PrometheusProviderStopped, AStoppedPrometheusIsUnavailable) {
  PrometheusServer prometheus({});
  ASSERT_TRUE(prometheus.ok()) << prometheus.error();
  auto provider = MakeProvider(prometheus.address(), "vector(${{ args.n }})");
  ASSERT_TRUE(provider);
  const expr::Value::Map variables = {{"args", expr::Value::Map{{"n", 3}}}};
  auto up = provider->Measure(RequestFor(variables));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->value, 3);

  prometheus.Stop();
  auto down = provider->Measure(RequestFor(variables));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(down.status().message(),
              AllOf(HasSubstr(prometheus.address()), HasSubstr("vector(3)")));
}

}  // namespace
}  // namespace slipway::verify::testing
