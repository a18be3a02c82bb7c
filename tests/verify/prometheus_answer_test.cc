// The Prometheus provider against a fake Prometheus: what it sends (encoded query, times,
// token), and every way an answer can be wrong — each an error naming address and query.
#include <gmock/gmock.h>

#include "fake_source.h"

namespace slipway::verify::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kVector[] = R"({"status":"success","data":{"resultType":"vector","result":[)"
                           R"({"metric":{"pod":"a"},"value":[1700000000.5,"0.25"]},)"
                           R"({"metric":{"pod":"b"},"value":[1700000000.5,"4"]}]}})";

class PrometheusAnswerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Provider> Make(std::string query = "rate(x[1m])",
                                 std::optional<PrometheusRange> range = std::nullopt) {
    PrometheusProviderOptions options;
    options.address = source_.base_url();
    options.query = std::move(query);
    options.range = range;
    options.timeout = 1000ms;
    options.bearer_token = "t0ken";
    options.headers = {{"X-Scope-OrgID", "team-a"}};
    auto provider = MakePrometheusProvider(options);
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    return provider.ok() ? std::move(*provider) : nullptr;
  }
  Result<Measurement> MeasureWith(int status, std::string body) {
    source_.Answer(status, std::move(body));
    return Make()->Measure(RequestFor({}));
  }

  FakeSource source_{{"/api/v1/query", "/api/v1/query_range"}};
};

TEST_F(PrometheusAnswerTest, InstantQuerySendsTheRenderedQueryEncodedWithTimeAndToken) {
  source_.Answer(200, kVector);
  auto provider =
      Make(R"(sum(rate(http_requests_total{rev="${{ revision }}", code=~"5.."}[1m])) / 2 + 1 & x)");
  MeasureRequest request = RequestFor({{"revision", "a b&c"}});
  request.now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000250));
  auto m = provider->Measure(request);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const http::Request sent = source_.last_request();
  EXPECT_EQ(sent.path, "/api/v1/query");
  EXPECT_EQ(sent.Query("query"),
            R"(sum(rate(http_requests_total{rev="a b&c", code=~"5.."}[1m])) / 2 + 1 & x)");
  EXPECT_EQ(sent.Query("time"), "1700000000.250");
  EXPECT_EQ(sent.Query("timeout"), "1000ms");
  EXPECT_EQ(sent.Header("Authorization"), "Bearer t0ken");
  EXPECT_EQ(sent.Header("X-Scope-OrgID"), "team-a");

  EXPECT_EQ(m->at, request.now);
  EXPECT_EQ(m->value, 0.25);  // the first element
  EXPECT_EQ(m->samples, (std::vector<double>{0.25, 4}));
  EXPECT_EQ(m->result, expr::Value(expr::Value::List{0.25, 4.0}));
}

TEST_F(PrometheusAnswerTest, RangeQueryEndsAtNow) {
  source_.Answer(200, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                      R"({"metric":{},"values":[[1,"3"],[2,"1e3"],[3,"-2.5"]]}]}})");
  auto provider = Make("x", PrometheusRange{600s, 30s});
  MeasureRequest request = RequestFor({});
  request.now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  auto m = provider->Measure(request);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const http::Request sent = source_.last_request();
  EXPECT_EQ(sent.path, "/api/v1/query_range");
  EXPECT_EQ(sent.Query("start"), "1699999400.000");
  EXPECT_EQ(sent.Query("end"), "1700000000.000");
  EXPECT_EQ(sent.Query("step"), "30000ms");
  EXPECT_EQ(m->samples, (std::vector<double>{3, 1000, -2.5}));
  EXPECT_EQ(m->value, -2.5);  // the last point
}

TEST_F(PrometheusAnswerTest, PrometheusErrorsKeepTheirTypeAndMessage) {
  auto bad = MeasureWith(
      400, R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"})");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), AllOf(HasSubstr(source_.base_url()), HasSubstr("rate(x[1m])"),
                                            HasSubstr("bad_data: 1:5: parse error: unexpected")));
  auto slow =
      MeasureWith(503, R"({"status":"error","errorType":"timeout","error":"query timed out"})");
  EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded);
  auto execution =
      MeasureWith(422, R"({"status":"error","errorType":"execution","error":"too many samples"})");
  EXPECT_EQ(execution.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(execution.status().message(), HasSubstr("too many samples"));
}

