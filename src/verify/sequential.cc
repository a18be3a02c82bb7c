// SequentialJudge: repeated looks at cumulative data that may stop early on a clear regression
// while each metric's false-fail probability over all looks stays <= its alpha
// (docs/analysis.md, "Sequential analysis").
//
// Each metric's alpha = 1 - confidence is split: the early looks together may spend at most
// early_alpha_share * alpha, the final look judges with Judge's fixed-sample test at whatever
// the early looks left. The union bound makes the total at most alpha:
// - count metrics: the always-valid mixture test of count_mixture.h, stopping when its
//   p-value (1 / max M) <= the early budget; Ville's inequality bounds that over any number of
//   looks. Having looked at all, the budget counts as spent.
// - sample metrics: Mann–Whitney at each early look k at level f(t_k) - f(t_{k-1}), with
//   t_k = k / planned_looks and f the O'Brien–Fleming-shaped spending function of Lan and
//   DeMets (1983) scaled to the early budget a': f(t) = 2 - 2 Phi(z_{1-a'/2} / sqrt(t)). The
//   looks are tested separately (Bonferroni), not with the joint distribution of the
//   statistics: simpler, and conservative. The first looks spend almost nothing, as they
//   should: little data, and a stop there must be beyond doubt.
// Early stops additionally need min_samples on both sides and an effect beyond the allowed
// change (extra conditions only make stops rarer). A metric that failed stays failed.
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "verify/count_mixture.h"
#include "verify/effect.h"
#include "verify/judge_internal.h"

