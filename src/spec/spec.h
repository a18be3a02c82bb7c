// The pipeline file (`.slipway.yml`): a typed model, and the loader that builds it.
//
// Contract: LoadPipeline either returns a Pipeline that is fully valid (every `needs` target
// exists, the DAG has no cycle, every expression parses and only references defined contexts,
// every duration and cron expression is well-formed, matrices expand within the limit, every
// deploy job deploys to a defined environment that can run its strategy, `promote-from` has no
// cycle) or it returns every problem it found, each with file:line:col. Callers never
// re-validate.
// docs/pipeline.md is the user-facing reference for this model.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "expr/expr.h"

namespace slipway::spec {

// 1-based line and column in the pipeline file; 0 means unknown.
struct SourcePos {
  int line = 0;
  int column = 0;
};

// One problem found while loading. ToString(): "file:line:col: message" plus
// " (hint)" when there is one, e.g. "did you mean 'needs'?".
struct Diagnostic {
  std::string file;
  SourcePos pos;
  std::string message;
  std::string hint;
  std::string ToString() const;
};

// Ordered name → value pairs (env blocks, outputs). Values may hold `${{ }}` templates.
using NamedValues = std::vector<std::pair<std::string, std::string>>;

using Duration = std::chrono::milliseconds;

struct Step {
  std::string name;               // display name; defaults to the first line of `run`
  std::string if_condition;       // empty means success()
  std::string run;                // the script (template)
  std::string shell;              // empty = default shell: bash -eo pipefail (sh -e without bash)
  std::string working_directory;  // relative to the workspace; empty = workspace root
  NamedValues env;
  std::optional<Duration> timeout;  // unset = bounded only by the job's timeout
  bool continue_on_error = false;
  SourcePos pos;
};

enum class RetryReason { kFailure, kTimeout, kInfra };

struct RetryPolicy {
  int max = 0;  // extra attempts after the first; 0 = no retry
  // Which outcomes are retried. Default (when `on` is omitted): all three.
  std::vector<RetryReason> on = {RetryReason::kFailure, RetryReason::kTimeout, RetryReason::kInfra};
  // When non-empty, a failure is retried only if its exit code is listed.
  std::vector<int> exit_codes;
};

struct CacheSpec {
  std::string key;                        // template; may call hashFiles('glob', …)
  std::vector<std::string> restore_keys;  // prefix fallbacks, tried in order
  std::vector<std::string> paths;         // relative to the workspace
  SourcePos pos;
};

// One `artifacts.publish` entry: files the job made, pushed to the server's registry as an OCI
// artifact (or an OCI image layout pushed as the image it holds) with signed provenance.
struct PublishSpec {
  std::string path;         // file or directory, relative to the workspace
  bool oci_layout = false;  // `path` is an OCI image layout (written as `oci-layout: PATH`)
  std::string repository;   // "" = "<project>/<job>"
  std::string artifact_type = "application/vnd.slipway.artifact.v1";
  std::vector<std::string> sbom;  // SPDX or CycloneDX JSON files, relative to the workspace
  SourcePos pos;
};

struct MatrixSpec {
  // Axis name → values, in declaration order. Scalars only; stored in their YAML text form.
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  std::vector<std::map<std::string, std::string>> include;
  std::vector<std::map<std::string, std::string>> exclude;
  bool fail_fast = true;  // a failed instance cancels its siblings
  int max_parallel = 0;   // 0 = no limit beyond the runner's
  SourcePos pos;
};

struct Concurrency {
  std::string group;  // template
  bool cancel_in_progress = false;
  SourcePos pos;
};

// ---- Environments and deploys (docs/pipeline.md, "Environments and deploys") ----
// Environment settings are literal (no `${{ }}`): they are applied outside any run. Of each
// "exactly one of" group below, the loader guarantees exactly one is set.

// A readiness or liveness check of one instance. Exactly one of http_path, tcp, exec is set.
struct HealthCheckSpec {
  std::string http_path;  // GET http://instance{http_path} answers 2xx/3xx
  bool tcp = false;       // the instance's port accepts a connection
  std::string exec;       // a command (run in the instance's directory) exits 0; {port} expands
  Duration interval = std::chrono::milliseconds(500);
  Duration timeout = std::chrono::seconds(2);
  int failure_threshold = 3;  // liveness: consecutive failures before the instance is restarted
  SourcePos pos;
};

// `target: {process: …}`: instances of the artifact as processes on the server's host.
struct ProcessTargetSpec {
  std::string command;            // template: {port} is the instance's port, {revision} its id
  std::string working_directory;  // relative to the unpacked artifact; "" = its root
  NamedValues env;
  int instances = 1;
  std::optional<HealthCheckSpec> readiness;                   // unset = TCP on {port}
  std::optional<HealthCheckSpec> liveness;                    // unset = none
  Duration restart_backoff = std::chrono::milliseconds(500);  // doubles per crash, up to 30s
  int max_restarts = 5;  // crashes within 5 minutes before the revision counts as failed
  SourcePos pos;
};

// `target: {exec: …}`: user commands (kubectl, helm, ssh …); contract in docs/deploy.md.
struct ExecTargetSpec {
  std::string apply, status, remove;  // shell commands; `remove` may be empty
  Duration timeout = std::chrono::minutes(5);
  SourcePos pos;
};

struct TargetSpec {
  std::optional<ProcessTargetSpec> process;
  std::optional<ExecTargetSpec> exec;
  SourcePos pos;
};

// `router: {proxy: …}`: the built-in proxy, run by slipway on `listen`.
struct ProxyRouterSpec {
  std::string listen;         // "HOST:PORT"
  std::string sticky_cookie;  // "" = no sticky sessions
  SourcePos pos;
};

// `router: {haproxy: …}`: a running haproxy, driven through its Runtime API.
struct HaproxyRouterSpec {
  std::string socket;                 // stats socket: a unix socket path or "HOST:PORT"
  std::string backend;                // backend name in haproxy.cfg
  std::string server_prefix = "srv";  // slots from `server-template <prefix> <N> …`
  int servers = 0;  // N, 1–1000; ≥ 2 × instances of a process target (two revisions at once)
  SourcePos pos;
};

struct RouterSpec {
  std::optional<ProxyRouterSpec> proxy;
  std::optional<HaproxyRouterSpec> haproxy;
  SourcePos pos;
};

// A deploy window: deploys may start when `cron` matches the current minute in `time_zone`.
struct DeployWindow {
  std::string cron;
  // An IANA name. The loader checks its form only (spec cannot read the tz database, see
  // triggers::TimeZone): an unknown zone must be reported where the window is evaluated.
  std::string time_zone = "UTC";
  SourcePos pos;
};

// `protection.approvals`: `N` or `{count, role, not-author, expire-after}`. A deploy waits until
// `count` distinct people with at least `role` approved it (docs/policy.md); the policy module
// counts them.
struct ApprovalsSpec {
  int count = 0;            // 0 = no approval needed
  std::string role;         // "" = any user token; else viewer|developer|releaser|admin (or higher)
  bool not_author = false;  // the change's author cannot approve it
  std::optional<Duration> expire_after;  // unset = approvals do not expire
  SourcePos pos;
};

// `protection.exemptions`: emergency exemptions (break-glass) that override failing gates and
// the SLO release freeze of this environment for a while (docs/policy.md).
struct ExemptionsSpec {
  bool second_approval = false;                    // another person must approve it first
  Duration max_duration = std::chrono::hours(24);  // the longest one may be granted for
  SourcePos pos;
};

struct ProtectionSpec {
  std::vector<std::string> branches;  // globs; empty = any branch
  std::vector<DeployWindow> windows;  // empty = any time
  ApprovalsSpec approvals;            // required approvals (the policy module counts them)
  ExemptionsSpec exemptions;
  SourcePos pos;
};

struct Environment {
  std::string name;  // the key under `environments:`
  TargetSpec target;
  std::optional<RouterSpec> router;       // unset = no traffic shifting: only `rolling` deploys
  std::vector<std::string> promote_from;  // environments a release must have passed first
  ProtectionSpec protection;
  NamedValues variables;   // exported to instances and hooks
  bool self_heal = false;  // the reconciler repairs drift (else it only reports it)
  SourcePos pos;
};

// One canary step. Exactly one field is meaningful, named by `kind`.
struct CanaryStep {
  enum class Kind { kSetWeight, kPause, kAnalysis };
  Kind kind = Kind::kSetWeight;
  int weight = 0;                 // kSetWeight: percent 0–100
  std::optional<Duration> pause;  // kPause: unset = until approved (`pause: {}`)
  // kAnalysis: a key of `analysis-templates:` (checked), "" = the health checks; `args`
  // override the template's argument defaults.
  std::string analysis;
  NamedValues analysis_args;
  SourcePos analysis_pos;  // the template name's
  SourcePos pos;
};

struct RollingStrategy {
  int batch_size = 1;       // instances replaced at a time
  int max_unavailable = 0;  // instances that may be not ready during the update
  SourcePos pos;
};

struct BlueGreenStrategy {
  std::string pre_promotion_analysis;  // template name; "" = health only
  NamedValues pre_promotion_args;
  SourcePos pre_promotion_pos;                           // the template name's
  Duration scale_down_delay = std::chrono::seconds(30);  // blue kept warm for instant rollback
  bool auto_promote = true;  // false: wait for an approval before the switch
  SourcePos pos;
};

// `analysis:` beside a canary's `steps:`: a template that runs in the background for the whole
// rollout (docs/analysis-templates.md, "Background analysis"). Its failure rolls the rollout
// back at once, whatever step it is in.
struct BackgroundAnalysisSpec {
  std::string template_name;  // a key of `analysis-templates:` (checked)
  NamedValues args;           // override the template's argument defaults
  // It starts once this many steps have finished (0: as soon as the canary is started);
  // less than the number of steps (checked).
  int start_after_step = 0;
  SourcePos pos;        // the template name's
  SourcePos start_pos;  // start-after-step's
};

// Steps run in order (at least one). Weights need not grow; when the steps end below 100%, the
// rollout still promotes the new revision fully after the last step (docs/pipeline.md says so).
struct CanaryStrategy {
  std::vector<CanaryStep> steps;
  std::optional<BackgroundAnalysisSpec> analysis;  // the background analysis, when declared
  SourcePos pos;
};

struct StrategySpec {
  std::optional<RollingStrategy> rolling;
  std::optional<BlueGreenStrategy> blue_green;
  std::optional<CanaryStrategy> canary;
  SourcePos pos;
};

// ---- Analysis templates (docs/analysis.md) ----
// What an analysis measures and how it decides. Queries, URLs and commands are templates over
// the analysis variables (`${{ revision }}`, `${{ args.NAME }}`, …), filled when it runs.

struct PrometheusMetricSpec {
  std::string address;            // "http://HOST:PORT"
  std::string query;              // PromQL (template)
  std::optional<Duration> range;  // set: a range query over the last `range`, every `step`
  Duration step = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(5);
  SourcePos pos;
};

struct HttpMetricSpec {
  std::string url;  // template
  std::string method = "GET";
  std::string body;
  NamedValues headers;
  Duration timeout = std::chrono::seconds(5);
  SourcePos pos;
};

struct ExecMetricSpec {
  std::string command;  // template, run by /bin/sh -c
  Duration timeout = std::chrono::seconds(30);
  SourcePos pos;
};

// The built-in proxy's telemetry of the revision: its 5xx out of its requests, or its latencies.
struct ProxyMetricSpec {
  enum class Signal { kErrorRate, kLatency };
  Signal signal = Signal::kErrorRate;
  SourcePos pos;
};

// Exactly one is set.
struct MetricProviderSpec {
  std::optional<PrometheusMetricSpec> prometheus;
  std::optional<HttpMetricSpec> http;
  std::optional<ExecMetricSpec> exec;
  std::optional<ProxyMetricSpec> proxy;
  SourcePos pos;
};

// `judge:` — the metric is measured on the canary and on the baseline (the stable revision)
// and compared statistically (verify::MetricCriteria).
struct JudgeSpec {
  enum class Direction { kIncrease, kDecrease, kEither };  // which change is bad
  Direction bad = Direction::kIncrease;
  double allowed_change = 0.1;  // relative change tolerated
  double confidence = 0.95;
  bool critical = false;
  double weight = 1;
  int64_t min_samples = 20;
  SourcePos pos;
};

// One metric: either `judge:` (canary against baseline) or conditions on each measurement of
// the canary (`result` is the measurement), with Argo Rollouts' limits.
struct AnalysisMetric {
  std::string name;
  MetricProviderSpec provider;
  std::optional<JudgeSpec> judge;
  std::string success_condition;        // expression over `result`; "" = none
  std::string failure_condition;        // expression over `result`; "" = none
  int64_t failure_limit = 0;            // failed measurements tolerated
  int64_t inconclusive_limit = 0;       // inconclusive measurements tolerated
  int64_t consecutive_error_limit = 4;  // measurement errors in a row tolerated
  SourcePos pos;
};

struct AnalysisTemplate {
  std::string name;  // the key under `analysis-templates:`
  NamedValues args;  // argument → default ("" = required: the step must give it)
  std::vector<AnalysisMetric> metrics;
  Duration interval = std::chrono::seconds(10);  // between measurements
  int64_t count = 6;                             // measurements (looks) per analysis
  // When the analysis ends without enough data: `pause` for a human (the default: approve
  // continues, rollback aborts) or `fail`; before either, up to `extend` more looks
  // (unset = `count` more: a quiet service gets twice the time before a human is asked).
  enum class OnInconclusive { kPause, kFail };
  OnInconclusive on_inconclusive = OnInconclusive::kPause;
  std::optional<int64_t> extend;
  SourcePos pos;
};

// ---- SLOs and error budgets (docs/slo.md) ----
// A service level objective: the share of good events the service promises over a rolling
// window, measured by an SLI. verify::EvaluateSlo turns it into an error budget, burn rates and
// alerts; deploys to the environments in `freeze` wait while the budget burns too fast.

// The SLI from PromQL instant queries over a range: either good events and all events (two
// queries), or — for a latency SLI — one query answering the fraction of events that were good
// (fast enough), e.g. a histogram's bucket at the threshold over its count. Each query is a
// template whose only variable is `${{ window }}`, the PromQL range ("30d", "1h", "5m") each
// evaluation fills in; each must use it (the loader checks), e.g.
// `sum(increase(http_requests_total{code!~"5.."}[${{ window }}]))`.
struct PrometheusSliSpec {
  std::string address;  // "http://HOST:PORT"
  std::string good;     // template over `window`; "" for a latency SLI
  std::string total;    // template over `window`; "" for a latency SLI
  std::string latency;  // `latency.query`: template over `window`; "" for good/total
  Duration timeout = std::chrono::seconds(5);
  SourcePos pos;
};

// Where the SLI comes from. Exactly one is set (Prometheus is the only source so far).
struct SliSpec {
  std::optional<PrometheusSliSpec> prometheus;
  SourcePos pos;
};

// Release freeze: deploys to `environments` wait while the SLO's 1h burn rate is above
// `burn_rate`.
struct SloFreezeSpec {
  std::vector<std::string> environments;  // keys of `environments:` (checked); empty = none
  double burn_rate = 2;
  SourcePos pos;
};

struct Slo {
  std::string name;                               // the key under `slos:`
  double objective = 0;                           // percent of good events promised, 50–99.9999
  Duration window = std::chrono::hours(24 * 30);  // the rolling window of the budget
  SliSpec sli;
  SloFreezeSpec freeze;
  bool alerting = true;  // the multi-window burn-rate alerts are raised (else only computed)
  SourcePos pos;
};

// ---- Policies: gates over CEL rules (docs/policy.md) ----

// One rule of a policy: an expression over the gate's input document that must be true.
struct PolicyRule {
  std::string expression;  // the bare expression (a `${{ }}` wrapper removed)
  std::string message;     // what a failure says to people
  SourcePos pos;           // the expression's
};

// Where in a deploy a gate runs (docs/policy.md): `deploy` before anything of the new revision
// starts; `promote` just before a canary or blue-green revision takes all the traffic (a
// rolling deploy has no such point and evaluates its `promote` policies with the deploy ones).
enum class GateStep { kDeploy, kPromote };
const char* GateStepName(GateStep step);  // "deploy" | "promote"

// A policy gates the deploys to `environments` (and, when `strategies` is not empty, only
// those with one of these strategies) at the steps `at`. In `enforce` mode a failing rule
// stops the deploy (or, at `promote`, rolls it back); in `audit` mode it is recorded only.
struct Policy {
  enum class Mode { kEnforce, kAudit };
  std::string name;                       // the key under `policies:`
  std::vector<std::string> environments;  // keys of `environments:` (checked); not empty
  std::vector<std::string> strategies;    // rolling | blue-green | canary; empty = any
  // deploy | promote, each once, in file order; not empty. Not `promote` alone when
  // `strategies` names only rolling (the loader refuses it).
  std::vector<GateStep> at = {GateStep::kDeploy};
  Mode mode = Mode::kEnforce;
  std::vector<PolicyRule> rules;  // not empty
  SourcePos pos;
};

// One field of the gate's input document, as a dotted path ("artifact.provenance.verified"),
// and its CEL type. Every field is always present (unknown values are null, "", 0, false or
// empty lists; a field that may be null has a wrapper type), so a rule can test it; a reference
// below a list or an open map (map(string, dyn)) is not checked further.
struct PolicyInputField {
  std::string_view path;
  expr::Type type;
};
// Every field (leaves and the maps holding them), in document order. The policy module builds
// the document; its tests check that it has exactly these fields.
const std::vector<PolicyInputField>& PolicyInputFields();
// Why a reference `path` (as expr::Expression::References gives it) is not a field of the
// input document, or nullopt when it is one (or lies below a list or open map).
std::optional<std::string> PolicyInputReferenceError(const std::vector<std::string>& path);
// What a rule may use: the fields above as declared variables (CheckType types them) and
// PolicyInputReferenceError as the reference check.
expr::Scope PolicyRuleScope();

// The agent label of deploy jobs (their runs_on): on a server only its own deploy agent, which
// drives the environments, takes them. Users' agents should not carry this label.
inline constexpr std::string_view kDeployAgentLabel = "slipway-deploy";

// `deploy:` on a job: the job rolls an artifact out to an environment instead of running steps.
// A deploy job has no steps, matrix, runs-on, env, timeout, retry, cache, artifacts, outputs or
// reports; of the other job fields only needs, if and concurrency apply.
struct DeploySpec {
  std::string environment;  // a key of `environments:` (checked)
  std::string artifact;     // template: "REPO@sha256:…", "REPO:TAG" or ${{ needs.x.outputs.y }}
  StrategySpec strategy;    // none in the file: the loader sets `rolling` with its defaults
  SourcePos pos;
};

struct Job {
  std::string name;  // the key under `jobs:`
  SourcePos pos;
  std::vector<std::string> needs;
  std::string if_condition;  // empty means success()
  std::optional<MatrixSpec> matrix;
  std::vector<std::string> runs_on;  // agent labels (used by the server)
  NamedValues env;
  std::vector<Step> steps;
  Duration timeout = std::chrono::minutes(60);
  RetryPolicy retry;
  std::vector<CacheSpec> caches;
  std::vector<std::string> artifacts;  // paths/globs handed to dependent jobs
  // What the server publishes after the job succeeds (its paths are kept as artifacts too).
  std::vector<PublishSpec> publish;
  // Names of the outputs this job exports. Steps write `name=value` lines (or
  // `name<<DELIM` … `DELIM` blocks) to $SLIPWAY_OUTPUT; dependents read
  // ${{ needs.<job>.outputs.<name> }}. Only declared names are exported.
  std::vector<std::string> outputs;
  std::string junit_reports;  // glob of JUnit XML files; empty = none
  std::optional<Concurrency> concurrency;
  std::optional<DeploySpec> deploy;  // set for deploy jobs (then `steps` is empty)
};

struct PushTrigger {
  std::vector<std::string> branches, branches_ignore;  // globs; `!pattern` negates
  std::vector<std::string> tags, tags_ignore;
  std::vector<std::string> paths, paths_ignore;
  SourcePos pos;

