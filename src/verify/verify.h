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
// use_continuity=continuity, alternative=…, method=…) to 1e-9. InvalidArgument when either
// sample is empty or holds a NaN/infinity, or kExact is asked with ties.
Result<RankTestResult> MannWhitneyU(std::span<const double> x, std::span<const double> y,
                                    Alternative alternative = Alternative::kTwoSided,
                                    RankMethod method = RankMethod::kAuto, bool continuity = true);

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
  // Fewer samples (or, for counts, fewer total events) on either side: inconclusive.
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
  double effect = 0;                        // relative change canary vs baseline (0.3 = +30%)
  double effect_low = 0, effect_high = 0;   // its confidence interval
  double statistic = 0;                     // U for ranks; the test's statistic otherwise
  double p_value = 1;
  std::string rule;  // the rule that decided, in words ("p 0.0012 < 0.05 and +31% > +10%")
};

struct JudgeOptions {
  double pass_score = 95;      // score ≥ this: pass
  double marginal_score = 75;  // score ≥ this (and < pass): marginal; below: fail
};

// The judgement of one look at all metrics.
struct Judgement {
  Outcome outcome = Outcome::kInconclusive;
  double score = 0;  // 0–100: weighted share of metrics that passed (inconclusive excluded)
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

// =============================================================================================
// SLOs and error budgets
// =============================================================================================
// docs/slo.md. The error budget is the share of events allowed to be bad (1 - objective); the
// burn rate over a window is how fast it is being spent there: the error ratio over the window
// divided by the budget (1 = the budget lasts exactly the SLO window). Alerts follow the Google
// SRE workbook's multi-window, multi-burn-rate rules ("Alerting on SLOs", table 5-8).

// Where an SLI's events come from. ErrorRatio answers bad/total events over the `window`
// ending now: 0 = all good, 1 = all bad; no events at all is 0 (nothing was spent). A source
// that is down, slow or answers garbage returns an error Status naming the source — never a
// ratio. Lifecycle: one per SLO, kept as long as the caller likes; holds no connection between
// calls. Thread-safety: ErrorRatio may be called from several threads at once.
class SliSource {
 public:
  virtual ~SliSource() = default;
  virtual Result<double> ErrorRatio(std::chrono::milliseconds window) = 0;
};

// What an SLO promises (the numbers of spec::Slo, without the SLI).
struct SloObjective {
  std::string name;
  double objective = 99.9;  // percent of good events, in (0, 100)
  std::chrono::milliseconds window = std::chrono::hours(24 * 30);
};

// The burn rate over one window.
struct WindowBurn {
  std::chrono::milliseconds window{0};
  bool known = false;  // false: the source failed for this window (the numbers are 0)
  double error_ratio = 0;
  double burn_rate = 0;  // error_ratio / error budget
};

// One multi-window alert: fires when the burn rate reaches `threshold` over both windows.
struct BurnAlert {
  std::string severity;  // "page" or "ticket"
  std::chrono::milliseconds long_window{0}, short_window{0};
  double threshold = 0;
  bool firing = false;
};

enum class SloState { kHealthy, kTicket, kPage, kUnknown };
std::string_view SloStateName(SloState state);  // "healthy", "ticket", "page", "unknown"

struct SloStatus {
  std::string name;
  // kUnknown when any window's error ratio could not be read (`error` says which and why); a
  // status is never healthy on missing data. Otherwise the most severe firing alert's.
  SloState state = SloState::kUnknown;
  std::string error;
  double error_budget = 0;        // 1 - objective/100, as a fraction of events
  WindowBurn slo_window;          // over the whole SLO window
  double budget_remaining = 0;    // 1 - error ratio over the SLO window / budget; may be < 0
  std::vector<WindowBurn> burns;  // 5m, 30m, 1h, 6h, 3d
  std::vector<BurnAlert> alerts;  // page 1h&5m ≥14.4, page 6h&30m ≥6, ticket 3d&6h ≥1
  std::string summary;            // one line: state, the deciding burn rates, budget remaining

  // The burn over `window` when it is one of `burns` and known.
  std::optional<double> BurnRateOver(std::chrono::milliseconds window) const;
};

// The burn-rate windows and alerts evaluated, in the order of SloStatus::burns and ::alerts.
std::span<const std::chrono::milliseconds> BurnWindows();
std::vector<BurnAlert> WorkbookAlerts();  // thresholds and windows, none firing

// Reads the source over every window and computes budget, burn rates and alerts. An alert
// fires when both of its burn rates reach the threshold (≥, within a relative 1e-9, so 1.44%
// errors against 99.9% is a burn rate of exactly 14.4 and pages).
SloStatus EvaluateSlo(const SloObjective& objective, SliSource& source);

// The burn rate over one window: the source's error ratio there / (1 - objective/100).
Result<double> BurnRate(const SloObjective& objective, SliSource& source,
                        std::chrono::milliseconds window);

// `window` as a PromQL range: 30d → "30d", 90m → "90m", 1500ms → "1500ms".
std::string PromQlRange(std::chrono::milliseconds window);

// Runs one instant PromQL query and answers its single number. An empty answer (no series)
// must be an error: a misspelt metric must not read as "no errors".
using PromQlQuery = std::function<Result<double>(const std::string& promql)>;

// An SliSource over two PromQL templates (spec::PrometheusSliSpec's good and total) whose only
// variable is `${{ window }}`, filled with PromQlRange(window). Error ratio = 1 - good/total,
// clamped to [0, 1] (counters scraped at slightly different times can give good > total);
// total 0 = ratio 0. InvalidArgument when a template does not parse. The source is as
// thread-safe as `query`.
Result<std::unique_ptr<SliSource>> MakePromQlSliSource(const std::string& good_template,
                                                       const std::string& total_template,
                                                       PromQlQuery query);

// An SliSource over one PromQL template (spec::PrometheusSliSpec's latency query) answering the
// fraction of events that were good, 0–1, e.g. `sum(rate(h_bucket{le="0.3"}[${{ window }}])) /
// sum(rate(h_count[${{ window }}]))`. Error ratio = 1 - fraction; NaN (PromQL's 0/0: no events
// in the window) = ratio 0; any other answer outside [0, 1] is an error.
Result<std::unique_ptr<SliSource>> MakePromQlFractionSliSource(const std::string& fraction_template,
                                                               PromQlQuery query);

}  // namespace slipway::verify
