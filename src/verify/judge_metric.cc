// One metric's fixed-sample verdict (docs/analysis.md, "How a metric is judged").
//
// Sample metrics: Mann–Whitney U of canary against baseline, one-sided in the bad direction
// (two-sided for kEither), and the Hodges–Lehmann shift relative to the baseline median.
// Count metrics: Fisher's exact test on [[canary events, canary non-events], [baseline events,
// baseline non-events]] and the rate ratio. Either way the metric fails only when the test is
// significant at `alpha` AND the estimated relative change is beyond `allowed_change` in the
// bad direction: a significant but tolerated change passes, and so does a large but noisy one.
#include <cmath>
#include <cstdio>

#include "verify/effect.h"
#include "verify/judge_internal.h"

namespace slipway::verify {
namespace {

Alternative BadAlternative(Direction bad) {
  switch (bad) {
    case Direction::kIncrease:
      return Alternative::kGreater;
    case Direction::kDecrease:
      return Alternative::kLess;
    case Direction::kEither:
      break;
  }
  return Alternative::kTwoSided;
}

std::string AllowedText(const MetricCriteria& criteria) {
  switch (criteria.bad) {
    case Direction::kIncrease:
      return FormatPercent(criteria.allowed_change);
    case Direction::kDecrease:
      return FormatPercent(-criteria.allowed_change);
    case Direction::kEither:
      break;
  }
  return "±" + FormatPercent(criteria.allowed_change).substr(1);
}

// Pass or fail from the test's p-value and the effect, with the rule in words.
void Decide(const MetricCriteria& criteria, double alpha, MetricVerdict& v) {
  const std::string p = "p " + FormatNumber(v.p_value);
  const std::string a = FormatNumber(alpha);
  const std::string effect = "effect " + FormatPercent(v.effect);
  if (v.p_value >= alpha) {
    v.outcome = Outcome::kPass;
    v.rule = p + " >= " + a + ": no significant change in the bad direction";
  } else if (!BeyondAllowed(criteria, v.effect)) {
    v.outcome = Outcome::kPass;
    v.rule = p + " < " + a + " but " + effect + " within " + AllowedText(criteria) + " allowed";
  } else {
    v.outcome = Outcome::kFail;
    v.rule = p + " < " + a + " and " + effect + " beyond " + AllowedText(criteria) + " allowed";
  }
}

bool TooFew(const MetricCriteria& criteria, MetricVerdict& v, const char* what) {
  if (v.baseline_n >= criteria.min_samples && v.canary_n >= criteria.min_samples) return false;
  v.outcome = Outcome::kInconclusive;
  v.rule = "too little data: " + std::to_string(v.baseline_n) + " baseline and " +
           std::to_string(v.canary_n) + " canary " + what + ", at least " +
           std::to_string(criteria.min_samples) + " needed on each side";
  return true;
}

void JudgeSamples(const MetricCriteria& criteria, const MetricData& data, double alpha,
                  MetricVerdict& v) {
  v.test = "mann-whitney";
  v.baseline_n = data.baseline_samples.size();
  v.canary_n = data.canary_samples.size();
  if (v.baseline_n > 0) v.baseline_center = Median(data.baseline_samples);
  if (v.canary_n > 0) v.canary_center = Median(data.canary_samples);
  if (TooFew(criteria, v, "samples")) return;
  auto test =
      MannWhitneyU(data.canary_samples, data.baseline_samples, BadAlternative(criteria.bad));
  if (!test.ok()) {
    v.outcome = Outcome::kInconclusive;
    v.rule = "bad data: " + test.status().message();
    return;
  }
  v.test = test->exact ? "mann-whitney exact" : "mann-whitney asymptotic";
  v.statistic = test->u;
  v.p_value = test->p_value;
  const Effect effect =
      HodgesLehmannEffect(data.baseline_samples, data.canary_samples, criteria.confidence);
  v.effect = effect.estimate, v.effect_low = effect.low, v.effect_high = effect.high;
  Decide(criteria, alpha, v);
}

void JudgeCounts(const MetricCriteria& criteria, const Counts& baseline, const Counts& canary,
                 double alpha, MetricVerdict& v) {
  v.test = "fisher exact";
  v.baseline_n = baseline.total;
  v.canary_n = canary.total;
  if (baseline.events > baseline.total || canary.events > canary.total) {
    v.outcome = Outcome::kInconclusive;
    v.rule = "bad data: more events than the total";
    return;
  }
  if (baseline.total > 0) v.baseline_center = double(baseline.events) / double(baseline.total);
  if (canary.total > 0) v.canary_center = double(canary.events) / double(canary.total);
  if (TooFew(criteria, v, "events in total")) return;
  auto test = FisherExact(canary.events, canary.total - canary.events, baseline.events,
                          baseline.total - baseline.events, BadAlternative(criteria.bad));
  if (!test.ok()) {
    v.outcome = Outcome::kInconclusive;
    v.rule = "bad data: " + test.status().message();
    return;
  }
  // Conditional on the margins, the canary's event count is Fisher's test statistic.
  v.statistic = static_cast<double>(canary.events);
  v.p_value = test->p_value;
  const Effect effect = RateRatioEffect(baseline, canary, criteria.confidence);
  v.effect = effect.estimate, v.effect_low = effect.low, v.effect_high = effect.high;
  Decide(criteria, alpha, v);
}

}  // namespace

bool BeyondAllowed(const MetricCriteria& criteria, double effect) {
  switch (criteria.bad) {
    case Direction::kIncrease:
      return effect > criteria.allowed_change;
    case Direction::kDecrease:
      return effect < -criteria.allowed_change;
    case Direction::kEither:
      break;
  }
  return std::abs(effect) > criteria.allowed_change;
}

MetricVerdict JudgeMetric(const MetricCriteria& criteria, const MetricData& data, double alpha) {
  MetricVerdict v;
  v.name = criteria.name;
  if (!(criteria.confidence > 0 && criteria.confidence < 1) || !(criteria.allowed_change >= 0) ||
      !(criteria.weight >= 0)) {
    v.rule = "bad criteria: confidence must be in (0, 1), allowed change and weight >= 0";
    return v;
  }
  const bool counts = data.baseline_counts.has_value() || data.canary_counts.has_value();
  const bool samples = !data.baseline_samples.empty() || !data.canary_samples.empty();
  if (counts && samples) {
    v.rule = "bad data: both samples and counts given";
  } else if (counts && !(data.baseline_counts && data.canary_counts)) {
    v.test = "fisher exact";
    v.rule = "bad data: counts for only one side";
  } else if (counts) {
    JudgeCounts(criteria, *data.baseline_counts, *data.canary_counts, alpha, v);
  } else {
    JudgeSamples(criteria, data, alpha, v);
  }
  return v;
}

std::string FormatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2g", value);
  if (std::abs(value) >= 1e-3 && std::abs(value) < 1e6) {
    std::snprintf(text, sizeof text, "%.4g", value);
  }
  return text;
}

std::string FormatPercent(double relative) {
  if (std::isinf(relative)) return relative > 0 ? "+inf%" : "-inf%";
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", relative * 100);
  return text;
}

}  // namespace slipway::verify
