// Bearer tokens: who gets in (401), what they may do (403), and project scoping.
#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

class AuthTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = MakeRepo();
    AddProject("hello", *repo_);
    other_repo_ = MakeRepo("other-repo");
    AddProject("other", *other_repo_);
  }
  int64_t ProjectId(const std::string& name) { return store_->GetProject(name)->id; }

  std::unique_ptr<Repo> repo_, other_repo_;
};

TEST_F(AuthTest, NoTokenIs401WithBearerChallenge) {
  Reply reply = Call("GET", "/api/v1/projects");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.ErrorCode(), "unauthenticated");
  EXPECT_NE(reply.ErrorMessage().find("Authorization: Bearer"), std::string::npos);
  EXPECT_NE(reply.Header("WWW-Authenticate").find("Bearer"), std::string::npos);
}

TEST_F(AuthTest, MalformedAndUnknownTokensAre401) {
  Reply basic = Call("GET", "/api/v1/projects", "", "", {{"Authorization", "Basic YTpi"}});
  EXPECT_EQ(basic.status, 401);
  Reply unknown = Call("GET", "/api/v1/projects", "", "slw_not-a-real-token");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.ErrorMessage(), "the token is not valid");
}

TEST_F(AuthTest, SchemeIsCaseInsensitive) {
  Reply reply = Call("GET", "/api/v1/whoami", "", "", {{"Authorization", "bearer " + admin_}});
  EXPECT_EQ(reply.status, 200) << reply.body;
}

TEST_F(AuthTest, RevokedTokenIs401) {
  const std::string token = AddToken("ci", store::Role::kDeveloper);
  EXPECT_EQ(Call("GET", "/api/v1/projects", "", token).status, 200);
  auto tokens = store_->ListTokens();
  ASSERT_TRUE(tokens.ok());
  int64_t id = 0;
  for (const auto& t : *tokens) {
    if (t.name == "ci") id = t.id;
  }
  EXPECT_EQ(Admin("DELETE", "/api/v1/tokens/" + std::to_string(id)).status, 204);
  Reply reply = Call("GET", "/api/v1/projects", "", token);
  EXPECT_EQ(reply.status, 401);
  EXPECT_NE(reply.ErrorMessage().find("revoked"), std::string::npos);
}

TEST_F(AuthTest, ExpiredTokenIs401) {
  store::Token token;
  token.name = "old";
  token.role = store::Role::kAdmin;
  token.created = std::chrono::system_clock::now() - 48h;
  token.expires = std::chrono::system_clock::now() - 1h;
  const std::string secret = NewTokenSecret();
  token.hash = TokenHash(secret);
  ASSERT_TRUE(store_->CreateToken(token).ok());
  Reply reply = Call("GET", "/api/v1/projects", "", secret);
  EXPECT_EQ(reply.status, 401);
  EXPECT_NE(reply.ErrorMessage().find("expired"), std::string::npos);
}

TEST_F(AuthTest, ViewerCannotStartRunsAndIsToldTheRoleNeeded) {
  const std::string viewer = AddToken("watcher", store::Role::kViewer);
  EXPECT_EQ(Call("GET", "/api/v1/projects/hello/runs", "", viewer).status, 200);
  Reply reply = Call("POST", "/api/v1/projects/hello/runs", "{}", viewer);
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.ErrorCode(), "permission_denied");
  EXPECT_NE(reply.ErrorMessage().find("developer"), std::string::npos) << reply.ErrorMessage();
  EXPECT_TRUE(Runs("hello").empty());
}

TEST_F(AuthTest, DeveloperCannotAddProjectsOrManageTokens) {
  const std::string developer = AddToken("dev", store::Role::kDeveloper);
  Reply add = Call("POST", "/api/v1/projects", R"({"name":"x","repo":"/tmp/x"})", developer);
  EXPECT_EQ(add.status, 403);
  EXPECT_NE(add.ErrorMessage().find("admin"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/tokens", "", developer).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/audit", "", developer).status, 403);
}

