#include <gtest/gtest.h>

#include "store_fixture.h"
#include "util/sha256.h"

namespace slipway::store::testing {
namespace {

class AgentsTokensTest : public StoreTest {};
SLIPWAY_STORE_TEST_SUITE(AgentsTokensTest);

TEST_P(AgentsTokensTest, RegisterAgentByNameUpdatesOnReRegistration) {
  Agent a;
  a.name = "builder-1";
  a.labels = {"linux", "x86_64"};
  a.capacity = 2;
  a.registered = At(1000);
  ASSERT_OK_AND_ASSIGN(Agent first, store().RegisterAgent(a));
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.labels, (std::vector<std::string>{"linux", "x86_64"}));
  EXPECT_EQ(first.capacity, 2);
  EXPECT_EQ(first.registered, At(1000));
  EXPECT_EQ(first.last_seen, At(1000));

  a.labels = {"linux", "gpu"};
  a.capacity = 4;
  a.registered = At(5000);
  ASSERT_OK_AND_ASSIGN(Agent again, store().RegisterAgent(a));
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.labels, (std::vector<std::string>{"linux", "gpu"}));
  EXPECT_EQ(again.capacity, 4);
  EXPECT_EQ(again.registered, At(1000));  // the first registration
  EXPECT_EQ(again.last_seen, At(5000));

  Agent b;
  b.name = "builder-2";
  ASSERT_OK_AND_ASSIGN(Agent second, store().RegisterAgent(b));
  ASSERT_OK(store().TouchAgent(second.id, At(9000)));
  ASSERT_OK_AND_ASSIGN(auto agents, store().ListAgents());
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0].name, "builder-1");
  EXPECT_EQ(agents[1].last_seen, At(9000));
  EXPECT_TRUE(agents[1].labels.empty());

  EXPECT_EQ(store().TouchAgent(424242, At(1)).code(), StatusCode::kNotFound);
  Agent nameless;
  EXPECT_EQ(store().RegisterAgent(nameless).status().code(), StatusCode::kInvalidArgument);
  Agent no_capacity;
  no_capacity.name = "x";
  no_capacity.capacity = 0;
  EXPECT_EQ(store().RegisterAgent(no_capacity).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(AgentsTokensTest, TokensAreFoundByHash) {
  Token t;
  t.name = "ci-bot";
  t.kind = TokenKind::kUser;
  t.role = Role::kReleaser;
  t.project_id = 3;
  t.hash = Sha256Hex("secret-1");
  t.expires = At(99000);
  ASSERT_OK_AND_ASSIGN(Token created, store().CreateToken(t));
  EXPECT_GT(created.id, 0);

  Token agent_token;
  agent_token.name = "agent:builder-1";
  agent_token.kind = TokenKind::kAgent;
  agent_token.agent_id = 7;
  agent_token.hash = Sha256Hex("secret-2");
  ASSERT_OK_AND_ASSIGN(Token second, store().CreateToken(agent_token));

  ASSERT_OK_AND_ASSIGN(Token found, store().FindToken(Sha256Hex("secret-1")));
  EXPECT_EQ(found.id, created.id);
  EXPECT_EQ(found.name, "ci-bot");
  EXPECT_EQ(found.kind, TokenKind::kUser);
  EXPECT_EQ(found.role, Role::kReleaser);
  EXPECT_EQ(found.project_id, 3);
  EXPECT_EQ(found.expires, At(99000));
  EXPECT_FALSE(found.last_used.has_value());
  EXPECT_FALSE(found.revoked);
  ASSERT_OK_AND_ASSIGN(Token found_agent, store().FindToken(Sha256Hex("secret-2")));
  EXPECT_EQ(found_agent.kind, TokenKind::kAgent);
  EXPECT_EQ(found_agent.agent_id, 7);

  EXPECT_EQ(store().FindToken(Sha256Hex("guess")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().CreateToken(t).status().code(), StatusCode::kAlreadyExists);
  Token no_hash;
  EXPECT_EQ(store().CreateToken(no_hash).status().code(), StatusCode::kInvalidArgument);

  ASSERT_OK(store().TouchToken(created.id, At(12345)));
  ASSERT_OK(store().RevokeToken(second.id));
  ASSERT_OK_AND_ASSIGN(auto tokens, store().ListTokens());
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].last_used, At(12345));
  EXPECT_TRUE(tokens[1].revoked);
  ASSERT_OK_AND_ASSIGN(Token revoked, store().FindToken(Sha256Hex("secret-2")));
  EXPECT_TRUE(revoked.revoked);  // still found: the caller refuses it
  EXPECT_EQ(store().RevokeToken(424242).code(), StatusCode::kNotFound);
  EXPECT_EQ(store().TouchToken(424242, At(1)).code(), StatusCode::kNotFound);
}

TEST_P(AgentsTokensTest, DeliveriesAreRecordedOnce) {
  ASSERT_OK_AND_ASSIGN(bool first, store().RecordDelivery("github", "abc-1", At(1)));
  EXPECT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(bool repeat, store().RecordDelivery("github", "abc-1", At(2)));
  EXPECT_FALSE(repeat);
  ASSERT_OK_AND_ASSIGN(bool other_provider, store().RecordDelivery("gitlab", "abc-1", At(3)));
  EXPECT_TRUE(other_provider);
  ASSERT_OK_AND_ASSIGN(bool other_id, store().RecordDelivery("github", "abc-2", At(4)));
  EXPECT_TRUE(other_id);
  EXPECT_EQ(store().RecordDelivery("", "x", At(5)).status().code(), StatusCode::kInvalidArgument);
  // The store keeps working after a repeat (on PostgreSQL a failed statement would abort the
  // transaction; the repeat must not be one).
  ASSERT_OK_AND_ASSIGN(bool after, store().RecordDelivery("github", "abc-3", At(6)));
  EXPECT_TRUE(after);
}

}  // namespace
}  // namespace slipway::store::testing
