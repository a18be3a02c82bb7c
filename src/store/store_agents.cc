// SqlStore: agents and API tokens.
#include <algorithm>
#include <string>

#include "store/enum_names.h"
#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

Status ValidateAgent(const Agent& agent) {
  if (agent.name.empty()) return InvalidArgument("an agent needs a name");
  if (agent.capacity < 1) {
    return InvalidArgument("agent \"" + agent.name + "\": capacity must be at least 1");
  }
  return Status::Ok();
}

// Inserts the agent, or updates the one with its name: re-registering keeps the id and the
// first registration time, and takes the new labels, capacity and last_seen.
Result<Agent> UpsertAgent(SqlTx& tx, const Agent& agent) {
  Time registered = StoredTimeOrNow(agent.registered);
  Time last_seen = agent.last_seen == Time{} ? registered : StoredTimeOrNow(agent.last_seen);
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
  return AgentFromRow(rows.front());
}

// Stores `token` (created time already set) and fills in its id.
Status InsertToken(SqlTx& tx, Token& t) {
  Result<SqlRows> rows = tx.Query(
      "INSERT INTO tokens (name, kind, role, project_id, agent_id, hash, created, "
      "expires, last_used, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {t.name, std::string(TokenKindText(t.kind)), std::string(RoleName(t.role)), t.project_id,
       t.agent_id, t.hash, ToMillis(t.created), OptionalMillis(t.expires),
       OptionalMillis(t.last_used), int64_t{t.revoked}});
  if (!rows.ok() && rows.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a token with the same secret already exists");
  }
  if (!rows.ok()) return rows.status();
  SLIPWAY_ASSIGN_OR_RETURN(t.id, ReturnedId(*rows));
  return Status::Ok();
}

}  // namespace

Result<Agent> SqlStore::RegisterAgent(const Agent& agent) {
  SLIPWAY_RETURN_IF_ERROR(ValidateAgent(agent));
  std::optional<Agent> stored;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(stored, UpsertAgent(tx, agent));
    return Status::Ok();
  }));
  return std::move(*stored);
}

Result<AgentRegistration> SqlStore::RegisterAgentWithToken(const Agent& agent, const Token& token) {
  SLIPWAY_RETURN_IF_ERROR(ValidateAgent(agent));
  if (token.kind != TokenKind::kAgent || token.hash.empty()) {
    return InvalidArgument("agent \"" + agent.name + "\" needs an agent token with a hash");
  }
  const std::string quoted = "agent \"" + agent.name + "\"";
  const Dialect& dialect = db_->dialect();
  AgentRegistration out;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    out = AgentRegistration{};
    // Locks an existing agent's row (PostgreSQL), so registrations of one name take turns and
    // each revokes the token the one before it created.
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows existing,
        tx.Query(std::string("SELECT id FROM agents WHERE name = ?") + dialect.for_update,
                 {agent.name}));
    if (!existing.empty()) {
      SLIPWAY_ASSIGN_OR_RETURN(
          SqlRows tokens,
          tx.Query("SELECT COUNT(*) FROM tokens WHERE agent_id = ? AND kind = ?",
                   {existing.front().Int(0), std::string(TokenKindText(TokenKind::kAgent))}));
      if (tokens.empty() || tokens.front().Int(0) == 0) {
        return AlreadyExists(quoted +
                             " is one of the server's embedded agents: its name cannot be taken");
      }
    }
    SLIPWAY_ASSIGN_OR_RETURN(out.agent, UpsertAgent(tx, agent));
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows revoked,
        tx.Query("UPDATE tokens SET revoked = 1 WHERE agent_id = ? AND kind = ? AND revoked = 0 "
                 "RETURNING id",
                 {out.agent.id, std::string(TokenKindText(TokenKind::kAgent))}));
    for (const SqlRow& row : revoked) out.revoked_token_ids.push_back(row.Int(0));
    std::sort(out.revoked_token_ids.begin(), out.revoked_token_ids.end());
    // A registration that lost the race to create the row still replaced the winner.
    out.replaced = !existing.empty() || !out.revoked_token_ids.empty();
    out.token = token;
    out.token.agent_id = out.agent.id;
    out.token.created = StoredTimeOrNow(token.created);
    return InsertToken(tx, out.token);
  }));
  return out;
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
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) { return InsertToken(tx, t); }));
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

}  // namespace slipway::store
