// Who may do what in the registry: Basic and Bearer credentials, the token endpoint of the
// Docker token flow, and the permission rule.
//
// Permission rule: a user token's role applies to repositories named after its project
// ("<project>" and "<project>/…"), or to every repository for a token of all projects. Pull
// needs viewer, push developer, delete admin. Anonymous callers may pull from repositories
// made public and nothing else. Agent and registration tokens have no registry access.
#include <openssl/rand.h>
#include <strings.h>

#include "api/registry_api.h"
#include "util/base64.h"
#include "util/sha256.h"
#include "util/token.h"

namespace slipway::api {
namespace {

constexpr std::string_view kService = "slipway";

std::string_view ActionName(RegistryAction action) {
  switch (action) {
    case RegistryAction::kPull:
      return "pull";
    case RegistryAction::kPush:
      return "pull,push";
    case RegistryAction::kDelete:
      return "delete";
    case RegistryAction::kNone:
      break;
  }
  return "";
}

store::Role RoleFor(RegistryAction action) {
  switch (action) {
    case RegistryAction::kPush:
      return store::Role::kDeveloper;
    case RegistryAction::kDelete:
      return store::Role::kAdmin;
    default:
      return store::Role::kViewer;
  }
}

// The URL clients reach this server at: the configured one, else the request's Host.
std::string BaseUrl(const ApiState& state, const http::Request& request) {
  if (!state.context.server_url.empty()) return state.context.server_url;
  auto host = request.Header("Host");
  return "http://" + std::string(host ? *host : "localhost");
}

http::Response Challenge(const ApiState& state, const http::Request& request,
                         std::string_view scope, std::string_view message) {
  http::Response response = OciError(401, "UNAUTHORIZED", message);
  std::string challenge = "Bearer realm=\"" + BaseUrl(state, request) + "/v2/token\",service=\"" +
                          std::string(kService) + "\"";
  if (!scope.empty()) challenge += ",scope=\"" + std::string(scope) + "\"";
  response.headers.Set("WWW-Authenticate", challenge);
  return response;
}

// The secret of "Authorization: Basic base64(user:secret)"; nullopt when the header is not one.
std::optional<std::string> BasicSecret(std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() <= kScheme.size() ||
      strncasecmp(header.data(), kScheme.data(), kScheme.size()) != 0) {
    return std::nullopt;
  }
  auto decoded = Base64Decode(header.substr(kScheme.size()));
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return decoded->substr(colon + 1);
}

// The caller the Authorization header names. kPermissionDenied (→ 401) for credentials that
// are not valid; other codes when the store fails.
Result<RegistryCaller> Identify(ApiState& state, const http::Request& request) {
  RegistryCaller caller;
  auto header = request.Header("Authorization");
  if (!header) return caller;
  std::string hash;
  if (auto secret = BasicSecret(*header)) {
    hash = TokenHash(*secret);
  } else if (std::string_view bearer = BearerSecret(*header); !bearer.empty()) {
    if (auto issued = state.registry_tokens.Find(bearer)) {
      if (issued->empty()) return caller;  // an anonymous registry token
      hash = *issued;
    } else {
      hash = TokenHash(bearer);  // an API token used directly
    }
  } else {
    return PermissionDenied(
        "the Authorization header must be Basic (any user name, an API "
        "token as the password) or Bearer");
  }
  SLIPWAY_ASSIGN_OR_RETURN(caller.principal, IdentifyToken(state, hash));
  if (caller.principal.token.kind != store::TokenKind::kUser) {
    return PermissionDenied("the registry needs a user token, not an agent or registration token");
  }
  caller.anonymous = false;
  NoteTokenUse(state, caller.principal.token);
  return caller;
}

}  // namespace

std::string RegistryTokens::Issue(const std::string& api_token_hash) {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) return "";
  const std::string token = HexEncode(std::span<const uint8_t>(random, sizeof random));
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second.expires <= now; });
  tokens_[Sha256Hex(token)] = Entry{api_token_hash, now + kLifetime};
  return token;
}

std::optional<std::string> RegistryTokens::Find(std::string_view token) {
  const std::string key = Sha256Hex(token);
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(key);
  if (it == tokens_.end() || it->second.expires <= std::chrono::steady_clock::now()) {
    return std::nullopt;
  }
  return it->second.api_token_hash;
}