TEST_F(PrometheusAnswerTest, GarbageAndHttpErrorsAreUnavailableNeverAValue) {
  struct Case {
    int status;
    std::string body;
    std::string says;
  };
  const std::vector<Case> cases = {
      {200, "<html>hello</html>", "not JSON"},
      {502, "<html>bad gateway</html>", "HTTP 502"},
      {404, "404 page not found", "HTTP 404"},
      {200, "[1,2]", "not a Prometheus API answer"},
      {200, R"({"status":"success"})", "no \"data\""},
      {200, R"({"status":"success","data":{"resultType":"string","result":[1,"x"]}})", "string"},
      {200, R"({"status":"success","data":{"resultType":"vector","result":{}}})", "not a list"},
      {200, R"({"status":"success","data":{"resultType":"vector","result":[{"value":"1"}]}})",
       "[time, \"value\"]"},
      {200, R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,2]}]}})",
       "[time, \"value\"]"},
      {200,
       R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,"12ms"]}]}})",
       "not a number"},
      {200, R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}})",
       "no \"values\""},
      {200, R"({"status":"success","data":{"resultType":3,"result":[]}})", "unexpected shape"},
      {200, R"({"status":7})", "unexpected shape"},
  };
  for (const Case& c : cases) {
    auto m = MeasureWith(c.status, c.body);
    ASSERT_FALSE(m.ok()) << c.body;
    EXPECT_EQ(m.status().code(), StatusCode::kUnavailable)
        << c.body << " → " << m.status().ToString();
    EXPECT_THAT(m.status().message(),
                AllOf(HasSubstr(source_.base_url()), HasSubstr("rate(x[1m])"), HasSubstr(c.says)))
        << c.body;
  }
}

TEST_F(PrometheusAnswerTest, ARefusedTokenIsPermissionDenied) {
  auto m = MeasureWith(401, "Unauthorized");
  EXPECT_EQ(m.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(m.status().message(), AllOf(HasSubstr("HTTP 401"), HasSubstr("bearer_token")));
}

TEST_F(PrometheusAnswerTest, NaNInfinityAndNoDataAreErrors) {
  for (const char* value : {"NaN", "+Inf", "-Inf"}) {
    auto m = MeasureWith(
        200, std::string(R"({"status":"success","data":{"resultType":"scalar","result":[1,")") +
                 value + "\"]}}");
    EXPECT_EQ(m.status().code(), StatusCode::kFailedPrecondition) << value;
    EXPECT_THAT(m.status().message(), HasSubstr(value));
  }
  auto empty =
      MeasureWith(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
  auto no_points = MeasureWith(
      200, R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[]}]}})");
  EXPECT_EQ(no_points.status().code(), StatusCode::kNotFound);
}

TEST_F(PrometheusAnswerTest, ASlowPrometheusTimesOut) {
  // Answered only after 5 s, with a value: getting it would mean the timeout did not work.
  source_.Hang(http::Response::Json(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1,"1"]}})"));
  auto m = Make()->Measure(RequestFor({}));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable) << m.status().ToString();
  EXPECT_THAT(m.status().message(), HasSubstr(source_.base_url()));
}

TEST(PrometheusProviderOptions, BadOptionsAreInvalidArguments) {
  const auto make = [](auto change) {
    PrometheusProviderOptions options;
    options.address = "http://127.0.0.1:9090";
    options.query = "up";
    change(options);
    return MakePrometheusProvider(options).status();
  };
  using O = PrometheusProviderOptions;
  EXPECT_TRUE(make([](O&) {}).ok());
  const std::vector<std::pair<std::function<void(O&)>, std::string>> bad = {
      {[](O& o) { o.address = ""; }, "address is required"},
      {[](O& o) { o.address = "127.0.0.1:9090"; }, "address"},
      {[](O& o) { o.address = "https://prometheus:9090"; }, "https"},
      {[](O& o) { o.query = ""; }, "query is required"},
      {[](O& o) { o.query = "up{rev=\"${{ revision \"}"; }, "query"},
      {[](O& o) { o.timeout = 0ms; }, "timeout"},
      {[](O& o) {
         o.range = PrometheusRange{60s, 0s};
       },
       "step"},
      {[](O& o) {
         o.range = PrometheusRange{86400s * 365, 1s};
       },
       "11,000"},
      {[](O& o) {
         o.headers = {{"X-Bad", "a\r\nInjected: 1"}};
       },
       "X-Bad"},
      {[](O& o) { o.bearer_token = "t\r\nX: 1"; }, "bearer_token"},
  };
  for (const auto& [change, says] : bad) {
    const Status status = make(change);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << says << ": " << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr(says));
  }
}

}  // namespace
}  // namespace slipway::verify::testing
