// Routing: literal and captured segments, {rest...} anywhere, precedence, 404 vs 405, HEAD.
#include <nlohmann/json.hpp>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

using Kind = Router::Match::Kind;

Handler Named(std::string name) {
  return [name](Request& req) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : req.params) params[k] = v;
    return Response::Json(200, nlohmann::json{{"route", name}, {"params", params}}.dump());
  };
}

Router OciLikeRouter() {
  Router r;
  r.Add("GET", "/api/v1/projects/{project}/runs/{number}", Named("run"));
  r.Add("GET", "/api/v1/projects/{project}", Named("project"));
  r.Add("DELETE", "/api/v1/projects/{project}", Named("delete-project"));
  r.Add("GET", "/api/v1/projects/new", Named("new-literal"));
  r.Add("GET", "/v2/{name...}/manifests/{reference}", Named("manifest"));
  r.Add("PUT", "/v2/{name...}/manifests/{reference}", Named("put-manifest"));
  r.Add("GET", "/v2/{name...}/blobs/{digest}", Named("blob"));
  r.Add("POST", "/v2/{name...}/blobs/uploads/", Named("start-upload"));
  r.Add("PATCH", "/v2/{name...}/blobs/uploads/{uuid}", Named("patch-upload"));
  r.Add("GET", "/v2/{name...}/tags/list", Named("tags"));
  r.Add("GET", "/files/{path...}", Named("files"));
  return r;
}

TEST(RouterTest, MatchesCapturesAndRestAnywhere) {
  Router r = OciLikeRouter();
  ASSERT_TRUE(r.status().ok()) << r.status().ToString();

  auto m = r.Find("GET", "/api/v1/projects/web/runs/42");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("project"), "web");
  EXPECT_EQ(m.params.at("number"), "42");

  m = r.Find("GET", "/v2/library/team/app/manifests/v1.2");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("name"), "library/team/app");
  EXPECT_EQ(m.params.at("reference"), "v1.2");

  // "blobs/uploads/x" must not be read as a blob named "uploads" of repository ".../blobs".
  m = r.Find("PATCH", "/v2/a/b/blobs/uploads/1234");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("name"), "a/b");
  EXPECT_EQ(m.params.at("uuid"), "1234");

  m = r.Find("POST", "/v2/a/blobs/uploads/");  // trailing slash is a literal empty segment
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("name"), "a");

  m = r.Find("GET", "/files/logs/2024/run.txt");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("path"), "logs/2024/run.txt");
}

TEST(RouterTest, MoreLiteralSegmentsWin) {
  Router r = OciLikeRouter();
  auto m = r.Find("GET", "/api/v1/projects/new");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_TRUE(m.params.empty());  // the literal route, not {project} = "new"
  m = r.Find("GET", "/v2/x/tags/list");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("name"), "x");
  EXPECT_EQ(m.params.count("reference"), 0u);
}

TEST(RouterTest, NotFoundVersusMethodNotAllowed) {
  Router r = OciLikeRouter();
  EXPECT_EQ(r.Find("GET", "/api/v2/nothing").kind, Kind::kNotFound);
  EXPECT_EQ(r.Find("GET", "/api/v1/projects/").kind, Kind::kNotFound);     // empty capture
  EXPECT_EQ(r.Find("GET", "/v2/manifests/latest").kind, Kind::kNotFound);  // empty rest
  EXPECT_EQ(r.Find("GET", "/v2/a//b/manifests/latest").kind, Kind::kNotFound);
  auto m = r.Find("POST", "/api/v1/projects/web");
  ASSERT_EQ(m.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"DELETE", "GET", "HEAD"}));
}

TEST(RouterTest, CapturesArePercentDecodedButNeverSpanSegments) {
  Router r = OciLikeRouter();
  auto m = r.Find("GET", "/api/v1/projects/my%20app");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("project"), "my app");
  // %2F would smuggle a '/' into a single-segment capture: no match.
  EXPECT_EQ(r.Find("GET", "/api/v1/projects/a%2Fb").kind, Kind::kNotFound);
  EXPECT_EQ(r.Find("GET", "/api/v1/projects/a%00b").kind, Kind::kNotFound);
  // Literal segments match their decoded form.
  EXPECT_EQ(r.Find("GET", "/api/v1/%70rojects/x").kind, Kind::kFound);
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router r = OciLikeRouter();
  auto m = r.Find("HEAD", "/v2/a/blobs/sha256:00");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at("digest"), "sha256:00");
}

TEST(RouterTest, BadPatternsAreReportedByStatusAndStart) {
  for (const char* bad :
       {"no-slash", "/a/{}", "/a/{x}/{x}", "/a/{x...}/{y...}", "/a/b{x}", "/a/{bad-name}"}) {
    Router r;
    r.Add("GET", bad, Named("x"));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
    auto server = Server::Start({}, std::move(r));
    EXPECT_FALSE(server.ok()) << bad;
  }
  Router dup;
  dup.Add("GET", "/a/{x}", Named("1"));
  dup.Add("GET", "/a/{y}", Named("2"));
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
}

TEST(RouterTest, OverRealSocketsWithJsonErrorsAndAllow) {
  auto server = StartServer(OciLikeRouter());
  ASSERT_TRUE(server);
  auto client = ClientFor(*server);

  auto ok = client->Send("GET", "/v2/org/app/manifests/sha256:abc");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);
  auto body = nlohmann::json::parse(ok->body);
  EXPECT_EQ(body["route"], "manifest");
  EXPECT_EQ(body["params"]["name"], "org/app");

  auto missing = client->Send("GET", "/nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["error"]["code"], "not_found");

  auto wrong = client->Send("PATCH", "/api/v1/projects/web");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers.Get("Allow").value_or(""), "DELETE, GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(wrong->body)["error"]["code"], "method_not_allowed");

  auto head = client->Send("HEAD", "/api/v1/projects/web");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_NE(head->headers.Get("Content-Length").value_or("0"), "0");

  // The client keeps working on the same connection after a HEAD (no body was expected).
  auto after = client->Send("GET", "/api/v1/projects/web?x=1");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->status, 200);
}

TEST(RouterTest, RequestCarriesQueryHeadersAndRemoteAddress) {
  Router r;
  r.Add("GET", "/echo", [](Request& req) {
    nlohmann::json j = {{"q", req.Query("q").value_or("-")},
                        {"multi", req.query.size()},
                        {"agent", req.Header("x-custom").value_or("-")},
                        {"path", req.path},
                        {"remote", req.remote_address}};
    return Response::Json(200, j.dump());
  });
  auto server = StartServer(std::move(r));
  auto client = ClientFor(*server);
  auto res = client->Send("GET", "/echo?q=a+b%21&q=second&empty", "", {{"X-Custom", "yes"}});
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  auto j = nlohmann::json::parse(res->body);
  EXPECT_EQ(j["q"], "a b!");
  EXPECT_EQ(j["multi"], 3);
  EXPECT_EQ(j["agent"], "yes");
  EXPECT_EQ(j["path"], "/echo");
  EXPECT_EQ(j["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
}

}  // namespace
}  // namespace slipway::http::testing
