// `slipway incidents`: the incidents alerts opened (GET /api/v1/incidents), with how long each
// took to detect and to resolve — the numbers MTTR is made of.
#include <cstdio>

#include "cli/client.h"
#include "cli/commands.h"

namespace slipway::cli {

int IncidentsCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string project, status;
  int limit = 0;
  FlagSet set("slipway incidents", "[flags]",
              "Lists incidents newest first: what fired, where, when it started, how long until\n"
              "slipway heard of it (detected) and until it was resolved.");
  AddClientFlags(set, &flags);
  set.String("project", 'p', &project, "NAME", "only this project's incidents");
  set.String("status", 0, &status, "STATUS", "open or resolved (default: both)");
  set.Int("limit", 0, &limit, "N", "at most N incidents (default 100, at most 1000)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  std::string query;
  if (!project.empty()) query += "&project=" + PathSegment(project);
  if (!status.empty()) query += "&status=" + PathSegment(status);
  if (limit != 0) query += "&limit=" + std::to_string(limit);
  if (!query.empty()) query[0] = '?';
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto incidents = (*api)->Get("/api/v1/incidents" + query);
  if (!incidents.ok()) return Fail(incidents.status());
  if (flags.json) {
    PrintJson(*incidents);
    return 0;
  }
  Table table({"ID", "PROJECT", "ENVIRONMENT", "SEVERITY", "STATUS", "STARTED", "DETECTED IN",
               "RESOLVED IN", "DEPLOY", "TITLE"});
  for (const Json& incident : *incidents) {
    const Json& resolved = incident["resolved_at"];
    table.Add({Field(incident, "id"), Field(incident, "project"), Field(incident, "environment"),
               Field(incident, "severity"), Field(incident, "status"), Ago(incident["started_at"]),
               Elapsed(incident["started_at"], incident["detected_at"]),
               resolved.is_string() ? Elapsed(incident["started_at"], resolved) : "-",
               Field(incident, "deploy_id"), Field(incident, "title")});
  }
  table.Print();
  return 0;
}

}  // namespace slipway::cli
