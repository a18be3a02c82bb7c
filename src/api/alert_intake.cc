// TakeAlerts: correlation of alerts with deploys, the stored batch, and the rollback decision.
#include "api/alert_intake.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace slipway::api {
namespace {

using StringMap = std::map<std::string, std::string>;

std::string ValueOf(const StringMap& map, const char* key) {
  auto found = map.find(key);
  return found != map.end() ? found->second : "";
}

// Label `name`, or `fallback` when that is absent or empty.
std::string LabelOr(const StringMap& labels, const char* name, const char* fallback) {
  std::string value = ValueOf(labels, name);
  return value.empty() ? ValueOf(labels, fallback) : value;
}

std::string JsonOf(const StringMap& map) {
  return nlohmann::json(map).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The alert as stored, and whether a rollout of its environment runs now.
std::pair<store::Alert, bool> Correlated(const PayloadAlert& in, DeployControl* deploys,
                                         store::Time now) {
  store::Alert alert;
  alert.fingerprint = in.fingerprint;
  alert.status = in.status;
  alert.alertname = ValueOf(in.labels, "alertname");
  alert.severity = ValueOf(in.labels, "severity");
  alert.labels_json = JsonOf(in.labels);
  alert.annotations_json = JsonOf(in.annotations);
  alert.starts_at = in.starts_at;
  alert.ends_at = in.ends_at;
  alert.received_at = now;
  auto [project, environment] = AlertTarget(in.labels);
  if (deploys == nullptr || project.empty() || environment.empty()) return {alert, false};
  std::optional<DeployControl::Current> current = deploys->CurrentDeploy(project, environment);
  if (!current) return {alert, false};
  alert.project = std::move(project);
  alert.environment = std::move(environment);
  alert.deploy_id = current->deploy_id;
  return {alert, current->rolling_out};
}

std::string RollbackReason(const PayloadAlert& alert) {
  const std::string summary = ValueOf(alert.annotations, "summary");
  return "alert " + ValueOf(alert.labels, "alertname") + " firing" +
         (summary.empty() ? "" : ": " + summary);
}

}  // namespace

std::pair<std::string, std::string> AlertTarget(const StringMap& labels) {
  return {LabelOr(labels, "slipway_project", "service"), LabelOr(labels, "environment", "env")};
}

Result<IntakeResult> TakeAlerts(store::Store& store, DeployControl* deploys,
                                const AlertmanagerPayload& payload, store::Time now) {
  std::vector<store::Alert> alerts;
  std::vector<bool> rolling_out;
  for (const PayloadAlert& in : payload.alerts) {
    auto [alert, running] = Correlated(in, deploys, now);
    alerts.push_back(std::move(alert));
    rolling_out.push_back(running);
  }
  IntakeResult result;
  SLIPWAY_ASSIGN_OR_RETURN(result.batch, store.RecordAlerts(alerts));

  std::set<std::pair<std::string, std::string>> done;
  for (size_t i = 0; i < alerts.size(); ++i) {
    const store::Alert& alert = alerts[i];
    if (!rolling_out[i] || alert.status != store::AlertStatus::kFiring ||
        alert.severity != "critical") {
      continue;
    }
    if (!done.insert({alert.project, alert.environment}).second) continue;
    RollbackAttempt attempt{.project = alert.project,
                            .environment = alert.environment,
                            .reason = RollbackReason(payload.alerts[i]),
                            .alertname = alert.alertname,
                            .fingerprint = alert.fingerprint,
                            .status = Status::Ok()};
    attempt.status = deploys->Rollback(attempt.project, attempt.environment, attempt.reason);
    result.rollbacks.push_back(std::move(attempt));
  }
  return result;
}

}  // namespace slipway::api
