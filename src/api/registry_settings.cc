// GET/PUT /api/v1/registry/settings?repository=NAME: whether a repository is public, whether
// its tags may move, and its channels (tags that may move, each move audited).
#include "api/auth.h"
#include "api/handlers.h"
#include "registry/registry.h"

namespace slipway::api {
namespace {

// The ?repository= the caller's token covers (its project's repositories, or all), or the
// error response.
Result<std::string> RepositoryParam(const http::Request& request) {
  auto repository = request.Query("repository");
  if (!repository) return InvalidArgument("the query parameter 'repository' is missing");
  if (!registry::IsRepositoryName(*repository)) {
    return InvalidArgument("'" + std::string(*repository) +
                           "' is not a valid repository name (lower-case components of [a-z0-9] "
                           "joined by '.', '_', '__' or '-', separated by '/')");
  }
  const Principal& principal = PrincipalOf(request);
  const std::string& project = principal.project;
  if (!project.empty() && *repository != project && !repository->starts_with(project + "/")) {
    return PermissionDenied("the token '" + principal.token.name + "' is limited to project '" +
                            project + "' (repositories '" + project + "' and '" + project + "/…')");
  }
  return std::string(*repository);
}

Json SettingsJson(const std::string& repository, const registry::RepositorySettings& settings) {
  return {{"repository", repository},
          {"public", settings.is_public},
          {"mutable_tags", settings.mutable_tags},
          {"channels", settings.channels}};
}

}  // namespace

http::Response GetRegistrySettings(ApiState& state, http::Request& request) {
  if (state.context.registry == nullptr) {
    return http::Response::JsonError(404, "not_found", "this server has no registry");
  }
  auto repository = RepositoryParam(request);
  if (!repository.ok()) return http::Response::FromStatus(repository.status());
  auto settings = state.context.registry->Settings(*repository);
  if (!settings.ok()) return http::Response::FromStatus(settings.status());
  return JsonResponse(200, SettingsJson(*repository, *settings));
}

http::Response PutRegistrySettings(ApiState& state, http::Request& request) {
  if (state.context.registry == nullptr) {
    return http::Response::JsonError(404, "not_found", "this server has no registry");
  }
  auto repository = RepositoryParam(request);
  if (!repository.ok()) return http::Response::FromStatus(repository.status());
  auto body = BodyObject::Parse(request.body, {"public", "mutable_tags", "channels"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  auto settings = state.context.registry->Settings(*repository);
  if (!settings.ok()) return http::Response::FromStatus(settings.status());
  std::optional<bool> is_public, mutable_tags;
  std::optional<std::vector<std::string>> channels;
  for (auto [field, out] : {std::pair{"public", &is_public}, {"mutable_tags", &mutable_tags}}) {
    if (Status read = body->OptionalBool(field, out); !read.ok()) {
      return http::Response::FromStatus(read);
    }
  }
  if (Status read = body->OptionalStringList("channels", &channels); !read.ok()) {
    return http::Response::FromStatus(read);
  }
  if (is_public) settings->is_public = *is_public;
  if (mutable_tags) settings->mutable_tags = *mutable_tags;
  if (channels) settings->channels = *channels;
  Status saved = state.context.registry->SetSettings(*repository, *settings);
  if (!saved.ok()) return http::Response::FromStatus(saved);
  const Json result = SettingsJson(*repository, *settings);
  Status audited = Audit(state, PrincipalOf(request).token.name, "registry.settings",
                         "registry/" + *repository, result);
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(200, result);
}

}  // namespace slipway::api
