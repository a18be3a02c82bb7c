// API tokens: who am I, list, create (the secret is in this one response only), revoke.
#include <algorithm>
#include <map>

#include "api/auth.h"
#include "api/handlers.h"
#include "util/token.h"

namespace slipway::api {
namespace {

constexpr int64_t kMaxLifetimeSeconds = int64_t{10} * 366 * 86400;

Json TokenJson(const store::Token& token, const std::string& project) {
  Json doc = {{"id", token.id},
              {"name", token.name},
              {"kind", TokenKindName(token.kind)},
              {"role", store::RoleName(token.role)},
              {"project", project.empty() ? Json(nullptr) : Json(project)},
              {"created", FormatTime(token.created)},
              {"expires", TimeOrNull(token.expires)},
              {"last_used", TimeOrNull(token.last_used)},
              {"revoked", token.revoked}};
  if (token.kind == store::TokenKind::kAgent) doc["agent_id"] = token.agent_id;
  return doc;
}

Result<store::Token> TokenFromBody(ApiState& state, const BodyObject& body,
                                   std::string* project_name) {
  store::Token token;
  SLIPWAY_RETURN_IF_ERROR(body.RequiredString("name", &token.name));
  if (token.name.empty() || token.name.size() > 100 ||
      std::any_of(token.name.begin(), token.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return InvalidArgument("field 'name' must be 1 to 100 printable characters");
  }
  std::optional<std::string> kind, role, project;
  std::optional<int64_t> lifetime;
  SLIPWAY_RETURN_IF_ERROR(body.OptionalString("kind", &kind));
  SLIPWAY_RETURN_IF_ERROR(body.OptionalString("role", &role));
  SLIPWAY_RETURN_IF_ERROR(body.OptionalString("project", &project));
  SLIPWAY_RETURN_IF_ERROR(
      body.OptionalInt("expires_in_seconds", 1, kMaxLifetimeSeconds, &lifetime));
  if (kind) {
    auto parsed = ParseTokenKind(*kind);
    if (!parsed || *parsed == store::TokenKind::kAgent) {
      return InvalidArgument(
          "field 'kind' must be user or registration (agent tokens come from "
          "POST /api/v1/agents/register)");
    }
    token.kind = *parsed;
  }
  if (role) {
    auto parsed = store::ParseRole(*role);
    if (!parsed) {
      return InvalidArgument("field 'role' must be viewer, developer, releaser or admin");
    }
    if (token.kind != store::TokenKind::kUser) {
      return InvalidArgument("field 'role' applies to user tokens only");
    }
    token.role = *parsed;
  }
  if (project) {
    if (token.kind != store::TokenKind::kUser) {
      return InvalidArgument("field 'project' applies to user tokens only");
    }
    auto found = state.store->GetProject(*project);
    if (!found.ok()) {
      if (found.status().code() == StatusCode::kNotFound) {
        return NotFound("project '" + *project + "' does not exist");
      }
      return found.status();
    }
    token.project_id = found->id;
    *project_name = found->name;
  }
  token.created = state.Now();
  if (lifetime) token.expires = token.created + std::chrono::seconds(*lifetime);
  return token;
}

}  // namespace

http::Response Whoami(ApiState&, http::Request& request) {
  const Principal& principal = PrincipalOf(request);
  Json doc = {{"name", principal.token.name},
              {"kind", TokenKindName(principal.token.kind)},
              {"role", store::RoleName(principal.token.role)},
              {"project", principal.project.empty() ? Json(nullptr) : Json(principal.project)}};
  if (principal.token.kind == store::TokenKind::kAgent) doc["agent_id"] = principal.token.agent_id;
  return JsonResponse(200, doc);
}

http::Response ListTokens(ApiState& state, http::Request&) {
  auto tokens = state.store->ListTokens();
  if (!tokens.ok()) return http::Response::FromStatus(tokens.status());
  auto projects = state.store->ListProjects();
  if (!projects.ok()) return http::Response::FromStatus(projects.status());
  std::map<int64_t, std::string> names;
  for (const store::Project& project : *projects) names[project.id] = project.name;
  Json list = Json::array();
  for (const store::Token& token : *tokens) {
    std::string project;
    if (token.project_id != 0) {
      auto it = names.find(token.project_id);
      project = it != names.end() ? it->second : "(removed)";
    }
    list.push_back(TokenJson(token, project));
  }
  return JsonResponse(200, {{"tokens", std::move(list)}});
}

http::Response CreateToken(ApiState& state, http::Request& request) {
  auto body =
      BodyObject::Parse(request.body, {"name", "role", "project", "kind", "expires_in_seconds"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  std::string project;
  auto token = TokenFromBody(state, *body, &project);
  if (!token.ok()) return http::Response::FromStatus(token.status());
  const std::string secret = NewTokenSecret();
  token->hash = TokenHash(secret);
  auto created = state.store->CreateToken(*token);
  if (!created.ok()) return http::Response::FromStatus(created.status());
  Status audited = Audit(state, PrincipalOf(request).token.name, "token.create",
                         "token/" + std::to_string(created->id),
                         {{"name", created->name},
                          {"kind", TokenKindName(created->kind)},
                          {"role", store::RoleName(created->role)},
                          {"project", project.empty() ? Json(nullptr) : Json(project)}});
  if (!audited.ok()) return AuditFailed(audited);
  Json answer = TokenJson(*created, project);
  answer["token"] = secret;  // the only time it is shown
  return JsonResponse(201, answer);
}

http::Response RevokeToken(ApiState& state, http::Request& request) {
  auto id = IdParam(request, "id");
  if (!id.ok()) return http::Response::FromStatus(id.status());
  auto tokens = state.store->ListTokens();
  if (!tokens.ok()) return http::Response::FromStatus(tokens.status());
  auto it = std::find_if(tokens->begin(), tokens->end(),
                         [&](const store::Token& token) { return token.id == *id; });
  if (it == tokens->end()) {
    return http::Response::FromStatus(NotFound("token " + std::to_string(*id) + " does not exist"));
  }
  if (it->revoked) return http::Response::NoContent();  // already done; nothing to record
  Status revoked = state.store->RevokeToken(*id);
  if (!revoked.ok()) return http::Response::FromStatus(revoked);
  Status audited =
      Audit(state, PrincipalOf(request).token.name, "token.revoke", "token/" + std::to_string(*id),
            {{"name", it->name}, {"kind", TokenKindName(it->kind)}});
  if (!audited.ok()) return AuditFailed(audited);
  return http::Response::NoContent();
}

}  // namespace slipway::api
