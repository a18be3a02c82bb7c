// A pipeline's SLOs as they stand now: each evaluated once over every window, the freezes they
// impose, and the JSON and Prometheus forms the API, the CLI and /metrics share.
#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "deploy/deploy.h"
#include "util/text_escape.h"

namespace slipway::deploy {
namespace {

using nlohmann::json;

// The window the release freeze looks at (release_freeze.cc).
constexpr std::chrono::milliseconds kFreezeWindow = std::chrono::hours(1);

verify::SloStatus StatusOf(const spec::Slo& slo, const SliSourceFactory& sources) {
  Result<std::unique_ptr<verify::SliSource>> source =
      sources ? sources(slo)
              : Result<std::unique_ptr<verify::SliSource>>(
                    FailedPrecondition("SLOs are not evaluated here"));
  if (source.ok() && source.value() != nullptr) {
    return verify::EvaluateSlo({slo.name, slo.objective, slo.window}, *source.value());
  }
  verify::SloStatus status;
  status.name = slo.name;
  status.state = verify::SloState::kUnknown;
  status.error_budget = 1 - slo.objective / 100;
  status.error = source.ok() ? "no SLI source for it" : source.status().message();
  status.summary = slo.name + ": unknown: " + status.error;
  return status;
}

// 12 significant digits: enough for any budget, and no floating-point noise such as
// 0.9990000000000001 for a 99.9% objective.
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", value);
  return text;
}

std::string Label(std::string_view name, std::string_view value) {
  return std::string(name) + "=\"" + PrometheusLabelValue(value) + "\"";
}

// One metric family: its HELP and TYPE lines, then its samples.
struct Family {
  std::string name, help, samples;
  void Add(const std::string& labels, double value) {
    samples += name + "{" + labels + "} " + Number(value) + "\n";
  }
  std::string Text() const {
    return "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + samples;
  }
};

}  // namespace

std::vector<SloReport> EvaluateSlos(const spec::Pipeline& pipeline,
                                    const SliSourceFactory& sources) {
  std::vector<SloReport> reports;
  for (const spec::Slo& slo : pipeline.slos) {
    SloReport report{.slo = &slo, .status = StatusOf(slo, sources), .frozen = {}};
    const std::optional<double> burn = report.status.BurnRateOver(kFreezeWindow);
    for (const std::string& environment : slo.freeze.environments) {
      report.frozen.emplace_back(environment, !burn || *burn > slo.freeze.burn_rate);
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

std::string SloReportsJson(const std::vector<SloReport>& reports) {
  json out = json::array();
  for (const SloReport& report : reports) {
    const spec::Slo& slo = *report.slo;
    const verify::SloStatus& status = report.status;
    json burns = json::array();
    for (const verify::WindowBurn& burn : status.burns) {
      burns.push_back({{"window", verify::PromQlRange(burn.window)},
                       {"known", burn.known},
                       {"error_ratio", burn.error_ratio},
                       {"burn_rate", burn.burn_rate}});
    }
    json alerts = json::array();
    for (const verify::BurnAlert& alert : status.alerts) {
      alerts.push_back({{"severity", alert.severity},
                        {"long_window", verify::PromQlRange(alert.long_window)},
                        {"short_window", verify::PromQlRange(alert.short_window)},
                        {"threshold", alert.threshold},
                        {"firing", alert.firing}});
    }
    json frozen = json::array();
    for (const auto& [environment, holds] : report.frozen) {
      frozen.push_back({{"environment", environment}, {"frozen", holds}});
    }
    const bool latency = slo.sli.prometheus && !slo.sli.prometheus->latency.empty();
    out.push_back({{"name", status.name},
                   {"objective", slo.objective},
                   {"window", verify::PromQlRange(slo.window)},
                   {"sli", latency ? "latency" : "good/total"},
                   {"alerting", slo.alerting},
                   {"state", verify::SloStateName(status.state)},
                   {"error", status.error},
                   {"error_budget", status.error_budget},
                   {"budget_remaining",
                    status.slo_window.known ? json(status.budget_remaining) : json(nullptr)},
                   {"burns", burns},
                   {"alerts", alerts},
                   {"freeze", {{"burn_rate", slo.freeze.burn_rate}, {"environments", frozen}}},
                   {"summary", status.summary}});
  }
  return out.dump();
}

std::string SloMetricsText(
    const std::vector<std::pair<std::string, std::vector<SloReport>>>& by_project) {
  Family up{"slipway_slo_up", "1 when every window of the SLO's SLI could be read now.", ""};
  Family objective{"slipway_slo_objective_ratio", "The share of good events the SLO promises.", ""};
  Family remaining{"slipway_slo_error_budget_remaining",
                   "The share of the error budget left over the SLO window (1 = none spent; "
                   "negative once the SLO is broken).",
                   ""};
  Family burn_rate{"slipway_slo_burn_rate",
                   "How fast the error budget burns over the window (1 = exactly the budget "
                   "over the SLO window).",
                   ""};
  Family firing{"slipway_slo_alert_firing",
                "1 when the multi-window burn-rate alert fires (both windows at or above the "
                "threshold).",
                ""};
  Family frozen{"slipway_release_frozen",
                "1 while an SLO's release freeze holds deploys to the environment.", ""};
  for (const auto& [project, reports] : by_project) {
    std::map<std::string, bool> environments;  // environment -> some SLO freezes it
    for (const SloReport& report : reports) {
      const verify::SloStatus& status = report.status;
      const std::string labels = Label("project", project) + "," + Label("service", project) + "," +
                                 Label("slo", status.name);
      const bool known = status.state != verify::SloState::kUnknown;
      up.Add(labels, known ? 1 : 0);
      objective.Add(labels, report.slo->objective / 100);
      if (status.slo_window.known) remaining.Add(labels, status.budget_remaining);
      for (const verify::WindowBurn& burn : status.burns) {
        if (!burn.known) continue;
        burn_rate.Add(labels + "," + Label("window", verify::PromQlRange(burn.window)),
                      burn.burn_rate);
      }
      for (const verify::BurnAlert& alert : status.alerts) {
        if (!known) continue;
        firing.Add(labels + "," + Label("severity", alert.severity) + "," +
                       Label("long_window", verify::PromQlRange(alert.long_window)) + "," +
                       Label("short_window", verify::PromQlRange(alert.short_window)),
                   alert.firing ? 1 : 0);
      }
      for (const auto& [environment, holds] : report.frozen) {
        environments[environment] = environments[environment] || holds;
      }
    }
    for (const auto& [environment, holds] : environments) {
      frozen.Add(Label("project", project) + "," + Label("environment", environment),
                 holds ? 1 : 0);
    }
  }
  std::string text;
  for (const Family* family : {&up, &objective, &remaining, &burn_rate, &firing, &frozen}) {
    text += family->Text();
  }
  return text;
}

}  // namespace slipway::deploy
