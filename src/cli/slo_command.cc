// `slipway slo status [--file FILE]`: the pipeline's SLOs as their Prometheus sees them now:
// error budget left, burn rates over the SRE workbook's windows, and which alerts fire.
#include <cstdio>

#include "cli/client.h"
#include "cli/commands.h"
#include "deploy/deploy.h"
#include "spec/spec.h"

namespace slipway::cli {
namespace {

Json StatusJson(const verify::SloStatus& status) {
  Json burns = Json::array();
  for (const verify::WindowBurn& burn : status.burns) {
    burns.push_back({{"window", verify::PromQlRange(burn.window)},
                     {"known", burn.known},
                     {"error_ratio", burn.error_ratio},
                     {"burn_rate", burn.burn_rate}});
  }
  Json alerts = Json::array();
  for (const verify::BurnAlert& alert : status.alerts) {
    alerts.push_back({{"severity", alert.severity},
                      {"long_window", verify::PromQlRange(alert.long_window)},
                      {"short_window", verify::PromQlRange(alert.short_window)},
                      {"threshold", alert.threshold},
                      {"firing", alert.firing}});
  }
  return {{"name", status.name},
          {"state", verify::SloStateName(status.state)},
          {"error", status.error},
          {"error_budget", status.error_budget},
          {"budget_remaining", status.budget_remaining},
          {"burns", burns},
          {"alerts", alerts},
          {"summary", status.summary}};
}

void PrintStatus(const verify::SloStatus& status) {
  std::printf("%s: %s\n  %s\n", status.name.c_str(),
              std::string(verify::SloStateName(status.state)).c_str(), status.summary.c_str());
  if (!status.error.empty()) std::printf("  error  %s\n", status.error.c_str());
  std::printf("  budget remaining %.1f%% (budget %.3g%% of events)\n",
              100 * status.budget_remaining, 100 * status.error_budget);
  Table table({"WINDOW", "ERROR RATIO", "BURN RATE"});
  for (const verify::WindowBurn& burn : status.burns) {
    char ratio[32], rate[32];
    std::snprintf(ratio, sizeof ratio, "%.4f%%", 100 * burn.error_ratio);
    std::snprintf(rate, sizeof rate, "%.2f", burn.burn_rate);
    table.Add(
        {verify::PromQlRange(burn.window), burn.known ? ratio : "?", burn.known ? rate : "?"});
  }
  table.Print();
  for (const verify::BurnAlert& alert : status.alerts) {
    if (!alert.firing) continue;
    std::printf("  FIRING %s: burn rate >= %g over %s and %s\n", alert.severity.c_str(),
                alert.threshold, verify::PromQlRange(alert.long_window).c_str(),
                verify::PromQlRange(alert.short_window).c_str());
  }
}

int Status(const std::vector<std::string>& args) {
  std::string file = ".slipway.yml";
  bool json = false;
  FlagSet set("slipway slo status", "[flags]",
              "Reads every SLO of the pipeline from its Prometheus now: the error budget left,\n"
              "burn rates over 5m, 30m, 1h, 6h, 3d and the workbook alerts that fire\n"
              "(docs/slo.md). Exit status 1 when an SLO pages or cannot be read.");
  set.String("file", 'f', &file, "FILE", "pipeline file (default .slipway.yml)");
  set.Bool("json", 0, &json, "print the statuses as a JSON array");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  spec::LoadResult loaded = spec::LoadPipelineFile(file);
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    return kExitFailure;
  }
  const deploy::SliSourceFactory sources =
      deploy::PrometheusSliSources(deploy::PrometheusInstantQueries());
  Json out = Json::array();
  bool bad = false;
  for (const spec::Slo& slo : loaded.pipeline->slos) {
    verify::SloStatus status;
    auto source = sources(slo);
    if (!source.ok()) {
      status.name = slo.name;
      status.error = source.status().message();
      status.summary = "unknown: " + status.error;
    } else {
      status = verify::EvaluateSlo({slo.name, slo.objective, slo.window}, **source);
    }
    bad = bad || status.state == verify::SloState::kPage ||
          status.state == verify::SloState::kUnknown;
    if (json) {
      out.push_back(StatusJson(status));
    } else {
      PrintStatus(status);
    }
  }
  if (json) PrintJson(out);
  if (loaded.pipeline->slos.empty() && !json) std::printf("%s declares no slos\n", file.c_str());
  return bad ? kExitFailure : 0;
}

}  // namespace

int SloCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand(
      "slo", {{"status", "the pipeline's SLOs now: budget left, burn rates, alerts", Status}},
      args);
}

}  // namespace slipway::cli
