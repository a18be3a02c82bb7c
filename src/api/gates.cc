// Release gates over the API (docs/policy.md): a deploy's gate decision, approving or rejecting
// a deploy that waits for approvals, and emergency exemptions (ask, list, second approval).
// Every change is audited.
#include <charconv>

#include "api/auth.h"
#include "api/handlers.h"
#include "api/json_io.h"
#include "deploy/deploy.h"
#include "policy/policy.h"
#include "spec/spec.h"

namespace slipway::api {
namespace {

http::Response NoDeployments() {
  return http::Response::JsonError(404, "not_found", "this server runs no deploys");
}

Result<std::pair<std::string, std::string>> EnvironmentOf(ApiState& state,
                                                          const http::Request& request) {
  SLIPWAY_ASSIGN_OR_RETURN(store::Project project, ProjectOf(state, request));
  return std::pair{project.name, std::string(request.Param("environment"))};
}

std::string Target(const std::pair<std::string, std::string>& where) {
  return "project/" + where.first + "/environment/" + where.second;
}

Json ExemptionJson(const store::GateExemption& e, store::Time now) {
  const policy::ExemptionState state = policy::StateOf(ExemptionToPolicy(e), now);
  return {{"id", e.id},
          {"project", e.project},
          {"environment", e.environment},
          {"state", policy::ExemptionStateName(state)},
          {"requested_by", e.requested_by},
          {"justification", e.justification},
          {"created", FormatTime(e.created)},
          {"expires", FormatTime(e.expires)},
          {"needs_second_approval", e.needs_second_approval},
          {"approved_by", e.approved_by},
          {"approved_at", TimeOrNull(e.approved_at)}};
}

Json DecisionJson(const store::GateDecision& d, const std::vector<store::GateExemption>& all) {
  Json exemption = nullptr;
  for (const store::GateExemption& e : all) {
    if (e.id == d.exemption_id) exemption = ExemptionJson(e, d.decided_at);
  }
  return {{"id", d.id},
          {"project", d.project},
          {"environment", d.environment},
          {"deploy", d.deploy_id},
          {"run_id", d.run_id},
          {"step", d.step},
          {"decision", d.decision},
          {"input_digest", d.input_digest},
          {"decided_at", FormatTime(d.decided_at)},
          {"exemption", exemption},
          {"result", StoredJson(d.result_json, Json::object())},
          {"input", StoredJson(d.input_json, Json::object())}};
}

}  // namespace

http::Response GetDeployGate(ApiState& state, http::Request& request) {
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto deploy = IdParam(request, "deploy");
  if (!deploy.ok()) return http::Response::FromStatus(deploy.status());
  auto decisions = state.store->ListGateDecisions(where->first, where->second, *deploy);
  if (!decisions.ok()) return http::Response::FromStatus(decisions.status());
  if (decisions->empty()) {
    return http::Response::FromStatus(
        NotFound("deploy " + std::to_string(*deploy) + " of " + where->second +
                 " has no gate decision (no policy applied, or it has not reached its gate)"));
  }
  auto exemptions = state.store->ListExemptions(where->first, where->second);
  if (!exemptions.ok()) return http::Response::FromStatus(exemptions.status());
  auto approvals = state.store->ListApprovals(where->first, where->second, *deploy);
  if (!approvals.ok()) return http::Response::FromStatus(approvals.status());
  // Newest first: the first of each step is its decision. The top level stays the deploy
  // step's decision (what clients before promote gates read), or the promote one when no
  // policy gated the start; `promote` is the promote step's decision or null.
  const store::GateDecision* at_deploy = nullptr;
  const store::GateDecision* at_promote = nullptr;
  for (const store::GateDecision& d : *decisions) {
    const store::GateDecision*& slot = d.step == "promote" ? at_promote : at_deploy;
    if (slot == nullptr) slot = &d;
  }
  Json out = DecisionJson(at_deploy != nullptr ? *at_deploy : *at_promote, *exemptions);
  out["promote"] = at_promote != nullptr ? DecisionJson(*at_promote, *exemptions) : Json(nullptr);
  Json given = Json::array();
  for (const store::DeployApproval& a : *approvals) {
    given.push_back({{"approver", a.approver},
                     {"role", a.role},
                     {"verdict", a.approved ? "approve" : "reject"},
                     {"comment", a.comment},
                     {"at", FormatTime(a.at)}});
  }
  out["approvals"] = given;
  return JsonResponse(200, out);
}

std::optional<http::Response> RecordApprovalIfAwaited(ApiState& state, http::Request& request,
                                                      bool approve) {
  if (state.context.deployments == nullptr) return std::nullopt;
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto pending = state.context.deployments->AwaitingApproval(where->first, where->second);
  if (!pending) return std::nullopt;
  auto body = BodyObject::Parse(request.body, {"comment"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  std::optional<std::string> comment;
  if (Status read = body->OptionalString("comment", &comment); !read.ok()) {
    return http::Response::FromStatus(read);
  }
  if (comment && comment->size() > policy::kMaxJustificationBytes) {
    return http::Response::FromStatus(
        InvalidArgument("field 'comment' is limited to " +
                        std::to_string(policy::kMaxJustificationBytes) + " bytes"));
  }
  auto protection = state.context.deployments->Protection(where->first, where->second);
  if (!protection.ok()) return http::Response::FromStatus(protection.status());
  std::string author;
  int64_t run_id = 0;
  if (std::from_chars(pending->run_id.data(), pending->run_id.data() + pending->run_id.size(),
                      run_id)
          .ec == std::errc()) {
    if (auto run = state.store->GetRun(run_id); run.ok()) author = run->created_by;
  }
  const store::Token& token = PrincipalOf(request).token;
  const std::string role = store::RoleName(token.role);
  if (Status may = policy::MayApprove(protection->approvals, token.name, role, author); !may.ok()) {
    return http::Response::FromStatus(may);
  }
  auto stored = state.store->AddApproval({.id = 0,
                                          .project = where->first,
                                          .environment = where->second,
                                          .deploy_id = pending->deploy_id,
                                          .approver = token.name,
                                          .role = role,
                                          .approved = approve,
                                          .comment = comment.value_or(""),
                                          .at = state.Now()});
  if (!stored.ok()) return http::Response::FromStatus(stored.status());
  Status audited = Audit(state, token.name, approve ? "deploy.approve" : "deploy.reject",
                         Target(*where) + "/deploy/" + std::to_string(pending->deploy_id),
                         {{"comment", comment.value_or("")}, {"role", role}});
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(202, {{"environment", where->second},
                            {"deploy", pending->deploy_id},
                            {"approver", token.name},
                            {"verdict", approve ? "approve" : "reject"}});
}

http::Response RejectEnvironment(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  if (auto answered = RecordApprovalIfAwaited(state, request, /*approve=*/false)) {
    return std::move(*answered);
  }
  return http::Response::FromStatus(FailedPrecondition(
      "no deploy of " + std::string(request.Param("environment")) + " waits for approvals"));
}

http::Response CreateExemption(ApiState& state, http::Request& request) {
  if (state.context.deployments == nullptr) return NoDeployments();
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto body = BodyObject::Parse(request.body, {"justification", "duration"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  std::string justification, duration_text;
  if (Status read = body->RequiredString("justification", &justification); !read.ok()) {
    return http::Response::FromStatus(read);
  }
  if (Status read = body->RequiredString("duration", &duration_text); !read.ok()) {
    return http::Response::FromStatus(read);
  }
  std::optional<spec::Duration> duration = spec::ParseDuration(duration_text);
  if (!duration) {
    return http::Response::FromStatus(InvalidArgument(
        "field 'duration' must be a duration such as 30m or 2h, not '" + duration_text + "'"));
  }
  auto protection = state.context.deployments->Protection(where->first, where->second);
  if (!protection.ok()) return http::Response::FromStatus(protection.status());
  const std::string who = PrincipalOf(request).token.name;
  auto exemption = policy::NewExemption(protection->exemptions, where->first, where->second, who,
                                        justification, *duration, state.Now());
  if (!exemption.ok()) return http::Response::FromStatus(exemption.status());
  auto stored =
      state.store->CreateExemption({.id = 0,
                                    .project = exemption->project,
                                    .environment = exemption->environment,
                                    .requested_by = exemption->requested_by,
                                    .justification = exemption->justification,
                                    .created = exemption->created,
                                    .expires = exemption->expires,
                                    .needs_second_approval = exemption->needs_second_approval,
                                    .approved_by = "",
                                    .approved_at = std::nullopt});
  if (!stored.ok()) return http::Response::FromStatus(stored.status());
  Status audited = Audit(state, who, "exemption.create",
                         Target(*where) + "/exemption/" + std::to_string(stored->id),
                         {{"justification", stored->justification},
                          {"expires", FormatTime(stored->expires)},
                          {"needs_second_approval", stored->needs_second_approval}});
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(201, ExemptionJson(*stored, state.Now()));
}

http::Response ListExemptions(ApiState& state, http::Request& request) {
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto exemptions = state.store->ListExemptions(where->first, where->second);
  if (!exemptions.ok()) return http::Response::FromStatus(exemptions.status());
  Json out = Json::array();
  for (const store::GateExemption& e : *exemptions) out.push_back(ExemptionJson(e, state.Now()));
  return JsonResponse(200, out);
}

http::Response ApproveExemption(ApiState& state, http::Request& request) {
  auto where = EnvironmentOf(state, request);
  if (!where.ok()) return http::Response::FromStatus(where.status());
  auto id = IdParam(request, "exemption");
  if (!id.ok()) return http::Response::FromStatus(id.status());
  auto exemption = state.store->GetExemption(*id);
  if (!exemption.ok() || exemption->project != where->first ||
      exemption->environment != where->second) {
    return http::Response::FromStatus(
        NotFound("exemption " + std::to_string(*id) + " of " + where->second + " not found"));
  }
  const std::string who = PrincipalOf(request).token.name;
  if (Status may = policy::MaySecondApprove(ExemptionToPolicy(*exemption), who, state.Now());
      !may.ok()) {
    return http::Response::FromStatus(may);
  }
  auto approved = state.store->ApproveExemption(*id, who, state.Now());
  if (!approved.ok()) return http::Response::FromStatus(approved.status());
  Status audited =
      Audit(state, who, "exemption.approve", Target(*where) + "/exemption/" + std::to_string(*id),
            {{"requested_by", approved->requested_by}});
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(200, ExemptionJson(*approved, state.Now()));
}

}  // namespace slipway::api
