// Agents: registration (with a registration token, for an agent token) and the list.
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
  auto registered = state.store->RegisterAgent(agent);
  if (!registered.ok()) return http::Response::FromStatus(registered.status());

  store::Token token;
  token.name = "agent:" + registered->name;
  token.kind = store::TokenKind::kAgent;
  token.agent_id = registered->id;
  token.created = state.Now();
  const std::string secret = NewTokenSecret();
  token.hash = TokenHash(secret);
  auto created = state.store->CreateToken(token);
  if (!created.ok()) return http::Response::FromStatus(created.status());
  Status audited =
      Audit(state, PrincipalOf(request).token.name, "agent.register", "agent/" + registered->name,
            {{"agent_id", registered->id},
             {"labels", registered->labels},
             {"capacity", registered->capacity},
             {"token_id", created->id}});
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(201, {{"agent_id", registered->id},
                            {"name", registered->name},
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
