// `slipway alerts`: the alerts Alertmanager sent (GET /api/v1/alerts), newest first, with the
// deploy and incident each was tied to.
#include <cstdio>

#include "cli/client.h"
#include "cli/commands.h"

namespace slipway::cli {

int AlertsCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string project, environment;
  int limit = 0;
  FlagSet set("slipway alerts", "[flags]",
              "Lists the alerts Alertmanager sent, newest first: what fired, where, whether it\n"
              "still fires, and the deploy and incident it was tied to.");
  AddClientFlags(set, &flags);
  set.String("project", 'p', &project, "NAME", "only this project's alerts");
  set.String("environment", 'e', &environment, "NAME", "only this environment's alerts");
  set.Int("limit", 0, &limit, "N", "at most N alerts (default 100, at most 1000)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  std::string query;
  if (!project.empty()) query += "&project=" + PathSegment(project);
  if (!environment.empty()) query += "&environment=" + PathSegment(environment);
  if (limit != 0) query += "&limit=" + std::to_string(limit);
  if (!query.empty()) query[0] = '?';
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto alerts = (*api)->Get("/api/v1/alerts" + query);
  if (!alerts.ok()) return Fail(alerts.status());
  if (flags.json) {
    PrintJson(*alerts);
    return 0;
  }
  Table table({"ID", "ALERT", "SEVERITY", "STATUS", "PROJECT", "ENVIRONMENT", "STARTED", "RECEIVED",
               "DEPLOY", "INCIDENT"});
  for (const Json& alert : *alerts) {
    table.Add({Field(alert, "id"), Field(alert, "alertname"), Field(alert, "severity"),
               Field(alert, "status"), Field(alert, "project"), Field(alert, "environment"),
               Ago(alert["starts_at"]),
               Ago(alert["received_at"]) + " (x" + Field(alert, "received_count") + ")",
               Field(alert, "deploy_id"), Field(alert, "incident_id")});
  }
  table.Print();
  return 0;
}

}  // namespace slipway::cli
