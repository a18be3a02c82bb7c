#include "api/auth.h"

#include <strings.h>

#include "api/state.h"
#include "util/token.h"

namespace slipway::api {
namespace {

// last_used is refreshed at most this often per token: exact enough to spot stale tokens,
// and it keeps GET requests from writing to the database each time.
constexpr std::chrono::seconds kTouchEvery{60};

http::Response Unauthenticated(std::string_view message) {
  http::Response response = http::Response::JsonError(401, "unauthenticated", message);
  response.headers.Set("WWW-Authenticate", "Bearer realm=\"slipway\"");
  return response;
}

http::Response Forbidden(std::string_view message) {
  return http::Response::JsonError(403, "permission_denied", message);
}

std::optional<http::Response> CheckKind(const store::Token& token, Access access) {
  switch (access) {
    case Access::kUser:
      if (token.kind == store::TokenKind::kUser) return std::nullopt;
      return Forbidden(token.kind == store::TokenKind::kAgent
                           ? "an agent token can only use the agent protocol (/api/v1/agent/...)"
                           : "a registration token can only register agents "
                             "(POST /api/v1/agents/register)");
    case Access::kAgent:
      if (token.kind == store::TokenKind::kAgent) return std::nullopt;
      return Forbidden(
          "this route needs an agent token (the one POST /api/v1/agents/register returns)");
    case Access::kRegistration:
      if (token.kind == store::TokenKind::kRegistration) return std::nullopt;
      return Forbidden("this route needs an agent registration token");
    case Access::kPublic:
    case Access::kAnyToken:
      return std::nullopt;
  }
  return Forbidden("unknown access rule");
}

std::optional<http::Response> CheckRole(const Principal& principal, const AccessRule& rule,
                                        const http::Request& request) {
  const store::Token& token = principal.token;
  if (token.role < rule.role) {
    return Forbidden(std::string("this needs the role ") + store::RoleName(rule.role) +
                     " or higher; the token '" + token.name + "' has " +
                     store::RoleName(token.role));
  }
  if (principal.project.empty()) return std::nullopt;
  if (rule.scope == Scope::kAllProjects) {
    return Forbidden(std::string("this needs a token for all projects with the role ") +
                     store::RoleName(rule.role) + "; the token '" + token.name +
                     "' is limited to project '" + principal.project + "'");
  }
  if (rule.scope == Scope::kProject && request.Param("project") != principal.project) {
    return Forbidden("the token '" + token.name + "' is limited to project '" + principal.project +
                     "'");
  }
  return std::nullopt;
}

}  // namespace

std::string_view BearerSecret(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size() ||
      strncasecmp(header.data(), kScheme.data(), kScheme.size()) != 0) {
    return {};
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  return header;
}

Result<Principal> IdentifyToken(ApiState& state, std::string_view hash) {
  auto found = state.store->FindToken(hash);
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) {
      return PermissionDenied("the token is not valid");
    }
    return found.status();
  }
  Principal principal{.token = std::move(*found), .project = ""};
  const store::Token& token = principal.token;
  if (token.revoked) return PermissionDenied("the token '" + token.name + "' was revoked");
  if (token.expires && *token.expires <= state.Now()) {
    return PermissionDenied("the token '" + token.name + "' expired");
  }
  if (token.kind == store::TokenKind::kUser && token.project_id != 0) {
    auto project = state.store->GetProjectById(token.project_id);
    if (!project.ok()) {
      if (project.status().code() == StatusCode::kNotFound) {
        return PermissionDenied("the project of the token '" + token.name + "' was removed");
      }
      return project.status();
    }
    principal.project = project->name;
  }
  return principal;
}

void NoteTokenUse(ApiState& state, const store::Token& token) {
  const store::Time now = state.Now();
  if (!token.last_used || now - *token.last_used >= kTouchEvery) {
    // Best effort: a read-only database must not turn reads into errors.
    (void)state.store->TouchToken(token.id, now);
  }
}

http::Authorizer MakeAuthorizer(ApiState& state, AccessRule rule) {
  return [&state, rule](http::Request& request) -> std::optional<http::Response> {
    auto header = request.Header("Authorization");
    if (!header) {
      return Unauthenticated("this route needs a token: send Authorization: Bearer <token>");
    }
    std::string_view secret = BearerSecret(*header);
    if (secret.empty()) {
      return Unauthenticated("the Authorization header must be 'Bearer <token>'");
    }
    auto identified = IdentifyToken(state, TokenHash(secret));
    if (!identified.ok()) {
      if (identified.status().code() == StatusCode::kPermissionDenied) {
        return Unauthenticated(identified.status().message());
      }
      return http::Response::FromStatus(identified.status());
    }
    Principal principal = std::move(*identified);
    const store::Token& token = principal.token;
    if (auto rejected = CheckKind(token, rule.access)) return rejected;
    if (rule.access == Access::kUser) {
      if (auto rejected = CheckRole(principal, rule, request)) return rejected;
    }
    NoteTokenUse(state, token);
    request.principal = std::move(principal);
    return std::nullopt;
  };
}

const Principal& PrincipalOf(const http::Request& request) {
  static const Principal kNobody;
  const auto* principal = std::any_cast<Principal>(&request.principal);
  return principal != nullptr ? *principal : kNobody;
}

bool CanSee(const Principal& principal, std::string_view project) {
  return principal.project.empty() || principal.project == project;
}

}  // namespace slipway::api
