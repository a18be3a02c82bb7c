// Interoperability with a real client: Debian's curl.
#include <fstream>
#include <nlohmann/json.hpp>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

class CurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunCurl({"--version"}).exit_code != 0) GTEST_SKIP() << "curl is not installed";
    Router r;
    r.Add("GET", "/api/v1/projects/{name}", [](Request& req) {
      return Response::Json(200, nlohmann::json{{"name", req.Param("name")}}.dump());
    });
    r.Add("POST", "/api/v1/echo", [](Request& req) {
      nlohmann::json in = nlohmann::json::parse(req.body, nullptr, false);
      return Response::Json(200, nlohmann::json{{"got", in},
                                                {"type", req.Header("Content-Type").value_or("")},
                                                {"bytes", req.body.size()}}
                                     .dump());
    });
    r.Add("GET", "/events", [](Request& req) {
      int from = 0;
      if (auto id = req.LastEventId()) from = std::atoi(std::string(*id).c_str());
      return Response::Sse([from](std::shared_ptr<StreamWriter> w) {
        for (int i = from + 1; i <= 3; ++i) {
          if (!w->Send({std::to_string(i), "log", "line " + std::to_string(i)})) return;
        }
      });
    });
    server_ = StartServer(std::move(r));
    ASSERT_TRUE(server_);
  }

  std::string Url(const std::string& path) { return server_->base_url() + path; }

  std::unique_ptr<Server> server_;
};

TEST_F(CurlTest, GetJson) {
  auto r = RunCurl({"-w", "\n%{http_code}", Url("/api/v1/projects/web")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "{\"name\":\"web\"}\n200");
}

TEST_F(CurlTest, PostJsonSmallAndLargeWithExpectContinue) {
  auto r = RunCurl(
      {"-H", "Content-Type: application/json", "--data", R"({"a":[1,2]})", Url("/api/v1/echo")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["got"]["a"][1], 2);
  EXPECT_EQ(j["type"], "application/json");

  // A body big enough for curl to ask "Expect: 100-continue" first.
  const std::string file = ::testing::TempDir() + "/slipway_curl_body.json";
  std::ofstream(file) << "\"" << std::string(900 * 1024, 'x') << "\"";
  r = RunCurl({"-H", "Content-Type: application/json", "-H", "Expect: 100-continue",
               "--data-binary", "@" + file, Url("/api/v1/echo")});
  std::remove(file.c_str());
  ASSERT_EQ(r.exit_code, 0) << r.output.substr(0, 500);
  EXPECT_EQ(nlohmann::json::parse(r.output)["bytes"], 900 * 1024 + 2);
}

TEST_F(CurlTest, ServerSentEventsWithResume) {
  auto r = RunCurl({"-N", Url("/events")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "id: 1\nevent: log\ndata: line 1\n\n"
            "id: 2\nevent: log\ndata: line 2\n\n"
            "id: 3\nevent: log\ndata: line 3\n\n");
  r = RunCurl({"-N", "-H", "Last-Event-ID: 2", Url("/events")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "id: 3\nevent: log\ndata: line 3\n\n");
}

TEST_F(CurlTest, ReusesTheConnectionAndReports404) {
  auto r =
      RunCurl({"-w", "[%{http_code} %{num_connects}]\n", Url("/api/v1/projects/a"), Url("/nope")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[200 1]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[404 0]"), std::string::npos) << r.output;  // no new connection
}

}  // namespace
}  // namespace slipway::http::testing
