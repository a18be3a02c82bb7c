// `slipway analysis list ENV` and `slipway analysis show ID`: the analysis runs of deploys,
// with the numbers that decided (from the server, or with --local from this machine).
#include <cctype>
#include <cstdio>

#include "cli/commands.h"
#include "cli/env_backends.h"

namespace slipway::cli {
namespace {

std::string Number(const Json& value, const char* format = "%.4g") {
  if (!value.is_number()) return "-";
  char text[48];
  std::snprintf(text, sizeof text, format, value.get<double>());
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string EffectText(const Json& verdict) {
  return Number(verdict["effect"], "%+.1f%%") + " [" + Number(verdict["effect_low"], "%+.1f%%") +
         ", " + Number(verdict["effect_high"], "%+.1f%%") + "]";
}

void PrintAnalysis(const Json& record) {
  std::printf("analysis %s (%s, template %s): %s%s\n", Field(record, "id").c_str(),
              Field(record, "kind").c_str(), Field(record, "template").c_str(),
              Upper(Field(record, "outcome")).c_str(),
              record.value("running", false) ? " (running)" : "");
  const std::string baseline = Field(record, "baseline");
  std::printf("  canary %s against %s, %d looks, started %s, took %s\n",
              Field(record, "canary").c_str(), baseline.empty() ? "no baseline" : baseline.c_str(),
              record.value("looks", 0), Ago(record["started"]).c_str(),
              Elapsed(record["started"], record["finished"]).c_str());
  std::printf("  why    %s\n", Field(record, "summary").c_str());
  const Json& judgement = record["judgement"];
  if (!judgement["metrics"].empty()) {
    std::printf("\njudged metrics: %s, score %s\n", Field(judgement, "outcome").c_str(),
                Number(judgement["score"], "%.0f").c_str());
    Table table({"METRIC", "OUTCOME", "TEST", "N (BASE/CANARY)", "BASELINE", "CANARY",
                 "EFFECT [INTERVAL]", "STATISTIC", "P", "RULE"});
    for (const Json& verdict : judgement["metrics"]) {
      // Effects are relative changes; shown in percent.
      Json shown = verdict;
      for (const char* key : {"effect", "effect_low", "effect_high"}) {
        if (shown[key].is_number()) shown[key] = shown[key].get<double>() * 100;
      }
      table.Add({Field(verdict, "name"), Field(verdict, "outcome"), Field(verdict, "test"),
                 std::to_string(verdict.value("baseline_n", 0)) + "/" +
                     std::to_string(verdict.value("canary_n", 0)),
                 Number(verdict["baseline_center"]), Number(verdict["canary_center"]),
                 EffectText(shown), Number(verdict["statistic"]), Number(verdict["p_value"]),
                 Field(verdict, "rule")});
    }
    table.Print();
  }
  if (!record["conditions"].empty()) {
    std::printf("\ncondition metrics:\n");
    Table table({"METRIC", "SUCCESSFUL", "FAILED", "INCONCLUSIVE", "ERRORS"});
    for (const Json& tally : record["conditions"]) {
      table.Add({Field(tally, "metric"), std::to_string(tally.value("successful", 0)),
                 std::to_string(tally.value("failed", 0)),
                 std::to_string(tally.value("inconclusive", 0)),
                 std::to_string(tally.value("errors", 0))});
    }
    table.Print();
  }
  const Json& measurements = record["measurements"];
  if (measurements.is_array()) {
    std::printf("\n%zu measurements (--json prints every one)\n", measurements.size());
  }
}

void PrintAnalyses(const Json& records) {
  Table table({"ANALYSIS", "KIND", "TEMPLATE", "CANARY", "BASELINE", "OUTCOME", "STARTED", "TOOK",
               "SUMMARY"});
  for (const Json& record : records) {
    table.Add({Field(record, "id"), Field(record, "kind"), Field(record, "template"),
               Field(record, "canary"), Field(record, "baseline"), Field(record, "outcome"),
               Ago(record["started"]), Elapsed(record["started"], record["finished"]),
               Field(record, "summary")});
  }
  table.Print();
}

// Parses `args` (one positional) and opens the environments; exit code on failure.
std::optional<int> Open(const char* command, const char* usage, const char* summary,
                        const std::vector<std::string>& args, EnvFlags& flags,
                        std::string& positional, std::unique_ptr<EnvironmentsBackend>& backend) {
  FlagSet set(command, usage, summary);
  AddEnvFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return exit;
  positional = positionals[0];
  auto opened = OpenEnvironments(flags);
  if (!opened.ok()) {
    return opened.status().code() == StatusCode::kInvalidArgument ? UsageError(opened.status())
                                                                  : Fail(opened.status());
  }
  backend = std::move(opened).value();
  return std::nullopt;
}

}  // namespace

int AnalysisListCommand(const std::vector<std::string>& args) {
  EnvFlags flags;
  std::string environment;
  std::unique_ptr<EnvironmentsBackend> backend;
  if (auto exit = Open("slipway analysis list", "ENVIRONMENT [flags]",
                       "Lists the analysis runs of an environment's deploys, oldest first.", args,
                       flags, environment, backend)) {
    return *exit;
  }
  auto records = backend->Analyses(flags.project, environment);
  if (!records.ok()) return Fail(records.status());
  flags.client.json ? PrintJson(*records) : PrintAnalyses(*records);
  return 0;
}

int AnalysisShowCommand(const std::vector<std::string>& args) {
  EnvFlags flags;
  std::string id;
  std::unique_ptr<EnvironmentsBackend> backend;
  if (auto exit =
          Open("slipway analysis show", "ID [flags]",
               "Shows one analysis run (ID as `slipway analysis list` prints it, e.g.\n"
               "production.3.1): its verdict and, per metric, the sample sizes, medians or\n"
               "rates, the effect with its interval, the statistic, the p-value and the\n"
               "rule that decided. --json adds every measurement.",
               args, flags, id, backend)) {
    return *exit;
  }
  // IDs are ENVIRONMENT.DEPLOY.N; environment names have no dots.
  const size_t dot = id.find('.');
  if (dot == std::string::npos || dot == 0) {
    return UsageError(InvalidArgument("'" + id + "' is not an analysis ID (ENVIRONMENT.DEPLOY.N)"));
  }
  auto record = backend->Analysis(flags.project, id.substr(0, dot), id);
  if (!record.ok()) return Fail(record.status());
  flags.client.json ? PrintJson(*record) : PrintAnalysis(*record);
  return 0;
}

}  // namespace slipway::cli
