// A project's environments: what they run, their deploys, and rollback / approve / destroy
// (the deploys themselves are jobs; deploy::Deployments carries them out on this server).
#include "api/auth.h"
#include "api/handlers.h"
#include "api/json_io.h"
#include "deploy/deploy.h"

namespace slipway::api {
namespace {

http::Response NoDeployments() {
  return http::Response::JsonError(404, "not_found", "this server runs no deploys");
}

http::Response Parsed(const std::string& json) {
  Json doc = Json::parse(json, nullptr, false);
  return JsonResponse(200, doc);
}

// The project (checked to exist and be visible) and the {environment} of the path.
Result<std::pair<std::string, std::string>> EnvironmentOf(ApiState& state,
                                                          const http::Request& request) {
  SLIPWAY_ASSIGN_OR_RETURN(store::Project project, ProjectOf(state, request));
  return std::pair{project.name, std::string(request.Param("environment"))};
}

}  // namespace

http::Response ListEnvironments(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  Json out = Json::array();
  for (const auto& [owner, environment] : state.context.deployments->Environments()) {
    if (owner == project->name) out.push_back({{"project", owner}, {"environment", environment}});
  }
  return JsonResponse(200, out);
}

http::Response GetEnvironment(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto status = state.context.deployments->Describe(where->first, where->second);
  if (!status.ok()) return http::Response::FromStatus(status.status());
  return Parsed(deploy::EnvironmentStatusJson(*status));
}

http::Response ListDeploys(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto records = state.context.deployments->History(where->first, where->second);
  if (!records.ok()) return http::Response::FromStatus(records.status());
  return Parsed(deploy::DeployRecordsJson(*records));
}

http::Response ListAnalyses(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto records = state.context.deployments->Analyses(where->first, where->second);
  if (!records.ok()) return http::Response::FromStatus(records.status());
  // Without their measurements: GET …/analyses/{id} has them.
  return Parsed(verify::AnalysisSummariesJson(*records));
}

http::Response GetAnalysis(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto record = state.context.deployments->Analysis(where->first, where->second,
                                                    std::string(request.Param("analysis")));
  if (!record.ok()) return http::Response::FromStatus(record.status());
  return Parsed(verify::AnalysisRecordJson(*record));
}

http::Response RollbackEnvironment(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto body = BodyObject::Parse(request.body, {"reason"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  std::optional<std::string> reason;
  if (Status read = body->OptionalString("reason", &reason); !read.ok()) {
    return http::Response::FromStatus(read);
  }
  const std::string who = PrincipalOf(request).token.name;
  const std::string why = reason.value_or("manual rollback") + " (by " + who + ")";
  Status rolled = state.context.deployments->Rollback(where->first, where->second, why);
  if (!rolled.ok()) return http::Response::FromStatus(rolled);
  Status audited =
      Audit(state, who, "environment.rollback",
            "project/" + where->first + "/environment/" + where->second, {{"reason", why}});
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(202, {{"environment", where->second}, {"reason", why}});
}

http::Response ApproveEnvironment(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  // A deploy waiting for approvals counts who approved (gates.cc); else a paused rollout goes on.
  if (auto answered = RecordApprovalIfAwaited(state, request, /*approve=*/true)) {
    return std::move(*answered);
  }
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  Status approved = state.context.deployments->Approve(where->first, where->second);
  if (!approved.ok()) return http::Response::FromStatus(approved);
  Status audited =
      Audit(state, PrincipalOf(request).token.name, "environment.approve",
            "project/" + where->first + "/environment/" + where->second, Json::object());
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(202, {{"environment", where->second}});
}

http::Response DestroyEnvironment(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  Status destroyed = state.context.deployments->Destroy(where->first, where->second);
  if (!destroyed.ok()) return http::Response::FromStatus(destroyed);
  Status audited =
      Audit(state, PrincipalOf(request).token.name, "environment.destroy",
            "project/" + where->first + "/environment/" + where->second, Json::object());
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(200, {{"environment", where->second}, {"destroyed", true}});
}

}  // namespace slipway::api
