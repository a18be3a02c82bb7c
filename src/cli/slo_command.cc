// `slipway slo status [--file FILE | --project NAME]`: the pipeline's SLOs as their Prometheus
// sees them now (evaluated here, or by the server): error budget left, burn rates over the SRE
// workbook's windows, which alerts fire, and the release freezes they impose.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/client.h"
#include "cli/commands.h"
#include "deploy/deploy.h"
#include "spec/spec.h"

namespace slipway::cli {
namespace {

std::string Percent(double fraction, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, 100 * fraction);
  return text;
}

// One SLO as deploy::SloReportsJson (and the API) give it.
void PrintStatus(const Json& status) {
  std::printf("%s: %s\n  %s\n", Field(status, "name").c_str(), Field(status, "state").c_str(),
              Field(status, "summary").c_str());
  if (!status.value("error", "").empty()) {
    std::printf("  error  %s\n", status["error"].get<std::string>().c_str());
  }
  const Json& remaining = status["budget_remaining"];
  std::printf("  budget remaining %s (budget %s of events)\n",
              remaining.is_number() ? Percent(remaining.get<double>(), "%.1f%%").c_str() : "?",
              Percent(status.value("error_budget", 0.0), "%.3g%%").c_str());
  Table table({"WINDOW", "ERROR RATIO", "BURN RATE"});
  for (const Json& burn : status["burns"]) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.2f", burn.value("burn_rate", 0.0));
    const bool known = burn.value("known", false);
    table.Add({Field(burn, "window"),
               known ? Percent(burn.value("error_ratio", 0.0), "%.4f%%") : "?",
               known ? rate : "?"});
  }
  table.Print();
  for (const Json& alert : status["alerts"]) {
    if (!alert.value("firing", false)) continue;
    std::printf("  FIRING %s: burn rate >= %g over %s and %s\n", Field(alert, "severity").c_str(),
                alert.value("threshold", 0.0), Field(alert, "long_window").c_str(),
                Field(alert, "short_window").c_str());
  }
  if (status.contains("freeze")) {
    for (const Json& environment : status["freeze"]["environments"]) {
      std::printf("  release freeze of %s: %s\n", Field(environment, "environment").c_str(),
                  environment.value("frozen", false) ? "holding deploys" : "not holding");
    }
  }
}

// Pages or cannot be read: what a script gating on the exit status stops for.
bool Bad(const Json& statuses) {
  return std::any_of(statuses.begin(), statuses.end(), [](const Json& status) {
    const std::string state = status.value("state", "unknown");
    return state == "page" || state == "unknown";
  });
}

int Print(const Json& statuses, bool json, const std::string& none) {
  if (json) {
    PrintJson(statuses);
  } else {
    for (const Json& status : statuses) PrintStatus(status);
    if (statuses.empty()) std::printf("%s\n", none.c_str());
  }
  return Bad(statuses) ? kExitFailure : 0;
}

int Status(const std::vector<std::string>& args) {
  std::string file = ".slipway.yml";
  std::string project;
  ClientFlags flags;
  FlagSet set("slipway slo status", "[flags]",
              "Reads every SLO of the pipeline from its Prometheus now: the error budget left,\n"
              "burn rates over 5m, 30m, 1h, 6h, 3d, the workbook alerts that fire and the\n"
              "release freezes (docs/slo.md). With --project, the server evaluates the SLOs of\n"
              "the project's pipeline at its default branch; without, this machine evaluates\n"
              "those of --file. Exit status 1 when an SLO pages or cannot be read.");
  set.String("file", 'f', &file, "FILE", "pipeline file (default .slipway.yml)");
  set.String("project", 'p', &project, "NAME", "ask the server about this project's SLOs");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  if (project.empty() && (!flags.server.empty() || !flags.token.empty())) {
    return UsageError(InvalidArgument(
        "--server and --token need --project NAME (without it the SLOs of --file are "
        "evaluated on this machine)"));
  }
  if (!project.empty()) {
    auto api = Api::Connect(flags);
    if (!api.ok()) return Fail(api.status());
    auto answer = (*api)->Get("/api/v1/projects/" + PathSegment(project) + "/slos");
    if (!answer.ok()) return Fail(answer.status());
    return Print((*answer)["slos"], flags.json, "project " + project + " declares no slos");
  }
  spec::LoadResult loaded = spec::LoadPipelineFile(file);
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    return kExitFailure;
  }
  const std::vector<deploy::SloReport> reports = deploy::EvaluateSlos(
      *loaded.pipeline, deploy::PrometheusSliSources(deploy::PrometheusInstantQueries()));
  return Print(Json::parse(deploy::SloReportsJson(reports)), flags.json,
               file + " declares no slos");
}

int Rules(const std::vector<std::string>& args) {
  std::string file = ".slipway.yml";
  std::string service;
  FlagSet set("slipway slo rules", "[flags]",
              "Prints Prometheus rules (for rule_files:) that raise the SRE workbook's\n"
              "multi-window burn-rate alerts of every SLO with alerting: true: recording rules\n"
              "of the error ratio over 5m, 30m, 1h, 6h and 3d, and page/ticket alerts over them\n"
              "(docs/slo.md). Check the output with `promtool check rules`.");
  set.String("file", 'f', &file, "FILE", "pipeline file (default .slipway.yml)");
  set.String("service", 0, &service, "NAME",
             "the service label (default: the pipeline's name, else the current directory's)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  spec::LoadResult loaded = spec::LoadPipelineFile(file);
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    return kExitFailure;
  }
  if (service.empty()) service = loaded.pipeline->name;
  if (service.empty()) service = std::filesystem::current_path().filename().string();
  Result<std::string> rules = verify::PrometheusRulesYaml(loaded.pipeline->slos, service);
  if (!rules.ok()) return Fail(rules.status());
  std::fputs(rules.value().c_str(), stdout);
  return 0;
}

}  // namespace

int SloCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand(
      "slo",
      {{"status", "the pipeline's SLOs now: budget left, burn rates, alerts", Status},
       {"rules", "Prometheus rules raising the SLOs' burn-rate alerts", Rules}},
      args);
}

}  // namespace slipway::cli
