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

}  // namespace

http::Response ServerMetrics(ApiState& state, http::Request&) {
  auto stats = state.store->GetAlertStats();
  if (!stats.ok()) return http::Response::FromStatus(stats.status());
  std::string text;
  if (state.context.deployments != nullptr) text = state.context.deployments->MetricsText();
  text += AlertMetrics(*stats);
  text += SloMetrics(state);
  return http::Response::Text(200, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace slipway::api