  // Whether a push of `ref` ("refs/heads/main", "refs/tags/v1") touching `changed_files`
  // starts the pipeline. Empty `changed_files` means unknown: path filters then pass.
  bool Matches(std::string_view ref, const std::vector<std::string>& changed_files) const;
};

struct ScheduleTrigger {
  std::string cron;  // five fields: minute hour day-of-month month day-of-week
  SourcePos pos;
};

enum class InputType { kString, kBoolean, kNumber, kChoice };

struct InputSpec {
  std::string name;
  InputType type = InputType::kString;
  std::string description;
  std::optional<std::string> default_value;
  bool required = false;
  std::vector<std::string> options;  // for kChoice
  SourcePos pos;
};

struct Triggers {
  std::optional<PushTrigger> push;
  std::vector<ScheduleTrigger> schedule;
  bool manual = false;
  std::vector<InputSpec> inputs;  // inputs of `manual`
};

struct Pipeline {
  std::string file;  // path as given to the loader, used in messages
  std::string name;
  Triggers on;
  NamedValues env;
  std::vector<Job> jobs;  // in file order
  std::optional<Concurrency> concurrency;
  std::vector<Environment> environments;             // in file order
  std::vector<AnalysisTemplate> analysis_templates;  // in file order
  std::vector<Slo> slos;                             // in file order
  std::vector<Policy> policies;                      // in file order

