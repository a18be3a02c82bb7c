// Who is calling and what they may do: bearer tokens looked up by their SHA-256, token kinds,
// and the role ladder viewer < developer < releaser < admin per project.
#pragma once

#include <string>
#include <string_view>

#include "http/http.h"
#include "store/store.h"

namespace slipway::api {

struct ApiState;

// The caller, as the authorizer found it (http::Request::principal).
struct Principal {
  store::Token token;
  std::string project;  // the name of the token's project; "" when it applies to every project
};

// Which tokens a route accepts.
enum class Access {
  kPublic,        // no token (health, webhooks: they check their own signatures)
  kAnyToken,      // any valid token, whatever its kind or role (whoami)
  kUser,          // user tokens with at least AccessRule::role
  kAgent,         // agent tokens (the agent protocol)
  kRegistration,  // registration tokens (agent registration)
};

// Where a user token's role must hold.
enum class Scope {
  kProject,      // on the route's {project}: a token of another project gets 403
  kAnyProject,   // on some project: lists show a project-scoped token its own project only
  kAllProjects,  // on every project: tokens scoped to one project get 403
};

struct AccessRule {
  Access access = Access::kUser;
  store::Role role = store::Role::kViewer;
  Scope scope = Scope::kAnyProject;
};

// Authenticates the bearer token (401 when missing, unknown, revoked or expired; a
// WWW-Authenticate: Bearer header says how), then checks kind and role (403 naming what is
// needed). On success sets request.principal to a Principal and notes the token's last use
// (at most once a minute per token, so reads do not turn into writes).
http::Authorizer MakeAuthorizer(ApiState& state, AccessRule rule);

// The secret of an "Authorization: Bearer <secret>" header; "" when the header is not one.
std::string_view BearerSecret(std::string_view header);

// The caller behind the token whose SHA-256 hex is `hash`. kPermissionDenied (answer 401 with
// its message) when the token is unknown, revoked, expired or its project was removed; other
// codes when the store fails.
Result<Principal> IdentifyToken(ApiState& state, std::string_view hash);
// Records that `token` was just used (at most once a minute per token; best effort).
void NoteTokenUse(ApiState& state, const store::Token& token);

// The principal MakeAuthorizer set. Only for routes that are not public.
const Principal& PrincipalOf(const http::Request& request);

// Whether the caller may see `project` (lists filter with it).
bool CanSee(const Principal& principal, std::string_view project);

}  // namespace slipway::api
