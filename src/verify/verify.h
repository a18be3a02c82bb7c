// Continuous verification: metric providers, the statistical canary judge, SLOs and burn
// rates, and alert intake (docs/analysis.md).
//
// The deploy module asks this one whether a canary (or a green revision before its switch) is
// good: it measures both revisions through Providers, judges canary against baseline with
// the statistics below, and gets back a verdict that explains itself with numbers.
//
// Thread-safety: free functions are reentrant; Provider implementations are thread-safe
// (each Measure call is independent); SequentialJudge is not (one per analysis run).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "expr/expr.h"
#include "util/status.h"

namespace slipway::verify {

// =============================================================================================
// Statistics
// =============================================================================================

// Which difference a one-sided test looks for, as scipy's `alternative` (x against y).
enum class Alternative { kTwoSided, kLess, kGreater };

// How the Mann–Whitney p-value is computed: kAuto = exact for small samples without ties,
// the normal approximation (tie and continuity corrected) otherwise — scipy's rule.
enum class RankMethod { kAuto, kExact, kAsymptotic };

struct RankTestResult {
  double u = 0;        // U statistic of the first sample (scipy's U1 = R1 - n1(n1+1)/2)
  double p_value = 1;  // for the alternative asked
  bool exact = false;  // the exact distribution was used
};

// Mann–Whitney U test of x against y. Agrees with scipy.stats.mannwhitneyu(x, y,
// use_continuity=continuity, alternative=…, method=…) to 1e-9. kAuto is scipy 1.10's code
// (not its docstring): exact unless both samples have more than 8 values or there is a tie.
// InvalidArgument when either sample is empty or holds a NaN/infinity, or kExact is asked with
// ties or for more than 10^7 pairs (kAuto then uses the approximation).
Result<RankTestResult> MannWhitneyU(std::span<const double> x, std::span<const double> y,
                                    Alternative alternative = Alternative::kTwoSided,
                                    RankMethod method = RankMethod::kAuto, bool continuity = true);

struct CountTestResult {
  double odds_ratio = 0;  // a*d / (b*c); infinity when b*c = 0; NaN when a margin is 0
  double p_value = 1;     // for the alternative asked
};

// Fisher's exact test on the 2x2 table [[a, b], [c, d]]; `alternative` is about the odds ratio
// (kGreater: the first row's odds a/b exceed the second's c/d). Agrees with
// scipy.stats.fisher_exact([[a, b], [c, d]], alternative=…) to 1e-9. A row or column summing
// to 0 gives p = 1. InvalidArgument when the total exceeds 2^31.
Result<CountTestResult> FisherExact(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                                    Alternative alternative = Alternative::kTwoSided);

// =============================================================================================
// The canary judge
// =============================================================================================

// Which change of a metric is bad.
enum class Direction { kIncrease, kDecrease, kEither };

// How one metric is judged (an analysis template's metric; docs/analysis.md).
struct MetricCriteria {
  std::string name;
  Direction bad = Direction::kIncrease;
  // Relative change tolerated before the metric fails: 0.1 = the canary may be 10% worse.
  double allowed_change = 0.1;
  double confidence = 0.95;  // 1 - alpha of the test that decides
  bool critical = false;     // failing fails the whole analysis whatever the score
  double weight = 1;         // share of the score
  // Fewer samples (or, for counts, a smaller `total`, e.g. requests) on either side:
  // inconclusive.
  uint64_t min_samples = 20;
};

// Errors out of requests (or any events out of a total) for count metrics.
struct Counts {
  uint64_t events = 0;
  uint64_t total = 0;
};

// One metric's data for one look: either samples (latencies, …) or counts, for both sides.
struct MetricData {
  std::vector<double> baseline_samples, canary_samples;  // sample metrics
  std::optional<Counts> baseline_counts, canary_counts;  // count metrics (both set)
};

enum class Outcome { kPass, kMarginal, kFail, kInconclusive };
std::string_view OutcomeName(Outcome outcome);  // "pass", "marginal", "fail", "inconclusive"

// Why one metric got its outcome, in numbers.
struct MetricVerdict {
  std::string name;
  Outcome outcome = Outcome::kInconclusive;  // kPass, kFail or kInconclusive per metric
  std::string test;                          // "mann-whitney exact", "fisher exact", "msprt", …
  uint64_t baseline_n = 0, canary_n = 0;     // samples, or totals for counts
  double baseline_center = 0, canary_center = 0;  // medians, or rates for counts
  // Relative change canary vs baseline (0.3 = +30%): for samples the Hodges–Lehmann shift over
  // |baseline median| (±infinity when that median is 0), for counts the rate ratio minus 1.
  double effect = 0;
  double effect_low = 0, effect_high = 0;  // its two-sided interval at the metric's confidence
  // U (scipy's U1, canary as the first sample) for ranks; the canary's event count for Fisher;
  // the mixture likelihood ratio for the sequential count test.
  double statistic = 0;
  double p_value = 1;  // for the sequential count test: the always-valid p-value
  std::string rule;    // the rule that decided, in words ("p 0.0012 < 0.05 and +31% > +10%")
};

struct JudgeOptions {
  double pass_score = 95;      // score ≥ this: pass
  double marginal_score = 75;  // score ≥ this (and < pass): marginal; below: fail
  // SequentialJudge only: the looks the analysis plans, the final one included. It shapes
  // how sample metrics spend their alpha over the early looks (more looks than planned are
  // allowed; past the plan the early looks spend nothing more).
  int planned_looks = 10;
  // SequentialJudge only: the share of each metric's alpha that all early looks together may
  // spend; the final look judges at the alpha left (at least 1 - this share of it).
  double early_alpha_share = 0.5;
};

// The judgement of one look at all metrics.
// Outcome rules, in order: a critical metric failing, or score < marginal_score -> kFail; no
// conclusive metric, or a critical metric inconclusive -> kInconclusive (never a silent
// pass); score >= pass_score -> kPass; else kMarginal.
struct Judgement {
  Outcome outcome = Outcome::kInconclusive;
  // 0–100: weighted share of metrics that passed (inconclusive excluded). At a sequential
  // analysis' early looks: the best score still reachable (every undecided metric passing).
  double score = 0;
  std::vector<MetricVerdict> metrics;
  std::string summary;  // one line: outcome, score, the deciding metrics
};

// Judges canary against baseline for every metric at once (a fixed-sample test: one look).
// `data` is parallel to `criteria`.
Judgement Judge(std::span<const MetricCriteria> criteria, std::span<const MetricData> data,
                const JudgeOptions& options = {});

// Judges an analysis that looks at growing (cumulative) data again and again, and may stop
// early on a clear regression without inflating the false-alarm rate over all its looks
// (docs/analysis.md states the method and its error guarantees). Not thread-safe.
//
// Guarantee, per metric: when canary and baseline are the same, P(the metric fails at any
// look, the final one included) <= 1 - confidence. The early looks together spend at most
// early_alpha_share of it — count metrics with an always-valid mixture likelihood-ratio test
// (mSPRT over Fisher's noncentral hypergeometric, exact), sample metrics with Mann–Whitney at
// O'Brien–Fleming-shaped (Lan–DeMets) levels over planned_looks, combined by the union bound —
// and the final look is Judge at the alpha left. A metric that failed early stays failed.
// `data` at each look is cumulative (counts never go down; a count metric whose counts do
// gets no early stop).
class SequentialJudge {
 public:
  SequentialJudge(std::vector<MetricCriteria> criteria, JudgeOptions options = {});
  ~SequentialJudge();
  SequentialJudge(const SequentialJudge&) = delete;
  SequentialJudge& operator=(const SequentialJudge&) = delete;