http::Response OciError(int status, std::string_view code, std::string_view message) {
  Json body = {{"errors", Json::array({{{"code", code}, {"message", message}}})}};
  http::Response response = http::Response::Json(status, body.dump());
  response.headers.Set("Docker-Distribution-API-Version", kApiVersion);
  return response;
}

http::Response OciErrorFrom(const Status& status, std::string_view code) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return OciError(400, code, status.message());
    case StatusCode::kNotFound:
      return OciError(404, code, status.message());
    case StatusCode::kResourceExhausted:
      return OciError(413, code, status.message());
    case StatusCode::kUnavailable:
      return OciError(503, "UNAVAILABLE", status.message());
    default:
      return OciError(http::StatusToHttp(status.code()), code, status.message());
  }
}

const RegistryCaller& RegistryCallerOf(const http::Request& request) {
  static const RegistryCaller kAnonymous;
  const auto* caller = std::any_cast<RegistryCaller>(&request.principal);
  return caller != nullptr ? *caller : kAnonymous;
}

bool RegistryAllows(ApiState& state, const RegistryCaller& caller, RegistryAction action,
                    std::string_view repository) {
  if (action == RegistryAction::kNone) return true;
  if (caller.anonymous) {
    if (action != RegistryAction::kPull) return false;
    auto settings = state.context.registry->Settings(repository);
    return settings.ok() && settings->is_public;
  }
  const Principal& principal = caller.principal;
  if (principal.token.role < RoleFor(action)) return false;
  const std::string& project = principal.project;
  return project.empty() || repository == project ||
         (repository.size() > project.size() && repository.starts_with(project) &&
          repository[project.size()] == '/');
}

http::Authorizer MakeRegistryAuthorizer(ApiState& state, RegistryAction action) {
  return [&state, action](http::Request& request) -> std::optional<http::Response> {
    const std::string repository(request.Param("name"));
    if (action != RegistryAction::kNone && !registry::IsRepositoryName(repository)) {
      return OciError(
          400, "NAME_INVALID",
          "'" + repository +
              "' is not a valid repository name (lower-case "
              "components of [a-z0-9] joined by '.', '_', '__' or '-', separated by '/')");
    }
    const std::string scope = action == RegistryAction::kNone ? "registry:catalog:*"
                                                              : "repository:" + repository + ":" +
                                                                    std::string(ActionName(action));
    auto caller = Identify(state, request);
    if (!caller.ok()) {
      if (caller.status().code() == StatusCode::kPermissionDenied) {
        return Challenge(state, request, scope, caller.status().message());
      }
      return OciError(503, "UNAVAILABLE", caller.status().message());
    }
    if (action == RegistryAction::kNone && caller->anonymous) {
      return Challenge(state, request, scope, "this needs a token");
    }
    if (!RegistryAllows(state, *caller, action, repository)) {
      if (caller->anonymous) {
        return Challenge(state, request, scope,
                         "authentication required to " + std::string(ActionName(action)) + " '" +
                             repository + "'");
      }
      return OciError(403, "DENIED",
                      "the token '" + caller->principal.token.name + "' may not " +
                          std::string(ActionName(action)) + " '" + repository +
                          "' (pull needs viewer, push developer, delete admin, on the project "
                          "the repository is named after)");
    }
    request.principal = std::move(*caller);
    return std::nullopt;
  };
}

http::Response RegistryPing(ApiState&, http::Request&) { return http::Response::Json(200, "{}"); }

// GET /v2/token: Basic credentials (or none, for public pulls) in, a short-lived bearer token
// out. The scope asked for is not narrowed: each request is checked against the token's role.
http::Response RegistryToken(ApiState& state, http::Request& request) {
  std::string hash;
  if (auto header = request.Header("Authorization")) {
    auto caller = Identify(state, request);
    if (!caller.ok()) {
      if (caller.status().code() == StatusCode::kPermissionDenied) {
        return Challenge(state, request, "", caller.status().message());
      }
      return OciError(503, "UNAVAILABLE", caller.status().message());
    }
    if (!caller->anonymous) hash = caller->principal.token.hash;
  }
  const std::string token = state.registry_tokens.Issue(hash);
  if (token.empty()) return OciError(503, "UNAVAILABLE", "no random bytes for a token");
  Json body = {{"token", token},
               {"access_token", token},
               {"expires_in", RegistryTokens::kLifetime.count()},
               {"issued_at", FormatTime(state.Now())}};
  http::Response response = http::Response::Json(200, body.dump());
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

}  // namespace slipway::api
