// Projects: add, list, show, remove, their audit records, and bad input changing nothing.
#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

using ProjectsTest = ApiTest;

TEST_F(ProjectsTest, AddShowsTheGeneratedWebhookSecretOnce) {
  auto repo = MakeRepo();
  Reply added = Admin("POST", "/api/v1/projects",
                      json{{"name", "hello"}, {"repo", repo->dir().string()}}.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.Header("Location"), "http://slipway.example/api/v1/projects/hello");
  EXPECT_EQ(added.doc["name"], "hello");
  EXPECT_EQ(added.doc["branch"], "main");
  EXPECT_EQ(added.doc["pipeline_file"], ".slipway.yml");
  EXPECT_EQ(added.doc["poll_interval_seconds"], 60);
  ASSERT_TRUE(added.doc["webhook_secret"].is_string());
  const std::string secret = added.doc["webhook_secret"];
  EXPECT_GE(secret.size(), 40u);
  EXPECT_EQ(store_->GetProject("hello")->webhook_secret, secret);

  Reply shown = Admin("GET", "/api/v1/projects/hello");
  ASSERT_EQ(shown.status, 200);
  EXPECT_FALSE(shown.doc.contains("webhook_secret"));
  EXPECT_EQ(shown.body.find(secret), std::string::npos);
  Reply listed = Admin("GET", "/api/v1/projects");
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  for (const auto& record : AuditTrail()) {
    EXPECT_EQ(record.details_json.find(secret), std::string::npos);
  }
}

TEST_F(ProjectsTest, AGivenSecretIsKeptAndNotEchoed) {
  Reply added = Admin("POST", "/api/v1/projects",
                      R"({"name":"hello","repo":"/srv/git/hello.git","branch":"trunk",
                          "pipeline_file":"ci/pipeline.yml","poll_interval_seconds":0,
                          "webhook_secret":"a-long-enough-secret"})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_FALSE(added.doc.contains("webhook_secret"));
  EXPECT_EQ(added.doc["branch"], "trunk");
  EXPECT_EQ(added.doc["pipeline_file"], "ci/pipeline.yml");
  EXPECT_EQ(added.doc["poll_interval_seconds"], 0);
  EXPECT_EQ(store_->GetProject("hello")->webhook_secret, "a-long-enough-secret");
}

TEST_F(ProjectsTest, RepositoryCredentialsAreNotShown) {
  Reply added = Admin("POST", "/api/v1/projects",
                      R"({"name":"hello","repo":"https://bot:hunter2@git.example.com/r.git"})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.doc["repo"], "https://git.example.com/r.git");
  EXPECT_EQ(Admin("GET", "/api/v1/projects").body.find("hunter2"), std::string::npos);
  for (const auto& record : AuditTrail()) {
    EXPECT_EQ(record.details_json.find("hunter2"), std::string::npos);
  }
}

TEST_F(ProjectsTest, ListShowRemoveAndTheirAuditRecords) {
  auto repo = MakeRepo();
  AddProject("alpha", *repo);
  AddProject("beta", *repo);
  Reply listed = Admin("GET", "/api/v1/projects");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.doc["projects"].size(), 2u);
  EXPECT_EQ(listed.doc["projects"][0]["name"], "alpha");
  EXPECT_TRUE(listed.doc["projects"][0]["created"].get<std::string>().ends_with("Z"));

  EXPECT_EQ(Admin("DELETE", "/api/v1/projects/alpha").status, 204);
  EXPECT_EQ(Admin("GET", "/api/v1/projects/alpha").status, 404);
  Reply again = Admin("DELETE", "/api/v1/projects/alpha");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(again.ErrorMessage(), "project 'alpha' does not exist");

  auto trail = AuditTrail();
  ASSERT_EQ(trail.size(), 3u);
  EXPECT_EQ(trail[0].action, "project.add");
  EXPECT_EQ(trail[0].actor, "admin");
  EXPECT_EQ(trail[0].target, "project/alpha");
  EXPECT_EQ(trail[2].action, "project.remove");
  EXPECT_EQ(trail[2].target, "project/alpha");
  EXPECT_TRUE(store::VerifyAuditChain(*store_).ok());
}

TEST_F(ProjectsTest, DuplicateNameIs409) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  Reply again = Admin("POST", "/api/v1/projects",
                      json{{"name", "hello"}, {"repo", repo->dir().string()}}.dump());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.ErrorCode(), "already_exists");
  EXPECT_EQ(AuditTrail().size(), 1u);
}

TEST_F(ProjectsTest, BadBodiesAre400NamingTheFieldAndStoreNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"name":"x","repo":"/r","nmae":"y"})", "unknown field 'nmae' (did you mean 'name'?)"},
      {R"({"name":"x","repo":"/r","colour":"red"})", "unknown field 'colour'"},
      {R"({"repo":"/r"})", "field 'name' is missing"},
      {R"({"name":"x"})", "field 'repo' is missing"},
      {R"({"name":7,"repo":"/r"})", "field 'name' must be a string"},
      {R"({"name":"a b","repo":"/r"})", "field 'name' must be 1 to 100 letters"},
      {R"({"name":"x","repo":"/r","poll_interval_seconds":"60"})",
       "field 'poll_interval_seconds' must be an integer from 0 to 604800"},
      {R"({"name":"x","repo":"/r","poll_interval_seconds":-1})",
       "field 'poll_interval_seconds' must be an integer"},
      {R"({"name":"x","repo":"/r","branch":"a..b"})", "field 'branch' is not a valid branch"},
      {R"({"name":"x","repo":"/r","pipeline_file":"../etc/passwd"})", "field 'pipeline_file'"},
      {R"({"name":"x","repo":"/r","webhook_secret":"short"})", "field 'webhook_secret'"},
      {R"({"name":"x","repo":"/r",)", "the request body is not valid JSON (at byte"},
      {R"(["name","x"])", "the request body must be a JSON object"},
  };
  for (const auto& [body, message] : cases) {
    Reply reply = Admin("POST", "/api/v1/projects", body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(reply.ErrorCode(), "invalid_argument") << body;
    EXPECT_NE(reply.ErrorMessage().find(message), std::string::npos)
        << body << " → " << reply.ErrorMessage();
  }
  EXPECT_TRUE(store_->ListProjects()->empty());
  EXPECT_TRUE(AuditTrail().empty());
}

TEST_F(ProjectsTest, UnknownProjectIs404NamingIt) {
  Reply reply = Admin("GET", "/api/v1/projects/nope");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.ErrorCode(), "not_found");
  EXPECT_EQ(reply.ErrorMessage(), "project 'nope' does not exist");
  EXPECT_EQ(Admin("GET", "/api/v1/projects/nope/runs").status, 404);
  EXPECT_EQ(Admin("GET", "/api/v1/projects/nope/runs/1").status, 404);
}

}  // namespace
}  // namespace slipway::api::testing