  // One look at the data so far. Before the final look the outcome is kFail (stop now: a
  // clear regression) or kInconclusive (keep looking); the final look gives the full verdict.
  Judgement Look(std::span<const MetricData> data, bool final);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// =============================================================================================
// Metric providers
// =============================================================================================

// What a measurement is taken for: the revision measured and the variables its query,
// URL or command may use as `${{ name }}` (revision, environment, service, args.*).
struct MeasureRequest {
  expr::Value::Map variables;
  std::chrono::system_clock::time_point now;  // range queries end here
};

// One measurement. `value` is the number conditions see as `result`; `samples` the values a
// judge compares (a range query's points, latency samples); `counts` events/total.
struct Measurement {
  std::chrono::system_clock::time_point at;
  std::optional<double> value;
  std::vector<double> samples;
  std::optional<Counts> counts;
  expr::Value result;  // the whole answer for conditions: a number, a list, or a map
};

// A source of measurements (docs/analysis.md, "Providers"). A source that is down, slow or
// answers garbage is an error Status naming the source — never a value.
// Lifecycle: created per analysis from its template; holds no connection between calls.
// Thread-safety: Measure may be called from several threads at once.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual Result<Measurement> Measure(const MeasureRequest& request) = 0;
};

}  // namespace slipway::verify
