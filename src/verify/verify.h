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

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "expr/expr.h"
#include "spec/spec.h"
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
  // When the measurement is taken: instant queries are evaluated and range queries end here.
  // Left at its default (the epoch) it means the system clock's now.
  std::chrono::system_clock::time_point now;
};

// One measurement (docs/analysis-providers.md gives each provider's shape). `value` is the
// one number that stands for it (charts plot it; absent when the source has no such number,
// e.g. an error rate over zero requests); `samples` the values a judge compares (a range
// query's points, latency samples); `counts` events/total for count metrics (cumulative: the
// caller takes deltas). Every number here is finite.
struct Measurement {
  std::chrono::system_clock::time_point at;  // the request's (resolved) `now`
  std::optional<double> value;
  std::vector<double> samples;
  std::optional<Counts> counts;
  // Set when `samples` are the newest of a stream (the proxy's latency ring): how many the
  // source has seen in all, so a caller looking again takes only the ones that are new.
  std::optional<uint64_t> samples_seen;
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

// Errors every provider's Measure shares (each message names the provider and its source:
// address and query, URL, command): kInvalidArgument for a template that does not render
// with the request's variables (or a query Prometheus rejects as malformed); kUnavailable for
// a source that is down, too slow (every call has a timeout), answers an HTTP error or
// garbage; kDeadlineExceeded when an exec command (or Prometheus's own evaluation) runs out
// of time; kResourceExhausted for an answer or output over its size limit; kNotFound for an
// answer without data; kFailedPrecondition for a NaN or infinite value. Factories return
// kInvalidArgument for bad options (naming the option).

// Prometheus: one PromQL query per measurement over its HTTP API.
struct PrometheusRange {
  std::chrono::milliseconds window{300000};  // the range ends at MeasureRequest::now; > 0
  std::chrono::milliseconds step{15000};     // resolution; > 0, at most 11,000 points
};
struct PrometheusProviderOptions {
  std::string address;  // "http://host:port[/prefix]"; required
  // PromQL; `${{ … }}` parts are filled from MeasureRequest::variables. Required.
  std::string query;
  // Set: a range query (/api/v1/query_range); none: an instant query (/api/v1/query).
  std::optional<PrometheusRange> range;
  // Limit for the whole HTTP exchange; also sent as the query's own `timeout`. > 0.
  std::chrono::milliseconds timeout{10000};
  std::string bearer_token;  // sent as `Authorization: Bearer …` when not empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
};
// Scalar: value = samples[0] = result = the number. Vector: value = the first element's
// number, samples = every element's, result = the list of them (Prometheus's order). Matrix
// (one series; more is kInvalidArgument: aggregate them in the query): samples = result = its
// points oldest first, value = the last point. Prometheus's `status: error` becomes the error
// (errorType bad_data → kInvalidArgument, timeout → kDeadlineExceeded, else kUnavailable);
// HTTP 401/403 without one is kPermissionDenied.
Result<std::unique_ptr<Provider>> MakePrometheusProvider(PrometheusProviderOptions options);

// HTTP synthetic check: one request per measurement, timed.
struct HttpCheckOptions {
  std::string url;  // "http://host:port/path?query" (`${{ … }}` templates allowed); required
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // values may hold templates
  std::string body;                                          // may hold templates
  std::vector<int> expect_status;                            // accepted statuses; empty: any 2xx
  std::string body_contains;  // the answer body must contain this text; empty: no check
  std::chrono::milliseconds timeout{10000};  // connect + request + answer; > 0
  size_t max_body_bytes = 1 << 20;           // a larger answer is kResourceExhausted
};
// Any answer is a measurement: value = latency in ms (from connecting to the whole answer),
// result = {"status": int, "latency_ms": double, "body": parsed JSON or the text,
// "status_ok", "body_ok", "ok": bool} (ok = status_ok && body_ok); the analysis's success
// condition decides (`result.ok`).
// No answer (refused, reset, timed out) is kUnavailable; one over max_body_bytes
// kResourceExhausted. Redirects are not followed.
Result<std::unique_ptr<Provider>> MakeHttpCheckProvider(HttpCheckOptions options);

// Exec: a shell command prints the measurement on stdout.
struct ExecProviderOptions {
  // Run by /bin/sh -c; `${{ … }}` parts are filled from the variables (prefer the environment
  // for values: "$SLIPWAY_REVISION" is quoted by the shell, a spliced value is not). Required.
  std::string command;
  std::chrono::milliseconds timeout{30000};  // then its process group is killed; > 0
  std::filesystem::path working_dir;         // empty: this process's
  // The child's environment is PATH and HOME (this process's), these, and every variable as
  // SLIPWAY_<NAME> (upper case, other characters '_'; maps also as SLIPWAY_<NAME>_<KEY>).
  std::map<std::string, std::string> env;
  size_t max_output_bytes = size_t{64} * 1024;  // more stdout is an error (kResourceExhausted)
};
// stdout (trimmed) must be JSON: a number (value = samples[0] = result), a list of numbers
// (samples = result, value = the first), or an object (result; its optional "value" number,
// "samples" list of numbers and "events"/"total" counts fill those fields). stderr is kept
// apart (its tail is in error messages). A non-zero exit, a signal, the timeout, empty or
// other output is an error.
Result<std::unique_ptr<Provider>> MakeExecProvider(ExecProviderOptions options);

// The built-in proxy's telemetry (docs/proxy.md), read from its admin API (GET /telemetry).
enum class ProxySignal {
  kErrorRate,  // counts = {5xx answers, requests} since the proxy started; value = their ratio
  kLatency,    // samples = the pool's recent latencies in ms, oldest first (samples_seen = its
               // requests); value = their median
};
struct ProxyTelemetryOptions {
  std::string admin_address;  // "host:port" (or "http://host:port"); required
  std::string token;          // the admin API's bearer token; empty: none
  ProxySignal signal = ProxySignal::kErrorRate;
  std::string pool = "${{ revision }}";     // the pool measured (a template)
  std::chrono::milliseconds timeout{5000};  // > 0
};
// result = {"pool", "requests", "errors", "upstream_failures", and "rate" (kErrorRate; null
// without requests) or "median_ms" (kLatency; null without samples)}. A pool the proxy does
// not list is kNotFound; a refused token kPermissionDenied.
Result<std::unique_ptr<Provider>> MakeProxyTelemetryProvider(ProxyTelemetryOptions options);

// =============================================================================================
// Analysis runs
// =============================================================================================

// One measurement as recorded, for charts (the API) and `slipway analysis show`.
struct MeasurementRecord {
  std::string metric;
  std::string revision;
  std::chrono::system_clock::time_point at;
  // Condition metrics: "successful", "failed", "inconclusive"; judge metrics: "measured";
  // both: "error" (the source failed or answered garbage; `message` says how).
  std::string phase;
  std::optional<double> value;
  std::optional<Counts> counts;  // since the analysis started
  uint64_t samples = 0;          // new samples this measurement brought
  std::string message;
};

// Per condition metric: its measurements' tally (Argo Rollouts' counters).
struct ConditionTally {
  std::string metric;
  int64_t successful = 0, failed = 0, inconclusive = 0, errors = 0, consecutive_errors = 0;
};

// One analysis run, as stored and shown.
struct AnalysisRecord {
  std::string id;  // "production.3.1": environment, deploy, analysis within the deploy
  // What the deploy ran it as: "step" (a canary step), "pre-promotion" (before a blue-green
  // switch) or "background" (beside a canary's steps, for the whole rollout).
  std::string kind = "step";
  std::string template_name;
  std::string canary_revision, baseline_revision;  // baseline "" when there is none
  std::chrono::system_clock::time_point started, finished;
  Outcome outcome = Outcome::kInconclusive;  // kPass, kFail or kInconclusive
  bool running = true;
  std::string summary;  // why, in one line with the numbers
  int looks = 0;        // looks taken so far
  Judgement judgement;  // the judged metrics' last look (empty when there are none)
  std::vector<ConditionTally> conditions;
  std::vector<MeasurementRecord> measurements;  // oldest first
};

// Where the environment's built-in proxy answers (for `proxy:` metrics); empty without one.
struct ProviderEnvironment {
  std::string proxy_admin;  // "HOST:PORT" of its admin API
  std::string proxy_token;
};

// The provider a template's metric declares. InvalidArgument for a `proxy:` metric where
// there is no built-in proxy, and for options the provider refuses.
Result<std::unique_ptr<Provider>> MakeProvider(const spec::MetricProviderSpec& spec,
                                               const ProviderEnvironment& environment);

// Makes the provider of one metric (the deploy module knows where its proxy listens).
using ProviderFactory =
    std::function<Result<std::unique_ptr<Provider>>(const spec::AnalysisMetric& metric)>;

struct AnalysisRunOptions {
  const spec::AnalysisTemplate* analysis = nullptr;  // required
  std::string id;
  // Variables of queries and commands: revision, baseline, environment, project, service and
  // args (a map). The baseline's are the same with revision = the baseline revision.
  std::string canary_revision, baseline_revision;
  expr::Value::Map variables;               // without `revision`/`baseline`: the run adds them
  ProviderFactory providers;                // required
  const std::atomic<bool>* stop = nullptr;  // set: the run ends at the next look (kFail)
  std::string kind = "step";                // AnalysisRecord::kind
  // Set (a background analysis): the looks go on past `count` (which then only shapes the
  // judge's alpha spending) until *conclude is true; then one last look is taken and judged
  // as the final one. `count`, `extend` and the early stops work as without it.
  const std::atomic<bool>* conclude = nullptr;
  // How the run waits between looks and what time it is (tests pass fakes).
  std::function<void(std::chrono::milliseconds)> sleep;        // unset = sleep_for
  std::function<std::chrono::system_clock::time_point()> now;  // unset = system_clock::now
  std::function<void(const AnalysisRecord&)> on_look;          // after every look (store it)
};

// Runs an analysis template to its end (docs/analysis.md, "How an analysis runs"): `count`
// looks `interval` apart (plus `extend` while the data is too thin), condition metrics tallied
// against their limits, judged metrics compared with the SequentialJudge (which may fail the
// run early). A run whose measurements keep failing fails; too little data ends inconclusive.
AnalysisRecord RunAnalysis(const AnalysisRunOptions& options);

// JSON of a record (the API's and `slipway analysis show --json`'s form; docs/api.md) and back.
std::string AnalysisRecordJson(const AnalysisRecord& record);
// The list's form: an array of records without their measurements.
std::string AnalysisSummariesJson(const std::vector<AnalysisRecord>& records);
Result<AnalysisRecord> ParseAnalysisRecordJson(std::string_view json);
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

// Prometheus rules (a rules file for `rule_files:`, docs/slo.md "Alerting rules") that raise
// the workbook's burn-rate alerts in Prometheus itself, for every SLO with `alerting: true`:
// per SLO one group `slipway-slo-NAME` with a recording rule
// `slipway:slo_errors:ratio_rateWINDOW` per burn window (the SLI's error ratio there, labelled
// slo and service) and three alerts `SloErrorBudgetBurn` (page: 1h&5m >= 14.4, 6h&30m >= 6;
// ticket: 3d&6h >= 1 times the error budget), labelled severity, slo, service and their windows.
// `service` names the service in labels (the pipeline's name). InvalidArgument when an SLI
// template does not render.
Result<std::string> PrometheusRulesYaml(std::span<const spec::Slo> slos,
                                        const std::string& service);

}  // namespace slipway::verify