TEST_F(AuthTest, ProjectScopedTokenSeesOnlyItsProject) {
  const std::string scoped = AddToken("hello-dev", store::Role::kDeveloper, ProjectId("hello"));
  Reply list = Call("GET", "/api/v1/projects", "", scoped);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.doc["projects"].size(), 1u);
  EXPECT_EQ(list.doc["projects"][0]["name"], "hello");
  EXPECT_EQ(Call("GET", "/api/v1/projects/hello", "", scoped).status, 200);
  Reply other = Call("GET", "/api/v1/projects/other/runs", "", scoped);
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.ErrorMessage().find("limited to project 'hello'"), std::string::npos);
  Reply start_other = Call("POST", "/api/v1/projects/other/runs", "{}", scoped);
  EXPECT_EQ(start_other.status, 403);
  EXPECT_TRUE(Runs("other").empty());
}

TEST_F(AuthTest, ProjectScopedAdminCannotUseServerWideAdminRoutes) {
  const std::string scoped = AddToken("hello-admin", store::Role::kAdmin, ProjectId("hello"));
  Reply tokens = Call("GET", "/api/v1/tokens", "", scoped);
  EXPECT_EQ(tokens.status, 403);
  EXPECT_NE(tokens.ErrorMessage().find("all projects"), std::string::npos);
  Reply add = Call("POST", "/api/v1/projects", R"({"name":"x","repo":"/tmp/x"})", scoped);
  EXPECT_EQ(add.status, 403);
}

TEST_F(AuthTest, AgentAndRegistrationTokensStayInTheirLane) {
  const std::string registration =
      AddToken("reg", store::Role::kViewer, 0, store::TokenKind::kRegistration);
  Reply reg_on_user_route = Call("GET", "/api/v1/projects", "", registration);
  EXPECT_EQ(reg_on_user_route.status, 403);
  EXPECT_NE(reg_on_user_route.ErrorMessage().find("register"), std::string::npos);

  Reply registered = Call("POST", "/api/v1/agents/register",
                          R"({"name":"a1","labels":["linux"],"capacity":2})", registration);
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string agent = registered.doc["token"];
  Reply agent_on_user_route = Call("GET", "/api/v1/projects", "", agent);
  EXPECT_EQ(agent_on_user_route.status, 403);
  EXPECT_NE(agent_on_user_route.ErrorMessage().find("agent protocol"), std::string::npos);

  Reply user_on_agent_route = Call("POST", "/api/v1/agent/lease", R"({"wait_ms":0})", admin_);
  EXPECT_EQ(user_on_agent_route.status, 403);
  Reply user_registers = Call("POST", "/api/v1/agents/register", R"({"name":"a2"})", admin_);
  EXPECT_EQ(user_registers.status, 403);
  Reply agent_leases = Call("POST", "/api/v1/agent/lease", R"({"wait_ms":0})", agent);
  EXPECT_EQ(agent_leases.status, 204) << agent_leases.body;
}

TEST_F(AuthTest, WhoamiDescribesTheToken) {
  const std::string scoped = AddToken("hello-rel", store::Role::kReleaser, ProjectId("hello"));
  Reply reply = Call("GET", "/api/v1/whoami", "", scoped);
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(
      reply.doc,
      (json{{"name", "hello-rel"}, {"kind", "user"}, {"role", "releaser"}, {"project", "hello"}}));
  Reply admin = Call("GET", "/api/v1/whoami", "", admin_);
  EXPECT_EQ(admin.doc["project"], nullptr);
  EXPECT_EQ(admin.doc["role"], "admin");
}

TEST_F(AuthTest, UseIsRecordedAsLastUsed) {
  const std::string token = AddToken("reader", store::Role::kViewer);
  auto before = store_->FindToken(TokenHash(token));
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->last_used.has_value());
  EXPECT_EQ(Call("GET", "/api/v1/projects", "", token).status, 200);
  auto after = store_->FindToken(TokenHash(token));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->last_used.has_value());
}

TEST_F(AuthTest, PublicRoutesNeedNoToken) {
  Reply health = Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.doc, json({{"status", "ok"}}));
}

}  // namespace
}  // namespace slipway::api::testing
