// The HTTP synthetic check against an in-process server: any answer is a measurement whose
// result says whether it was right; no answer at all is an error.
#include <gmock/gmock.h>

#include "fake_source.h"

namespace slipway::verify::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class HttpCheckTest : public ::testing::Test {
 protected:
  Result<Measurement> Check(std::function<void(HttpCheckOptions&)> change = {},
                            expr::Value::Map variables = {}) {
    HttpCheckOptions options;
    options.url = source_.base_url() + "/healthz";
    options.timeout = 1000ms;
    if (change) change(options);
    auto provider = MakeHttpCheckProvider(options);
    if (!provider.ok()) return provider.status();
    return (*provider)->Measure(RequestFor(std::move(variables)));
  }
  static const expr::Value& Field(const Measurement& m, const std::string& name) {
    return m.result.as_map().at(name);
  }

  FakeSource source_{{"/healthz", "/orders/{id}"}};
};

TEST_F(HttpCheckTest, AHealthyAnswerIsOkWithItsLatencyAndParsedBody) {
  source_.Answer(200, R"({"status": "up", "checks": 3})");
  auto m = Check();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(m->value.has_value());
  EXPECT_GT(*m->value, 0);
  EXPECT_EQ(Field(*m, "latency_ms"), expr::Value(*m->value));
  EXPECT_EQ(Field(*m, "status"), expr::Value(200));
  EXPECT_EQ(Field(*m, "ok"), expr::Value(true));
  const expr::Value& body = Field(*m, "body");
  ASSERT_TRUE(body.is_map());
  EXPECT_EQ(body.as_map().at("status"), expr::Value("up"));
  EXPECT_EQ(body.as_map().at("checks"), expr::Value(3));
}

TEST_F(HttpCheckTest, AWrongStatusOrBodyIsAMeasurementThatSaysSo) {
  source_.Answer(503, "overloaded", "text/plain");
  auto unavailable = Check();
  ASSERT_TRUE(unavailable.ok()) << unavailable.status().ToString();
  EXPECT_EQ(Field(*unavailable, "status"), expr::Value(503));
  EXPECT_EQ(Field(*unavailable, "status_ok"), expr::Value(false));
  EXPECT_EQ(Field(*unavailable, "ok"), expr::Value(false));
  EXPECT_EQ(Field(*unavailable, "body"), expr::Value("overloaded"));

  source_.Answer(200, "degraded", "text/plain");
  auto degraded = Check([](HttpCheckOptions& o) { o.body_contains = "healthy"; });
  ASSERT_TRUE(degraded.ok());
  EXPECT_EQ(Field(*degraded, "status_ok"), expr::Value(true));
  EXPECT_EQ(Field(*degraded, "body_ok"), expr::Value(false));
  EXPECT_EQ(Field(*degraded, "ok"), expr::Value(false));

  source_.Answer(404, "gone", "text/plain");
  auto expected = Check([](HttpCheckOptions& o) { o.expect_status = {404, 410}; });
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(Field(*expected, "ok"), expr::Value(true));
}

TEST_F(HttpCheckTest, TemplatesFillUrlHeadersAndBody) {
  source_.Answer(201, "{}");
  auto m = Check(
      [&](HttpCheckOptions& o) {
        o.url = source_.base_url() + "/orders/${{ args.order }}?rev=${{ revision }}";
        o.method = "POST";
        o.headers = {{"X-Revision", "${{ revision }}"}};
        o.body = R"({"env": "${{ environment }}"})";
      },
      {{"revision", "canary"},
       {"environment", "staging"},
       {"args", expr::Value::Map{{"order", 42}}}});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(Field(*m, "ok"), expr::Value(true));
  const http::Request sent = source_.last_request();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.path, "/orders/42");
  EXPECT_EQ(sent.Query("rev"), "canary");
  EXPECT_EQ(sent.Header("X-Revision"), "canary");
  EXPECT_EQ(sent.body, R"({"env": "staging"})");
}

TEST_F(HttpCheckTest, NoAnswerIsAnErrorNamingTheUrl) {
  // Nobody listens: refused.
  const std::string url = "http://127.0.0.1:" + std::to_string(FreePort()) + "/healthz";
  auto refused = Check([&](HttpCheckOptions& o) { o.url = url + "?token=sekrit"; });
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("http check"));
  EXPECT_THAT(refused.status().message(), Not(HasSubstr("sekrit")));  // redacted
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr(url));

  // Answered after 5 s: the check gave up long before.
  source_.Hang(http::Response::Text(200, "late"));
  auto slow = Check([](HttpCheckOptions& o) { o.timeout = 300ms; });
  ASSERT_FALSE(slow.ok());
  EXPECT_THAT(slow.status().message(), HasSubstr(source_.base_url() + "/healthz"));

  // Larger than allowed.
  source_.Answer(200, std::string(5000, 'x'), "text/plain");
  auto large = Check([](HttpCheckOptions& o) { o.max_body_bytes = 1000; });
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(large.status().message(), HasSubstr("/healthz"));
}

TEST_F(HttpCheckTest, BadOptionsAndUnrenderableTemplatesAreInvalidArguments) {
  const std::vector<std::pair<std::function<void(HttpCheckOptions&)>, std::string>> bad = {
      {[](HttpCheckOptions& o) { o.url = ""; }, "url is required"},
      {[](HttpCheckOptions& o) { o.url = "ftp://x/"; }, "http://"},
      {[](HttpCheckOptions& o) { o.url = "localhost:80/x"; }, "http://"},
      {[](HttpCheckOptions& o) { o.url = "http://x/${{ a"; }, "url"},
      {[](HttpCheckOptions& o) { o.method = "get"; }, "method"},
      {[](HttpCheckOptions& o) { o.timeout = 0ms; }, "timeout"},
      {[](HttpCheckOptions& o) { o.expect_status = {2000}; }, "2000"},
      {[](HttpCheckOptions& o) {
         o.headers = {{"", "x"}};
       },
       "header"},
  };
  for (const auto& [change, says] : bad) {
    auto m = Check(change);
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument)
        << says << ": " << m.status().ToString();
    EXPECT_THAT(m.status().message(), HasSubstr(says));
  }
  auto missing =
      Check([&](HttpCheckOptions& o) { o.url = source_.base_url() + "/${{ args.path }}"; });
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(),
              AllOf(HasSubstr("http check"), HasSubstr("url"), HasSubstr("args")));
}

}  // namespace
}  // namespace slipway::verify::testing
