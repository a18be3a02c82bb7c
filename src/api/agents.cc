// Agents: registration (with a registration token, for an agent token) and the list.
//
// A name belongs to one agent at a time: registering an existing name (each start of
// `slipway agent` registers) takes it over and revokes the agent tokens issued under it before
// (Store::RegisterAgentWithToken), so a restarted agent leaves no live token behind and a
// takeover is visible on the audit trail. Refusing instead would need agents to keep their
// token across restarts; they do not. The embedded agents' names cannot be taken (409).
#include <algorithm>

#include "api/auth.h"
#include "api/handlers.h"
#include "util/token.h"

namespace slipway::api {
namespace {

constexpr size_t kMaxLabels = 64;

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
         c == ':' || c == '/';
}

// Names and labels appear in runs-on matching, audit targets and tables: plain words only.
Status CheckWord(const char* what, const std::string& word) {
  if (!word.empty() && word.size() <= 100 && std::all_of(word.begin(), word.end(), IsNameChar)) {
    return Status::Ok();
  }
  return InvalidArgument(std::string(what) +
                         " must be 1 to 100 letters, digits, '_', '.', '-', "
                         "':' or '/': '" +
                         word + "'");
}

}  // namespace

http::Response RegisterAgent(ApiState& state, http::Request& request) {
  auto body = BodyObject::Parse(request.body, {"name", "labels", "capacity"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  store::Agent agent;
  std::optional<std::vector<std::string>> labels;
  std::optional<int64_t> capacity;
  for (Status read :
       {body->RequiredString("name", &agent.name), body->OptionalStringList("labels", &labels),
        body->OptionalInt("capacity", 1, 256, &capacity)}) {
    if (!read.ok()) return http::Response::FromStatus(read);
  }
  if (Status checked = CheckWord("field 'name'", agent.name); !checked.ok()) {
    return http::Response::FromStatus(checked);
  }
  agent.labels = labels.value_or(std::vector<std::string>());
  if (agent.labels.size() > kMaxLabels) {
    return http::Response::FromStatus(InvalidArgument("field 'labels' has more than 64 labels"));
  }
  for (const std::string& label : agent.labels) {
    if (Status checked = CheckWord("each of field 'labels'", label); !checked.ok()) {
      return http::Response::FromStatus(checked);
    }
  }
  agent.capacity = static_cast<int>(capacity.value_or(1));
  agent.registered = agent.last_seen = state.Now();

  store::Token token;
  token.name = "agent:" + agent.name;
  token.kind = store::TokenKind::kAgent;
  token.created = state.Now();
  const std::string secret = NewTokenSecret();
  token.hash = TokenHash(secret);
  auto registered = state.store->RegisterAgentWithToken(agent, token);
  if (!registered.ok()) return http::Response::FromStatus(registered.status());
  const store::Agent& stored = registered->agent;
  Status audited =
      Audit(state, PrincipalOf(request).token.name, "agent.register", "agent/" + stored.name,
            {{"agent_id", stored.id},
             {"labels", stored.labels},
             {"capacity", stored.capacity},
             {"token_id", registered->token.id},
             {"replaced", registered->replaced},
             {"revoked_token_ids", registered->revoked_token_ids}});
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(201, {{"agent_id", stored.id},
                            {"name", stored.name},
                            {"token", secret}});  // the only time it is shown
}

http::Response ListAgents(ApiState& state, http::Request&) {
  auto agents = state.store->ListAgents();
  if (!agents.ok()) return http::Response::FromStatus(agents.status());
  Json list = Json::array();
  for (const store::Agent& agent : *agents) {
    list.push_back({{"id", agent.id},
                    {"name", agent.name},
                    {"labels", agent.labels},
                    {"capacity", agent.capacity},
                    {"registered", FormatTime(agent.registered)},
                    {"last_seen", FormatTime(agent.last_seen)}});
  }
  return JsonResponse(200, {{"agents", std::move(list)}});
}

}  // namespace slipway::api
