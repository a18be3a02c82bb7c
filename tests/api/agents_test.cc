// Agent registration: a name belongs to one agent at a time. Registering it again (a restarted
// `slipway agent`, or a machine replaced) hands the name to the newcomer and revokes the
// previous agent token, on the audit trail; the server's embedded agents cannot be taken over.
#include <future>

#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

class AgentsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    registration_ = AddToken("reg", store::Role::kViewer, 0, store::TokenKind::kRegistration);
  }
  Reply Register(const std::string& name, const std::string& labels = "[]") {
    return Call("POST", "/api/v1/agents/register",
                R"({"name":")" + name + R"(","labels":)" + labels + "}", registration_);
  }
  // The unrevoked agent tokens of `agent_id`.
  std::vector<store::Token> LiveTokens(int64_t agent_id) {
    std::vector<store::Token> live;
    auto tokens = store_->ListTokens();
    EXPECT_TRUE(tokens.ok());
    for (const store::Token& token : tokens.ok() ? *tokens : std::vector<store::Token>()) {
      if (token.kind == store::TokenKind::kAgent && token.agent_id == agent_id && !token.revoked) {
        live.push_back(token);
      }
    }
    return live;
  }
  std::string registration_;
};

TEST_F(AgentsTest, ReRegisteringANameRevokesThePreviousAgentToken) {
  Reply first = Register("builder-1", R"(["linux"])");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string old_token = first.doc["token"];
  Reply second = Register("builder-1", R"(["linux","gpu"])");
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string new_token = second.doc["token"];
  EXPECT_EQ(second.doc["agent_id"], first.doc["agent_id"]);  // the same agent, replaced

  Reply old_whoami = Call("GET", "/api/v1/whoami", "", old_token);
  EXPECT_EQ(old_whoami.status, 401) << "the previous agent token still works";
  EXPECT_NE(old_whoami.ErrorMessage().find("revoked"), std::string::npos) << old_whoami.body;
  EXPECT_EQ(Call("POST", "/api/v1/agent/lease", "{}", old_token).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/whoami", "", new_token).status, 200);
  EXPECT_EQ(LiveTokens(first.doc["agent_id"]).size(), 1u);

  const store::AuditRecord last = AuditTrail().back();
  EXPECT_EQ(last.action, "agent.register");
  EXPECT_EQ(last.target, "agent/builder-1");
  json details = json::parse(last.details_json);
  EXPECT_EQ(details["replaced"], true) << last.details_json;
  ASSERT_EQ(details["revoked_token_ids"].size(), 1u) << last.details_json;
  auto revoked = store_->ListTokens();
  ASSERT_TRUE(revoked.ok());
  for (const store::Token& token : *revoked) {
    if (token.id == details["revoked_token_ids"][0]) {
      EXPECT_TRUE(token.revoked);
      EXPECT_EQ(token.kind, store::TokenKind::kAgent);
    }
  }
  // A first registration replaces nothing.
  ASSERT_EQ(Register("builder-2").status, 201);
  json fresh = json::parse(AuditTrail().back().details_json);
  EXPECT_EQ(fresh["replaced"], false);
  EXPECT_EQ(fresh["revoked_token_ids"], json::array());
}

// However many registrations of one name race, one agent token survives.
TEST_F(AgentsTest, ConcurrentRegistrationsOfANameLeaveOneWorkingToken) {
  std::vector<std::future<Reply>> replies;
  for (int i = 0; i < 6; ++i) {
    replies.push_back(std::async(std::launch::async, [&] { return Register("builder-1"); }));
  }
  // Every registration answers before any token is tried: a token checked while a later
  // registration is still in flight may be revoked by it a moment after.
  std::vector<Reply> answered;
  for (auto& reply : replies) answered.push_back(reply.get());
  int64_t agent_id = 0;
  int working = 0;
  for (const Reply& r : answered) {
    ASSERT_EQ(r.status, 201) << r.body;
    agent_id = r.doc["agent_id"];
    working += Call("GET", "/api/v1/whoami", "", r.doc["token"]).status == 200;
  }
  EXPECT_EQ(working, 1);
  EXPECT_EQ(LiveTokens(agent_id).size(), 1u);
}

// Embedded agents run inside the server and have no token: a registration token must not take
// one of their names (and with it their place in the agent list).
TEST_F(AgentsTest, AnEmbeddedAgentsNameCannotBeTaken) {
  store::Agent embedded;
  embedded.name = "embedded-ci-1";
  embedded.labels = {"local"};
  auto stored = store_->RegisterAgent(embedded);
  ASSERT_TRUE(stored.ok());
  const size_t records = AuditTrail().size();
  Reply taken = Register("embedded-ci-1", R"(["evil"])");
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.ErrorCode(), "already_exists");
  auto agents = store_->ListAgents();
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_EQ(agents->at(0).labels, std::vector<std::string>{"local"});
  EXPECT_TRUE(LiveTokens(stored->id).empty());
  EXPECT_EQ(AuditTrail().size(), records);
}

}  // namespace
}  // namespace slipway::api::testing
