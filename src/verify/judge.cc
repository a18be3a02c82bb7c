// The fixed-sample canary judge: every metric judged at 1 - its confidence, then scored
// (docs/analysis.md, "Scoring").
//
// Score = 100 * (weight of passing metrics) / (weight of conclusive metrics). The outcome, in
// order: a critical metric failing -> fail; score < marginal_score -> fail; no conclusive
// metric (or no weight among them) -> inconclusive, never a silent pass; a critical metric
// inconclusive -> inconclusive (a pass or marginal cannot rest on a critical metric nobody
// could judge); score >= pass_score -> pass; otherwise marginal.
#include "verify/judge_internal.h"

namespace slipway::verify {
namespace {

std::string Summarize(const Judgement& j, std::span<const MetricCriteria> criteria) {
  int passed = 0, failed = 0, inconclusive = 0;
  for (const MetricVerdict& m : j.metrics) {
    passed += m.outcome == Outcome::kPass;
    failed += m.outcome == Outcome::kFail;
    inconclusive += m.outcome == Outcome::kInconclusive;
  }
  // The metrics that decided: the failures; for an inconclusive outcome, the critical metrics
  // nobody could judge, or every metric when none could be judged.
  std::string deciding;
  for (size_t i = 0; i < j.metrics.size(); ++i) {
    const MetricVerdict& m = j.metrics[i];
    const bool unjudged = j.outcome == Outcome::kInconclusive &&
                          m.outcome == Outcome::kInconclusive &&
                          (criteria[i].critical || passed + failed == 0);
    if (m.outcome == Outcome::kFail || unjudged) {
      deciding += (deciding.empty() ? "" : "; ") + m.name + " " +
                  std::string(OutcomeName(m.outcome)) + " (" + m.rule + ")";
    }
  }
  std::string line = std::string(OutcomeName(j.outcome)) + ", score " + FormatNumber(j.score) +
                     ": " + std::to_string(passed) + " passed, " + std::to_string(failed) +
                     " failed, " + std::to_string(inconclusive) + " inconclusive";
  if (!deciding.empty()) line += " — " + deciding;
  return line;
}

}  // namespace

Judgement Aggregate(std::span<const MetricCriteria> criteria, std::vector<MetricVerdict> metrics,
                    const JudgeOptions& options) {
  Judgement j;
  j.metrics = std::move(metrics);
  double conclusive = 0, passing = 0;
  bool critical_failed = false, critical_unjudged = false;
  for (size_t i = 0; i < j.metrics.size(); ++i) {
    const Outcome o = j.metrics[i].outcome;
    if (o == Outcome::kPass || o == Outcome::kFail) conclusive += criteria[i].weight;
    if (o == Outcome::kPass) passing += criteria[i].weight;
    critical_failed |= criteria[i].critical && o == Outcome::kFail;
    critical_unjudged |= criteria[i].critical && o == Outcome::kInconclusive;
  }
  if (conclusive > 0) j.score = 100 * passing / conclusive;
  if (critical_failed || (conclusive > 0 && j.score < options.marginal_score)) {
    j.outcome = Outcome::kFail;  // a critical failure fails even with weight 0
  } else if (conclusive <= 0 || critical_unjudged) {
    j.outcome = Outcome::kInconclusive;
  } else {
    j.outcome = j.score >= options.pass_score ? Outcome::kPass : Outcome::kMarginal;
  }
  j.summary = Summarize(j, criteria);
  return j;
}

Judgement Judge(std::span<const MetricCriteria> criteria, std::span<const MetricData> data,
                const JudgeOptions& options) {
  std::vector<MetricVerdict> metrics;
  for (size_t i = 0; i < criteria.size(); ++i) {
    if (i < data.size()) {
      metrics.push_back(JudgeMetric(criteria[i], data[i], 1 - criteria[i].confidence));
    } else {
      MetricVerdict missing;
      missing.name = criteria[i].name;
      missing.rule = "no data for this metric";
      metrics.push_back(missing);
    }
  }
  return Aggregate(criteria, std::move(metrics), options);
}

}  // namespace slipway::verify
