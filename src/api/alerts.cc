// Alerts and incidents: the Alertmanager webhook receiver and the lists (the intake itself:
// alert_intake.h).
#include "api/alert_intake.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/json_io.h"

namespace slipway::api {
namespace {

Json AlertJson(const store::Alert& alert) {
  return {{"id", alert.id},
          {"fingerprint", alert.fingerprint},
          {"status", store::AlertStatusName(alert.status)},
          {"alertname", alert.alertname},
          {"severity", alert.severity},
          {"labels", StoredJson(alert.labels_json, Json::object())},
          {"annotations", StoredJson(alert.annotations_json, Json::object())},
          {"starts_at", FormatTime(alert.starts_at)},
          {"ends_at", TimeOrNull(alert.ends_at)},
          {"received_at", FormatTime(alert.received_at)},
          {"received_count", alert.received_count},
          {"project", alert.project},
          {"environment", alert.environment},
          {"deploy_id", alert.deploy_id},
          {"incident_id", alert.incident_id}};
}

Json IncidentJson(const store::Incident& incident) {
  return {{"id", incident.id},
          {"project", incident.project},
          {"environment", incident.environment},
          {"title", incident.title},
          {"severity", incident.severity},
          {"status", store::IncidentStatusName(incident.status)},
          {"started_at", FormatTime(incident.started_at)},
          {"detected_at", FormatTime(incident.detected_at)},
          {"resolved_at", TimeOrNull(incident.resolved_at)},
          {"deploy_id", incident.deploy_id}};
}

// The audit trail gets one record for the payload and one per rollback it caused.
Status AuditIntake(ApiState& state, const std::string& actor, const AlertmanagerPayload& payload,
                   const IntakeResult& result) {
  SLIPWAY_RETURN_IF_ERROR(Audit(state, actor, "alerts.receive", "receiver/" + payload.receiver,
                                {{"alerts", payload.alerts.size()},
                                 {"stored", result.batch.stored},
                                 {"deduplicated", result.batch.deduplicated},
                                 {"incidents_opened", result.batch.incidents_opened},
                                 {"incidents_resolved", result.batch.incidents_resolved}}));
  for (const RollbackAttempt& rollback : result.rollbacks) {
    if (!rollback.status.ok()) continue;
    SLIPWAY_RETURN_IF_ERROR(
        Audit(state, actor, "environment.rollback",
              "project/" + rollback.project + "/environment/" + rollback.environment,
              {{"reason", rollback.reason},
               {"alertname", rollback.alertname},
               {"fingerprint", rollback.fingerprint},
               {"source", "alertmanager"}}));
  }
  return Status::Ok();
}

Json RollbacksJson(const std::vector<RollbackAttempt>& rollbacks) {
  Json out = Json::array();
  for (const RollbackAttempt& rollback : rollbacks) {
    Json item = {{"project", rollback.project},
                 {"environment", rollback.environment},
                 {"reason", rollback.reason},
                 {"rolled_back", rollback.status.ok()}};
    if (!rollback.status.ok()) item["error"] = rollback.status.message();
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<std::string> QueryText(const http::Request& request, std::string_view name) {
  std::optional<std::string_view> value = request.Query(name);
  return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
}

// A project-scoped token sees its own project's alerts and incidents only.
Status ScopeProject(const http::Request& request, std::optional<std::string>* project) {
  const Principal& principal = PrincipalOf(request);
  if (principal.project.empty()) return Status::Ok();
  if (project->has_value() && **project != principal.project) {
    return PermissionDenied("this token may only read project '" + principal.project + "'");
  }
  *project = principal.project;
  return Status::Ok();
}

}  // namespace

http::Response ReceiveAlertmanager(ApiState& state, http::Request& request) {
  Result<AlertmanagerPayload> payload = ParseAlertmanagerPayload(request.body);
  if (!payload.ok()) return http::Response::FromStatus(payload.status());
  Result<IntakeResult> result =
      TakeAlerts(*state.store, state.deploy_control, *payload, state.Now());
  if (!result.ok()) return http::Response::FromStatus(result.status());
  Status audited = AuditIntake(state, PrincipalOf(request).token.name, *payload, *result);
  if (!audited.ok()) return AuditFailed(audited);
  int rolled_back = 0;
  for (const RollbackAttempt& rollback : result->rollbacks) rolled_back += rollback.status.ok();
  return JsonResponse(200, {{"received", payload->alerts.size()},
                            {"stored", result->batch.stored},
                            {"deduplicated", result->batch.deduplicated},
                            {"rolled_back", rolled_back},
                            {"rollbacks", RollbacksJson(result->rollbacks)},
                            {"incidents_opened", result->batch.incidents_opened},
                            {"incidents_resolved", result->batch.incidents_resolved}});
}

http::Response ListAlerts(ApiState& state, http::Request& request) {
  store::AlertFilter filter;
  filter.project = QueryText(request, "project");
  filter.environment = QueryText(request, "environment");
  if (Status scoped = ScopeProject(request, &filter.project); !scoped.ok()) {
    return http::Response::FromStatus(scoped);
  }
  auto limit = QueryInt(request, "limit", 1, 1000);
  if (!limit.ok()) return http::Response::FromStatus(limit.status());
  filter.limit = static_cast<int>(limit->value_or(100));
  auto alerts = state.store->ListAlerts(filter);
  if (!alerts.ok()) return http::Response::FromStatus(alerts.status());
  Json out = Json::array();
  for (const store::Alert& alert : *alerts) out.push_back(AlertJson(alert));
  return JsonResponse(200, out);
}

http::Response ListIncidents(ApiState& state, http::Request& request) {
  store::IncidentFilter filter;
  filter.project = QueryText(request, "project");
  if (Status scoped = ScopeProject(request, &filter.project); !scoped.ok()) {
    return http::Response::FromStatus(scoped);
  }
  if (std::optional<std::string> status = QueryText(request, "status")) {
    filter.status = store::ParseIncidentStatus(*status);
    if (!filter.status) {
      return http::Response::FromStatus(
          InvalidArgument("query parameter 'status' must be \"open\" or \"resolved\""));
    }
  }
  auto limit = QueryInt(request, "limit", 1, 1000);
  if (!limit.ok()) return http::Response::FromStatus(limit.status());
  filter.limit = static_cast<int>(limit->value_or(100));
  auto incidents = state.store->ListIncidents(filter);
  if (!incidents.ok()) return http::Response::FromStatus(incidents.status());
  Json out = Json::array();
  for (const store::Incident& incident : *incidents) out.push_back(IncidentJson(incident));
  return JsonResponse(200, out);
}

}  // namespace slipway::api
