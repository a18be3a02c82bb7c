// Tokens: the secret is shown once and stored only as its SHA-256; listing never shows either.
#include "api_fixture.h"
#include "util/sha256.h"

namespace slipway::api::testing {
namespace {

using TokensTest = ApiTest;

TEST_F(TokensTest, CreateShowsTheSecretOnceAndStoresItsHash) {
  Reply created = Admin("POST", "/api/v1/tokens", R"({"name":"ci","role":"developer"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret = created.doc["token"];
  EXPECT_TRUE(secret.starts_with("slw_"));
  EXPECT_EQ(secret.size(), 4u + 43u);  // base64url of 32 bytes, unpadded
  EXPECT_EQ(created.doc["name"], "ci");
  EXPECT_EQ(created.doc["kind"], "user");
  EXPECT_EQ(created.doc["role"], "developer");
  EXPECT_EQ(created.doc["project"], nullptr);
  EXPECT_EQ(created.doc["revoked"], false);

  auto stored = store_->FindToken(Sha256Hex(secret));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->name, "ci");
  EXPECT_EQ(stored->hash, Sha256Hex(secret));

  Reply listed = Admin("GET", "/api/v1/tokens");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  EXPECT_EQ(listed.body.find(stored->hash), std::string::npos);
  for (const auto& token : listed.doc["tokens"]) {
    EXPECT_FALSE(token.contains("token"));
    EXPECT_FALSE(token.contains("hash"));
  }
  for (const auto& record : AuditTrail()) {
    EXPECT_EQ(record.details_json.find(secret), std::string::npos);
    EXPECT_EQ(record.details_json.find(stored->hash), std::string::npos);
  }
  // The new token works, with its role.
  Reply whoami = Call("GET", "/api/v1/whoami", "", secret);
  EXPECT_EQ(whoami.doc["role"], "developer");
}

TEST_F(TokensTest, ProjectScopedRegistrationAndExpiringTokens) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  Reply scoped = Admin("POST", "/api/v1/tokens", R"({"name":"h","project":"hello"})");
  ASSERT_EQ(scoped.status, 201) << scoped.body;
  EXPECT_EQ(scoped.doc["project"], "hello");
  EXPECT_EQ(scoped.doc["role"], "viewer");

  Reply registration = Admin("POST", "/api/v1/tokens", R"({"name":"r","kind":"registration"})");
  ASSERT_EQ(registration.status, 201) << registration.body;
  EXPECT_EQ(registration.doc["kind"], "registration");

  Reply expiring = Admin("POST", "/api/v1/tokens", R"({"name":"e","expires_in_seconds":3600})");
  ASSERT_EQ(expiring.status, 201) << expiring.body;
  EXPECT_TRUE(expiring.doc["expires"].is_string());

  Reply unknown_project = Admin("POST", "/api/v1/tokens", R"({"name":"x","project":"nope"})");
  EXPECT_EQ(unknown_project.status, 404);
  EXPECT_EQ(unknown_project.ErrorMessage(), "project 'nope' does not exist");
}

TEST_F(TokensTest, BadRequestsAre400AndCreateNothing) {
  const size_t before = store_->ListTokens()->size();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"role":"admin"})", "field 'name' is missing"},
      {R"({"name":"x","role":"root"})",
       "field 'role' must be viewer, developer, releaser or admin"},
      {R"({"name":"x","kind":"agent"})", "field 'kind' must be user or registration"},
      {R"({"name":"x","kind":"registration","role":"admin"})", "field 'role' applies"},
      {R"({"name":"x","secret":"mine"})", "unknown field 'secret'"},
      {R"({"name":["x"]})", "field 'name' must be a string"},
      {R"({"name":"x","expires_in_seconds":0})", "field 'expires_in_seconds'"},
  };
  for (const auto& [body, message] : cases) {
    Reply reply = Admin("POST", "/api/v1/tokens", body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_NE(reply.ErrorMessage().find(message), std::string::npos)
        << body << " → " << reply.ErrorMessage();
  }
  EXPECT_EQ(store_->ListTokens()->size(), before);
  EXPECT_TRUE(AuditTrail().empty());
}

TEST_F(TokensTest, RevokeIsAuditedAndTakesEffect) {
  Reply created = Admin("POST", "/api/v1/tokens", R"({"name":"temp","role":"admin"})");
  ASSERT_EQ(created.status, 201);
  const std::string secret = created.doc["token"];
  const std::string id = std::to_string(created.doc["id"].get<int64_t>());
  EXPECT_EQ(Call("GET", "/api/v1/tokens", "", secret).status, 200);
  EXPECT_EQ(Admin("DELETE", "/api/v1/tokens/" + id).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/tokens", "", secret).status, 401);
  EXPECT_EQ(Admin("DELETE", "/api/v1/tokens/" + id).status, 204);  // idempotent
  Reply missing = Admin("DELETE", "/api/v1/tokens/999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorMessage(), "token 999 does not exist");
  EXPECT_EQ(Admin("DELETE", "/api/v1/tokens/abc").status, 400);

  auto trail = AuditTrail();
  ASSERT_EQ(trail.size(), 2u);
  EXPECT_EQ(trail[0].action, "token.create");
  EXPECT_EQ(trail[1].action, "token.revoke");
  EXPECT_EQ(trail[1].target, "token/" + id);
  Reply listed = Admin("GET", "/api/v1/tokens");
  bool found = false;
  for (const auto& token : listed.doc["tokens"]) {
    if (token["name"] == "temp") {
      found = true;
      EXPECT_EQ(token["revoked"], true);
      EXPECT_TRUE(token["last_used"].is_string());
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace slipway::api::testing
