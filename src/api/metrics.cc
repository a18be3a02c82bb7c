// GET /metrics: the server's Prometheus text exposition (format 0.0.4): the deploys
// (deploy::Deployments::MetricsText), the alert intake's counts and the SLOs (slos.cc).
#include <string>

#include "api/handlers.h"
#include "deploy/deploy.h"
#include "util/text_escape.h"

namespace slipway::api {
namespace {

std::string AlertMetrics(const store::AlertStats& stats) {
  std::string open, total;
  for (const store::IncidentCounts& counts : stats.incidents) {
    const std::string labels = "{project=\"" + PrometheusLabelValue(counts.project) +
                               "\",environment=\"" + PrometheusLabelValue(counts.environment) +
                               "\"} ";
    open += "slipway_incidents_open" + labels + std::to_string(counts.open) + "\n";
    total += "slipway_incidents_total" + labels + std::to_string(counts.total) + "\n";
  }
  return "# HELP slipway_incidents_open Incidents open now, per environment.\n"
         "# TYPE slipway_incidents_open gauge\n" +
         open +
         "# HELP slipway_incidents_total Incidents opened, per environment.\n"
         "# TYPE slipway_incidents_total counter\n" +
         total +
         "# HELP slipway_alerts_received_total Alerts received from Alertmanager (re-sends "
         "included).\n"
         "# TYPE slipway_alerts_received_total counter\n"
         "slipway_alerts_received_total " +
         std::to_string(stats.alerts_received) + "\n";
}

std::string GateMetrics(const store::GateStats& stats) {
  std::string text =
      "# HELP slipway_gate_decisions_total Release gate decisions, by decision (allow, deny, "
      "exempted: denied and overridden by an emergency exemption).\n"
      "# TYPE slipway_gate_decisions_total counter\n";
  for (const char* decision : {"allow", "deny", "exempted"}) {
    int64_t count = 0;
    for (const auto& [name, n] : stats.decisions) {
      if (name == decision) count = n;
    }
    text += std::string("slipway_gate_decisions_total{decision=\"") + decision + "\"} " +
            std::to_string(count) + "\n";
  }
  return text +
         "# HELP slipway_gate_exemptions_total Emergency exemptions granted.\n"
         "# TYPE slipway_gate_exemptions_total counter\n"
         "slipway_gate_exemptions_total " +
         std::to_string(stats.exemptions) + "\n";
}

}  // namespace

http::Response ServerMetrics(ApiState& state, http::Request&) {
  auto stats = state.store->GetAlertStats();
  if (!stats.ok()) return http::Response::FromStatus(stats.status());
  std::string text;
  if (state.context.deployments != nullptr) text = state.context.deployments->MetricsText();
  text += AlertMetrics(*stats);
  text += SloMetrics(state);
  auto gates = state.store->GetGateStats();
  if (!gates.ok()) return http::Response::FromStatus(gates.status());
  text += GateMetrics(*gates);
  return http::Response::Text(200, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace slipway::api
