// SqlStore: agents, API tokens and webhook deliveries.
#include <string>

#include "store/enum_names.h"
#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {

Result<Agent> SqlStore::RegisterAgent(const Agent& agent) {
  if (agent.name.empty()) return InvalidArgument("an agent needs a name");
  if (agent.capacity < 1) {
    return InvalidArgument("agent \"" + agent.name + "\": capacity must be at least 1");
  }
  Time registered = StoredTimeOrNow(agent.registered);
  Time last_seen = agent.last_seen == Time{} ? registered : StoredTimeOrNow(agent.last_seen);
  std::optional<Agent> stored;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    // Re-registering keeps the id and the first registration time.
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(std::string("INSERT INTO agents (name, labels_json, capacity, registered, "
                             "last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                             "labels_json = excluded.labels_json, capacity = excluded.capacity, "
                             "last_seen = excluded.last_seen RETURNING ") +
                     kAgentColumns,
                 {agent.name, StringArrayJson(agent.labels), int64_t{agent.capacity},
                  ToMillis(registered), ToMillis(last_seen)}));
    if (rows.empty()) return Internal("INSERT … RETURNING returned no agent");
    SLIPWAY_ASSIGN_OR_RETURN(stored, AgentFromRow(rows.front()));
    return Status::Ok();
  }));
  return std::move(*stored);
}

Result<std::vector<Agent>> SqlStore::ListAgents() {
  std::vector<Agent> agents;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY id", {}));
    SLIPWAY_ASSIGN_OR_RETURN(agents, DecodeRows<Agent>(rows, AgentFromRow));
    return Status::Ok();
  }));
  return agents;
}

Status SqlStore::TouchAgent(int64_t agent_id, Time now) {
  return Write([&](SqlTx& tx) {
    return RequireChanged(
        tx.Exec("UPDATE agents SET last_seen = ? WHERE id = ?", {ToMillis(now), agent_id}),
        "agent " + std::to_string(agent_id));
  });
}

Result<Token> SqlStore::CreateToken(const Token& token) {
  if (token.hash.empty()) return InvalidArgument("token \"" + token.name + "\" has no hash");
  Token t = token;
  t.created = StoredTimeOrNow(t.created);
  Status status = Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query("INSERT INTO tokens (name, kind, role, project_id, agent_id, hash, created, "
                 "expires, last_used, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 {t.name, std::string(TokenKindText(t.kind)), std::string(RoleName(t.role)),
                  t.project_id, t.agent_id, t.hash, ToMillis(t.created), OptionalMillis(t.expires),
                  OptionalMillis(t.last_used), int64_t{t.revoked}}));
    SLIPWAY_ASSIGN_OR_RETURN(t.id, ReturnedId(rows));
    return Status::Ok();
  });
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a token with the same secret already exists");
  }
  if (!status.ok()) return status;
  return t;
}

Result<Token> SqlStore::FindToken(std::string_view hash) {
  // Revoked and expired tokens are found too: the caller decides what they may do.
  std::optional<Token> token;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        token,
        QueryOne<Token>(tx, std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE hash = ?",
                        {std::string(hash)}, TokenFromRow, "token"));
    return Status::Ok();
  }));
  return std::move(*token);
}

Result<std::vector<Token>> SqlStore::ListTokens() {
  std::vector<Token> tokens;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(std::string("SELECT ") + kTokenColumns + " FROM tokens ORDER BY id", {}));
    SLIPWAY_ASSIGN_OR_RETURN(tokens, DecodeRows<Token>(rows, TokenFromRow));
    return Status::Ok();
  }));
  return tokens;
}

Status SqlStore::RevokeToken(int64_t token_id) {
  return Write([&](SqlTx& tx) {
    return RequireChanged(tx.Exec("UPDATE tokens SET revoked = 1 WHERE id = ?", {token_id}),
                          "token " + std::to_string(token_id));
  });
}

Status SqlStore::TouchToken(int64_t token_id, Time now) {
  return Write([&](SqlTx& tx) {
    return RequireChanged(
        tx.Exec("UPDATE tokens SET last_used = ? WHERE id = ?", {ToMillis(now), token_id}),
        "token " + std::to_string(token_id));
  });
}

Result<bool> SqlStore::RecordDelivery(std::string_view provider, std::string_view delivery_id,
                                      Time now) {
  if (provider.empty() || delivery_id.empty()) {
    return InvalidArgument("a webhook delivery needs a provider and a delivery id");
  }
  bool first = false;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    // ON CONFLICT rather than catching the unique violation: on PostgreSQL an error aborts
    // the whole transaction.
    SLIPWAY_ASSIGN_OR_RETURN(
        int64_t inserted,
        tx.Exec("INSERT INTO deliveries (provider, delivery_id, received) VALUES (?, ?, ?) "
                "ON CONFLICT (provider, delivery_id) DO NOTHING",
                {std::string(provider), std::string(delivery_id), ToMillis(now)}));
    first = inserted == 1;
    return Status::Ok();
  }));
  return first;
}

}  // namespace slipway::store
