// The authorize hook: a global bearer check, public routes, per-route authorizers, principal.
#include <nlohmann/json.hpp>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

std::optional<Response> BearerAuth(Request& req) {
  const auto header = req.Header("Authorization");
  if (!header || *header != "Bearer good-token") {
    return Response::JsonError(401, "unauthenticated", "a valid bearer token is required");
  }
  req.principal = std::string("alice");
  return std::nullopt;
}

Router AuthRouter() {
  Router r;
  r.SetAuthorizer(BearerAuth);
  r.Add("GET", "/api/v1/whoami", [](Request& req) {
    return Response::Text(200, std::any_cast<std::string>(req.principal));
  });
  RouteOptions open;
  open.is_public = true;
  r.Add(
      "GET", "/healthz", [](Request&) { return Response::Text(200, "ok"); }, open);
  RouteOptions webhook;
  webhook.authorize = [](Request& req) -> std::optional<Response> {
    if (req.Header("X-Hub-Signature-256").value_or("") != "sha256=right") {
      return Response::JsonError(401, "unauthenticated", "bad signature");
    }
    return std::nullopt;
  };
  r.Add(
      "POST", "/hooks/github/{project}",
      [](Request& req) { return Response::Text(202, std::string(req.Param("project"))); }, webhook);
  r.Add("GET", "/api/v1/explode",
        [](Request&) -> Response { throw std::runtime_error("secret internals"); });
  return r;
}

TEST(AuthTest, BearerTokenGuardsNonPublicRoutes) {
  auto server = StartServer(AuthRouter());
  auto anonymous = ClientFor(*server);
  auto denied = anonymous->GetJson("/api/v1/whoami");
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << denied.status().ToString();
  EXPECT_NE(denied.status().message().find("HTTP 401"), std::string::npos);

  auto health = anonymous->Send("GET", "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->body, "ok");

  ClientOptions options;
  options.default_headers.Set("Authorization", "Bearer good-token");
  auto alice = ClientFor(*server, options);
  auto me = alice->Send("GET", "/api/v1/whoami");
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(me->body, "alice");
  // A per-call header replaces the default one.
  auto wrong = alice->Send("GET", "/api/v1/whoami", "", {{"Authorization", "Bearer bad"}});
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 401);
}

TEST(AuthTest, RouteAuthorizerReplacesTheGlobalOne) {
  auto server = StartServer(AuthRouter());
  auto client = ClientFor(*server);
  auto bad = client->Send("POST", "/hooks/github/web", "{}");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 401);
  auto good =
      client->Send("POST", "/hooks/github/web", "{}", {{"X-Hub-Signature-256", "sha256=right"}});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->status, 202);
  EXPECT_EQ(good->body, "web");
}

TEST(AuthTest, ThrowingHandlerIsA500WithoutItsMessage) {
  auto server = StartServer(AuthRouter());
  ClientOptions options;
  options.default_headers.Set("Authorization", "Bearer good-token");
  auto client = ClientFor(*server, options);
  auto r = client->Send("GET", "/api/v1/explode");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("secret internals"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "internal");
}

}  // namespace
}  // namespace slipway::http::testing
