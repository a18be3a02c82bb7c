// Alert intake: Alertmanager webhook payloads in (POST /api/v1/alerts/alertmanager), alerts and
// incidents stored, critical alerts during a rollout rolling it back (docs/server.md "Alerts
// and incidents").
//
// Three steps, each testable on its own: ParseAlertmanagerPayload checks the whole payload
// before anything happens (a bad one changes nothing); TakeAlerts correlates each alert with a
// deploy, stores the batch in one transaction (store::Store::RecordAlerts: deduplication and
// incidents) and then asks DeployControl to roll back where a critical alert fires during a
// rollout. The handler (alerts.cc) maps errors to HTTP and writes the audit trail.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace slipway::deploy {
class Deployments;
}  // namespace slipway::deploy

namespace slipway::api {

// One alert of a webhook payload, as Alertmanager sent it.
struct PayloadAlert {
  store::AlertStatus status = store::AlertStatus::kFiring;
  std::map<std::string, std::string> labels, annotations;
  store::Time starts_at;
  std::optional<store::Time> ends_at;  // unset for Go's zero time (no end yet)
  std::string generator_url;
  std::string fingerprint;
};

// Alertmanager's webhook payload, version "4" (prometheus.io/docs/alerting/latest/configuration
// "webhook_config"). Fields slipway does not use (groupLabels, commonLabels, externalURL, …) are
// accepted and ignored.
struct AlertmanagerPayload {
  std::string receiver;
  store::AlertStatus status = store::AlertStatus::kFiring;
  std::vector<PayloadAlert> alerts;
};

constexpr size_t kMaxAlertsPerPayload = 1000;

// kInvalidArgument naming the field for anything slipway cannot take: not JSON, not an object,
// a version other than "4", a missing or mistyped field ("alerts[2].startsAt is missing"), a
// status other than firing/resolved, a time that is not RFC 3339, an empty fingerprint, more
// than kMaxAlertsPerPayload alerts.
Result<AlertmanagerPayload> ParseAlertmanagerPayload(std::string_view body);

// What intake needs from the deploys of this server (deploy::Deployments; a fake in tests).
class DeployControl {
 public:
  virtual ~DeployControl() = default;
  struct Current {
    int64_t deploy_id = 0;     // DeployRecord::id (per environment)
    bool rolling_out = false;  // that deploy is a rollout in progress
  };
  // The deploy running now in the environment, else its most recent one; nullopt when the
  // environment was never deployed here (an unknown service or environment).
  virtual std::optional<Current> CurrentDeploy(const std::string& project,
                                               const std::string& environment) = 0;
  // deploy::Deployments::Rollback.
  virtual Status Rollback(const std::string& project, const std::string& environment,
                          const std::string& reason) = 0;
};

// A DeployControl over `deployments` (borrowed). Deploys are read from its History, so a
// rollout driven by another server process shows as running only once it recorded itself.
std::unique_ptr<DeployControl> MakeDeployControl(deploy::Deployments& deployments);

// The project and environment an alert's labels name: label slipway_project, else service;
// label environment, else env. "" when absent.
std::pair<std::string, std::string> AlertTarget(const std::map<std::string, std::string>& labels);

struct RollbackAttempt {
  std::string project, environment, reason;
  std::string alertname, fingerprint;
  Status status;  // of Deployments::Rollback: FailedPrecondition when the rollout just ended
};

struct IntakeResult {
  store::AlertBatchResult batch;
  std::vector<RollbackAttempt> rollbacks;  // at most one per environment
};

// Correlates each alert (see AlertTarget and DeployControl::CurrentDeploy; `deploys` null =
// nothing is known: every alert is stored uncorrelated), records the batch with `now` as its
// received time, then rolls back each environment where a firing alert with severity
// "critical" arrived while a rollout runs, with the reason "alert <alertname> firing:
// <summary annotation>". A store failure is returned and nothing was rolled back; rollback
// failures are reported in the result (the alerts are stored by then).
Result<IntakeResult> TakeAlerts(store::Store& store, DeployControl* deploys,
                                const AlertmanagerPayload& payload, store::Time now);

}  // namespace slipway::api
