// Projects: list, add (admin of every project), show, remove (admin of the project).
#include <algorithm>

#include "api/auth.h"
#include "api/handlers.h"
#include "triggers/triggers.h"
#include "util/token.h"

namespace slipway::api {
namespace {

// The store's rule, checked here too so the error names the field.
Status CheckName(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 100 && name != "." && name != ".." &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
      });
  if (ok) return Status::Ok();
  return InvalidArgument("field 'name' must be 1 to 100 letters, digits, '_', '.' or '-'");
}

bool HasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Status CheckPipelineFile(const std::string& path) {
  bool ok = !path.empty() && path.size() <= 255 && !HasControl(path) && path.front() != '/' &&
            path.back() != '/' && path.find('\\') == std::string::npos;
  size_t start = 0;
  while (ok && start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view part(path.data() + start, end - start);
    ok = !part.empty() && part != "." && part != "..";
    start = end + 1;
  }
  if (ok) return Status::Ok();
  return InvalidArgument(
      "field 'pipeline_file' must be a relative path inside the repository "
      "without '.' or '..' parts: '" +
      path + "'");
}

Status CheckSecret(const std::string& secret) {
  if (secret.size() >= 16 && secret.size() <= 256 && !HasControl(secret)) return Status::Ok();
  return InvalidArgument("field 'webhook_secret' must be 16 to 256 printable characters");
}

Result<store::Project> ProjectFromBody(const BodyObject& body) {
  store::Project project;
  SLIPWAY_RETURN_IF_ERROR(body.RequiredString("name", &project.name));
  SLIPWAY_RETURN_IF_ERROR(CheckName(project.name));
  SLIPWAY_RETURN_IF_ERROR(body.RequiredString("repo", &project.repo));
  if (project.repo.empty() || project.repo.size() > 4096 || HasControl(project.repo)) {
    return InvalidArgument("field 'repo' must be a git URL or a path on the server");
  }
  std::optional<std::string> branch, file, secret;
  SLIPWAY_RETURN_IF_ERROR(body.OptionalString("branch", &branch));
  SLIPWAY_RETURN_IF_ERROR(body.OptionalString("pipeline_file", &file));
  SLIPWAY_RETURN_IF_ERROR(body.OptionalString("webhook_secret", &secret));
  std::optional<int64_t> interval;
  SLIPWAY_RETURN_IF_ERROR(body.OptionalInt("poll_interval_seconds", 0, 7 * 86400, &interval));
  project.default_branch = branch.value_or("main");
  SLIPWAY_RETURN_IF_ERROR(CheckBranchName("branch", project.default_branch));
  if (file) project.pipeline_file = *file;
  SLIPWAY_RETURN_IF_ERROR(CheckPipelineFile(project.pipeline_file));
  if (interval) project.poll_interval_seconds = *interval;
  if (secret) {
    SLIPWAY_RETURN_IF_ERROR(CheckSecret(*secret));
    project.webhook_secret = *secret;
  }
  return project;
}

}  // namespace

http::Response ListProjects(ApiState& state, http::Request& request) {
  auto projects = state.store->ListProjects();
  if (!projects.ok()) return http::Response::FromStatus(projects.status());
  const Principal& principal = PrincipalOf(request);
  Json list = Json::array();
  for (const store::Project& project : *projects) {
    if (CanSee(principal, project.name)) list.push_back(ProjectJson(project));
  }
  return JsonResponse(200, {{"projects", std::move(list)}});
}

http::Response AddProject(ApiState& state, http::Request& request) {
  auto body = BodyObject::Parse(request.body, {"name", "repo", "branch", "pipeline_file",
                                               "poll_interval_seconds", "webhook_secret"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  auto project = ProjectFromBody(*body);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  const bool generated = project->webhook_secret.empty();
  if (generated) project->webhook_secret = NewTokenSecret().substr(4);  // without "slw_"
  project->created = state.Now();
  auto created = state.store->CreateProject(*project);
  if (!created.ok()) return http::Response::FromStatus(created.status());

  Status audited =
      Audit(state, PrincipalOf(request).token.name, "project.add", "project/" + created->name,
            {{"repo", triggers::RedactUrl(created->repo)},
             {"branch", created->default_branch},
             {"pipeline_file", created->pipeline_file},
             {"poll_interval_seconds", created->poll_interval_seconds},
             {"webhook_secret_generated", generated}});
  if (!audited.ok()) return AuditFailed(audited);
  Json answer = ProjectJson(*created);
  if (generated) answer["webhook_secret"] = project->webhook_secret;  // shown this once
  http::Response response = JsonResponse(201, answer);
  response.headers.Set("Location", state.Location("/api/v1/projects/" + created->name));
  return response;
}

http::Response GetProject(ApiState& state, http::Request& request) {
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  return JsonResponse(200, ProjectJson(*project));
}

http::Response RemoveProject(ApiState& state, http::Request& request) {
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  Status removed = state.store->DeleteProject(project->name);
  if (!removed.ok()) return http::Response::FromStatus(removed);
  // Best effort: the archives of a removed project are unreachable whether or not this works.
  if (state.context.artifacts != nullptr) (void)state.context.artifacts->RemoveProject(project->id);
  Status audited =
      Audit(state, PrincipalOf(request).token.name, "project.remove", "project/" + project->name,
            {{"repo", triggers::RedactUrl(project->repo)}});
  if (!audited.ok()) return AuditFailed(audited);
  return http::Response::NoContent();
}

}  // namespace slipway::api
