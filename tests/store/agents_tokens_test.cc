#include <gtest/gtest.h>

#include <thread>

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

// Remote agents: a name belongs to one agent at a time, with one live agent token.
TEST_P(AgentsTokensTest, RegisteringANameAgainRevokesItsPreviousTokens) {
  Agent a;
  a.name = "builder-1";
  a.labels = {"linux"};
  a.registered = At(1000);
  Token t;
  t.name = "agent:builder-1";
  t.kind = TokenKind::kAgent;
  t.hash = Sha256Hex("first");
  ASSERT_OK_AND_ASSIGN(AgentRegistration first, store().RegisterAgentWithToken(a, t));
  EXPECT_FALSE(first.replaced);
  EXPECT_TRUE(first.revoked_token_ids.empty());
  EXPECT_GT(first.token.id, 0);
  EXPECT_EQ(first.token.agent_id, first.agent.id);
  ASSERT_OK_AND_ASSIGN(Token stored, store().FindToken(Sha256Hex("first")));
  EXPECT_EQ(stored.agent_id, first.agent.id);
  EXPECT_FALSE(stored.revoked);

  a.labels = {"linux", "gpu"};
  a.registered = At(5000);
  t.hash = Sha256Hex("second");
  ASSERT_OK_AND_ASSIGN(AgentRegistration second, store().RegisterAgentWithToken(a, t));
  EXPECT_TRUE(second.replaced);
  EXPECT_EQ(second.agent.id, first.agent.id);
  EXPECT_EQ(second.agent.registered, At(1000));
  EXPECT_EQ(second.agent.labels, (std::vector<std::string>{"linux", "gpu"}));
  EXPECT_EQ(second.revoked_token_ids, std::vector<int64_t>{first.token.id});
  ASSERT_OK_AND_ASSIGN(Token old, store().FindToken(Sha256Hex("first")));
  EXPECT_TRUE(old.revoked);
  ASSERT_OK_AND_ASSIGN(Token current, store().FindToken(Sha256Hex("second")));
  EXPECT_FALSE(current.revoked);

  // Only agent tokens of that agent go: a user token and another agent's stay.
  Token user;
  user.name = "ci-bot";
  user.hash = Sha256Hex("user");
  ASSERT_OK(store().CreateToken(user).status());
  Agent b;
  b.name = "builder-2";
  t.hash = Sha256Hex("other agent");
  ASSERT_OK(store().RegisterAgentWithToken(b, t).status());
  t.hash = Sha256Hex("third");
  ASSERT_OK_AND_ASSIGN(AgentRegistration third, store().RegisterAgentWithToken(a, t));
  EXPECT_EQ(third.revoked_token_ids, std::vector<int64_t>{second.token.id});
  ASSERT_OK_AND_ASSIGN(Token user_after, store().FindToken(Sha256Hex("user")));
  EXPECT_FALSE(user_after.revoked);
  ASSERT_OK_AND_ASSIGN(Token other_after, store().FindToken(Sha256Hex("other agent")));
  EXPECT_FALSE(other_after.revoked);
}

TEST_P(AgentsTokensTest, ConcurrentRegistrationsOfANameLeaveOneLiveToken) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Agent a;
      a.name = "racer";
      Token t;
      t.name = "agent:racer";
      t.kind = TokenKind::kAgent;
      t.hash = Sha256Hex("racer-" + std::to_string(i));
      auto registered = store().RegisterAgentWithToken(a, t);
      EXPECT_TRUE(registered.ok()) << registered.status().ToString();
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_OK_AND_ASSIGN(auto tokens, store().ListTokens());
  int live = 0;
  for (const Token& token : tokens) live += !token.revoked;
  EXPECT_EQ(tokens.size(), size_t{kThreads});
  EXPECT_EQ(live, 1);
  ASSERT_OK_AND_ASSIGN(auto agents, store().ListAgents());
  EXPECT_EQ(agents.size(), 1u);
}

TEST_P(AgentsTokensTest, AnEmbeddedAgentsNameCannotBeRegisteredWithAToken) {
  Agent embedded;
  embedded.name = "embedded-host-1";
  embedded.labels = {"local"};
  ASSERT_OK_AND_ASSIGN(Agent stored, store().RegisterAgent(embedded));
  Agent intruder = embedded;
  intruder.labels = {"evil"};
  Token t;
  t.kind = TokenKind::kAgent;
  t.hash = Sha256Hex("intruder");
  auto taken = store().RegisterAgentWithToken(intruder, t);
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(taken.status().message().find("embedded"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto agents, store().ListAgents());
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0].labels, (std::vector<std::string>{"local"}));
  EXPECT_EQ(store().FindToken(Sha256Hex("intruder")).status().code(), StatusCode::kNotFound);

  Token user_kind = t;  // only agent tokens register agents
  user_kind.kind = TokenKind::kUser;
  Agent other;
  other.name = "x";
  EXPECT_EQ(store().RegisterAgentWithToken(other, user_kind).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::store::testing