namespace slipway::verify {
namespace {

// Lan–DeMets O'Brien–Fleming-type spending: alpha spent by information fraction t in [0, 1].
double ObrienFlemingSpent(double alpha, double t) {
  if (t <= 0) return 0;
  const boost::math::normal_distribution<double> normal;
  const double z = boost::math::quantile(normal, 1 - alpha / 2);
  return 2 * boost::math::cdf(boost::math::complement(normal, z / std::sqrt(std::min(t, 1.0))));
}

struct MetricState {
  std::unique_ptr<CountMixture> mixture;  // for count metrics, from their first look
  bool broken = false;                    // counts went down: no early stops
  double spent = 0;                       // alpha spent by early looks
  std::optional<MetricVerdict> failed;    // the early verdict that failed it
};

}  // namespace

struct SequentialJudge::State {
  std::vector<MetricCriteria> criteria;
  JudgeOptions options;
  std::vector<MetricState> metrics;
  int looks = 0;
};

SequentialJudge::SequentialJudge(std::vector<MetricCriteria> criteria, JudgeOptions options)
    : state_(std::make_unique<State>()) {
  state_->metrics.resize(criteria.size());
  state_->criteria = std::move(criteria);
  state_->options = options;
}

SequentialJudge::~SequentialJudge() = default;

namespace {

std::string LookPrefix(int look) { return "look " + std::to_string(look) + ": "; }

// An early look at a count metric: the mixture test against the whole early budget.
MetricVerdict LookAtCounts(const MetricCriteria& c, const MetricData& data, double budget, int look,
                           MetricState& s) {
  MetricVerdict v = JudgeMetric(c, data, budget);  // sizes, rates, effect; its test is replaced
  v.test = "msprt (fisher-noncentral mixture)";
  if (!s.mixture) s.mixture = std::make_unique<CountMixture>(c.bad, c.allowed_change);
  s.spent = budget;
  if (!s.mixture->Add(*data.baseline_counts, *data.canary_counts)) s.broken = true;
  v.statistic = s.mixture->value();
  v.p_value = s.mixture->p_value();
  const std::string prefix = LookPrefix(look);
  if (s.broken) {
    v.outcome = Outcome::kInconclusive;
    v.rule = prefix + "counts went down between looks: no early stop for this metric";
  } else if (v.rule.rfind("too little data", 0) == 0 || v.rule.rfind("bad ", 0) == 0) {
    v.outcome = Outcome::kInconclusive;  // JudgeMetric said why
    v.rule = prefix + v.rule;
  } else if (v.p_value <= budget && BeyondAllowed(c, v.effect)) {
    v.outcome = Outcome::kFail;
    v.rule = prefix + "always-valid p " + FormatNumber(v.p_value) + " <= early budget " +
             FormatNumber(budget) + " and effect " + FormatPercent(v.effect) +
             " beyond the allowed change";
  } else {
    v.outcome = Outcome::kInconclusive;
    v.rule = prefix + "always-valid p " + FormatNumber(v.p_value) + ", early budget " +
             FormatNumber(budget) + ", effect " + FormatPercent(v.effect) + ": keep looking";
  }
  return v;
}

// An early look at a sample metric: Mann–Whitney at this look's share of the early budget.
MetricVerdict LookAtSamples(const MetricCriteria& c, const MetricData& data, double budget,
                            int look, int planned, MetricState& s) {
  const double t = static_cast<double>(look) / planned;
  const double level = look < planned ? ObrienFlemingSpent(budget, t) - s.spent : 0.0;
  MetricVerdict v = JudgeMetric(c, data, level);
  s.spent += level;
  const std::string prefix = LookPrefix(look);
  if (v.outcome == Outcome::kFail) {
    v.rule = prefix + v.rule + " (this look's share of the early budget)";
  } else {
    if (v.outcome == Outcome::kPass) v.rule += ": keep looking";
    v.outcome = Outcome::kInconclusive;
    v.rule = prefix + v.rule;
  }
  return v;
}

bool IsCountMetric(const MetricData& data) {
  return data.baseline_counts.has_value() && data.canary_counts.has_value() &&
         data.baseline_samples.empty() && data.canary_samples.empty();
}

}  // namespace

Judgement SequentialJudge::Look(std::span<const MetricData> data, bool final) {
  State& st = *state_;
  ++st.looks;
  std::vector<MetricVerdict> verdicts;
  double total_weight = 0, failed_weight = 0;
  bool critical_failed = false;
  for (size_t i = 0; i < st.criteria.size(); ++i) {
    const MetricCriteria& c = st.criteria[i];
    MetricState& s = st.metrics[i];
    const MetricData empty;
    const MetricData& d = i < data.size() ? data[i] : empty;
    const double alpha = 1 - c.confidence;
    MetricVerdict v;
    if (s.failed) {
      v = *s.failed;
    } else if (final) {
      v = JudgeMetric(c, d, std::max(0.0, alpha - s.spent));
      v.rule = LookPrefix(st.looks) + "final, at the alpha left " +
               FormatNumber(std::max(0.0, alpha - s.spent)) + ": " + v.rule;
    } else {
      const double budget = alpha * std::clamp(st.options.early_alpha_share, 0.0, 1.0);
      v = IsCountMetric(d) ? LookAtCounts(c, d, budget, st.looks, s)
                           : LookAtSamples(c, d, budget, st.looks, st.options.planned_looks, s);
      if (v.outcome == Outcome::kFail) s.failed = v;
    }
    total_weight += c.weight;
    if (v.outcome == Outcome::kFail) failed_weight += c.weight;
    critical_failed |= c.critical && v.outcome == Outcome::kFail;
    verdicts.push_back(std::move(v));
  }
  if (final) return Aggregate(st.criteria, std::move(verdicts), st.options);

  // Early: fail when no later look can save the analysis; otherwise keep looking.
  Judgement j;
  j.metrics = std::move(verdicts);
  j.score = total_weight > 0 ? 100 * (total_weight - failed_weight) / total_weight : 0;
  const bool lost = critical_failed || (failed_weight > 0 && j.score < st.options.marginal_score);
  j.outcome = lost ? Outcome::kFail : Outcome::kInconclusive;
  std::string failed_names;
  for (const MetricVerdict& m : j.metrics) {
    if (m.outcome == Outcome::kFail)
      failed_names += (failed_names.empty() ? "" : "; ") + m.name + " (" + m.rule + ")";
  }
  j.summary = LookPrefix(st.looks) + (lost ? "fail early" : "keep looking") + ", best score " +
              FormatNumber(j.score) + (failed_names.empty() ? "" : " — failed: " + failed_names);
  return j;
}

}  // namespace slipway::verify