  const Job* FindJob(std::string_view name) const;
  const Environment* FindEnvironment(std::string_view name) const;
  const AnalysisTemplate* FindAnalysisTemplate(std::string_view name) const;
  const Slo* FindSlo(std::string_view name) const;
  const Policy* FindPolicy(std::string_view name) const;
};

// One runnable copy of a job: the job itself, or one cell of its matrix.
struct JobInstance {
  const Job* job = nullptr;
  // e.g. "test (linux, 18)" for a matrix cell, "build" otherwise. Unique within a pipeline.
  std::string id;
  std::vector<std::pair<std::string, std::string>> matrix;  // axis → value, axis order
};

struct LoadOptions {
  size_t max_file_bytes = 1 << 20;  // larger files are rejected before parsing
  int max_matrix_instances = 256;   // per job, after include/exclude
  int max_jobs = 5000;              // job instances in the whole pipeline
};

struct LoadResult {
  std::optional<Pipeline> pipeline;  // set only when `diagnostics` is empty
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return pipeline.has_value(); }
};

// Parses `text` as the pipeline named `file` (used only in messages).
LoadResult ParsePipeline(std::string_view text, std::string file, const LoadOptions& options = {});

// Reads and parses a file; an unreadable file is one diagnostic at 0:0.
LoadResult LoadPipelineFile(const std::filesystem::path& path, const LoadOptions& options = {});

// The job's instances in matrix order (axes vary last-fastest, then `include` additions).
std::vector<JobInstance> ExpandJob(const Job& job);

// Every instance of every job, in file order.
std::vector<JobInstance> ExpandPipeline(const Pipeline& pipeline);

// Parses "90s", "5m", "1h30m", "250ms", "2d". Fails for empty, negative, unknown units.
std::optional<Duration> ParseDuration(std::string_view text);

// Validates a five-field cron expression; returns an explanation when it is invalid.
std::optional<std::string> CronError(std::string_view expression);

}  // namespace slipway::spec
