// `slipway analysis`: canary analyses offline. `judge` runs the canary judge on two recorded
// files so a user can backtest criteria on real data (docs/analysis.md). Other subcommands
// (`show`) live in their own files and get a row in AnalysisCommand's table.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/analysis_input.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "verify/verify.h"

namespace slipway::cli {
namespace {

Result<double> ParseNumber(const std::string& flag, const std::string& text, double min, double max,
                           bool open_interval) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool inside = open_interval ? (value > min && value < max) : (value >= min && value <= max);
  if (ec != std::errc() || end != text.data() + text.size() || !inside) {
    return InvalidArgument("--" + flag + ": '" + text + "' is not a number in " +
                           (open_interval ? "(" : "[") + std::to_string(min).substr(0, 3) + ", " +
                           (std::isinf(max) ? "inf" : std::to_string(max).substr(0, 3)) +
                           (open_interval ? ")" : "]"));
  }
  return value;
}

// A file that cannot be read or holds a bad line: the data asked for is wrong, not the
// command line (exit 1).
int InputError(const Status& status) {
  std::fprintf(stderr, "slipway: %s\n", status.message().c_str());
  return kExitFailure;
}

Result<verify::Direction> ParseDirection(const std::string& text) {
  if (text == "increase") return verify::Direction::kIncrease;
  if (text == "decrease") return verify::Direction::kDecrease;
  if (text == "either") return verify::Direction::kEither;
  return InvalidArgument("--direction: '" + text + "' is not increase, decrease or either");
}

// A JSON number, or null for infinities (JSON has none).
nlohmann::ordered_json Number(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json();
}

nlohmann::ordered_json ToJson(const verify::Judgement& j, bool counts) {
  nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
  const char* center = counts ? "rate" : "median";
  for (const verify::MetricVerdict& m : j.metrics) {
    nlohmann::ordered_json row = {{"name", m.name},
                                  {"outcome", verify::OutcomeName(m.outcome)},
                                  {"test", m.test},
                                  {"baseline_n", m.baseline_n},
                                  {"canary_n", m.canary_n},
                                  {std::string("baseline_") + center, m.baseline_center},
                                  {std::string("canary_") + center, m.canary_center},
                                  {"effect", Number(m.effect)},
                                  {"effect_low", Number(m.effect_low)},
                                  {"effect_high", Number(m.effect_high)},
                                  {"statistic", m.statistic},
                                  {"p_value", m.p_value},
                                  {"rule", m.rule}};
    if (!counts) row["u"] = m.statistic;
    metrics.push_back(std::move(row));
  }
  return {{"outcome", verify::OutcomeName(j.outcome)},
          {"score", j.score},
          {"summary", j.summary},
          {"metrics", std::move(metrics)}};
}

std::string Percent(double relative) {
  if (std::isinf(relative)) return relative > 0 ? "+inf%" : "-inf%";
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", relative * 100);
  return text;
}

void PrintText(const verify::Judgement& j, const verify::MetricCriteria& criteria, bool counts) {
  std::printf("verdict: %s (score %.0f)\n%s\n", std::string(verify::OutcomeName(j.outcome)).c_str(),
              j.score, j.summary.c_str());
  for (const verify::MetricVerdict& m : j.metrics) {
    std::printf("\nmetric %s: %s (%s)\n", m.name.c_str(),
                std::string(verify::OutcomeName(m.outcome)).c_str(), m.test.c_str());
    const char* what = counts ? "rate" : "median";
    std::printf("  baseline  n %llu, %s %.6g\n", static_cast<unsigned long long>(m.baseline_n),
                what, m.baseline_center);
    std::printf("  canary    n %llu, %s %.6g\n", static_cast<unsigned long long>(m.canary_n), what,
                m.canary_center);
    std::printf("  effect    %s (%g%% interval %s to %s)\n", Percent(m.effect).c_str(),
                criteria.confidence * 100, Percent(m.effect_low).c_str(),
                Percent(m.effect_high).c_str());
    std::printf("  %s %.10g, p-value %.4g\n", counts ? "canary events" : "U", m.statistic,
                m.p_value);
    std::printf("  rule      %s\n", m.rule.c_str());
  }
}

int Judge(const std::vector<std::string>& args) {
  std::string baseline_path, canary_path, name, direction = "increase", allowed = "0.1",
                                                confidence = "0.95";
  int min_samples = 20;
  bool json = false, counts = false;
  FlagSet set("slipway analysis judge", "--baseline FILE --canary FILE [flags]",
              "Judge a canary's recorded samples against the baseline's with the canary judge\n"
              "(docs/analysis.md). Files hold one number per line (or with --counts, lines of\n"
              "'EVENTS TOTAL', summed); blank lines and # comments are skipped.");
  set.String("baseline", 0, &baseline_path, "FILE", "the baseline's samples (required)");
  set.String("canary", 0, &canary_path, "FILE", "the canary's samples (required)");
  set.Bool("counts", 0, &counts, "files hold 'EVENTS TOTAL' lines: judge rates (Fisher's test)");
  set.String("direction", 0, &direction, "DIR",
             "which change is bad: increase (default), decrease or either");
  set.String("allowed-change", 0, &allowed, "X",
             "relative change tolerated, 0.1 = 10% worse (default 0.1)");
  set.String("confidence", 0, &confidence, "C", "1 - alpha of the test (default 0.95)");
  set.Int(
      "min-samples", 0, &min_samples, "N",
      "fewer samples (or, with --counts, a smaller total) on a side: inconclusive (default 20)");
  set.String("name", 0, &name, "NAME", "the metric's name (default: samples, or counts)");
  set.Bool("json", 0, &json, "print the judgement as JSON");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  if (baseline_path.empty() || canary_path.empty()) {
    return UsageError(InvalidArgument("--baseline FILE and --canary FILE are both required"));
  }
  if (min_samples < 0) return UsageError(InvalidArgument("--min-samples must be >= 0"));

  verify::MetricCriteria criteria;
  criteria.name = name.empty() ? (counts ? "counts" : "samples") : name;
  criteria.min_samples = static_cast<uint64_t>(min_samples);
  auto bad = ParseDirection(direction);
  auto allowed_change = ParseNumber("allowed-change", allowed, 0, INFINITY, false);
  auto level = ParseNumber("confidence", confidence, 0, 1, true);
  for (const Status& s : {bad.status(), allowed_change.status(), level.status()}) {
    if (!s.ok()) return UsageError(s);
  }
  criteria.bad = *bad, criteria.allowed_change = *allowed_change, criteria.confidence = *level;

  verify::MetricData data;
  if (counts) {
    auto baseline = ReadCountsFile(baseline_path);
    if (!baseline.ok()) return InputError(baseline.status());
    auto canary = ReadCountsFile(canary_path);
    if (!canary.ok()) return InputError(canary.status());
    data.baseline_counts = *baseline, data.canary_counts = *canary;
  } else {
    auto baseline = ReadSamplesFile(baseline_path);
    if (!baseline.ok()) return InputError(baseline.status());
    auto canary = ReadSamplesFile(canary_path);
    if (!canary.ok()) return InputError(canary.status());
    data.baseline_samples = std::move(*baseline), data.canary_samples = std::move(*canary);
  }
  const verify::Judgement judgement = verify::Judge(std::span(&criteria, 1), std::span(&data, 1));
  if (json) {
    std::printf("%s\n", ToJson(judgement, counts).dump(2).c_str());
  } else {
    PrintText(judgement, criteria, counts);
  }
  return 0;
}

}  // namespace

int AnalysisJudgeCommand(const std::vector<std::string>& args) { return Judge(args); }

int AnalysisCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand(
      "analysis",
      {{"judge", "judge a canary's recorded samples against the baseline's", AnalysisJudgeCommand},
       {"list", "list an environment's analysis runs", AnalysisListCommand},
       {"show", "show one analysis run: its verdict and the numbers per metric",
        AnalysisShowCommand}},
      args);
}

}  // namespace slipway::cli
