// Progressive deployment: where revisions run (Target), how traffic reaches them (Router), and
// how a new revision replaces the serving one (strategies: rolling, blue-green, canary).
//
// The two extension points are small on purpose (Argo Rollouts' traffic routers and Woodpecker's
// backends are the models): a Target starts, inspects and stops the instances of a revision; a
// Router splits traffic between revisions by weight. Strategies only talk to these interfaces,
// so the same canary runs on local processes behind the built-in proxy, on haproxy, or on a
// user's kubectl hook.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/policy.h"
#include "registry/registry.h"
#include "runner/runner.h"
#include "util/status.h"
#include "verify/verify.h"

namespace slipway::verify {
class SliSource;  // verify/verify.h
}  // namespace slipway::verify
namespace slipway::store {
class Store;  // store/store.h
}  // namespace slipway::store

namespace slipway::deploy {

// A place a request can be sent: "127.0.0.1:8001".
struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;  // "host:port"
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Parses "host:port" (port 1–65535). The error names the text.
Result<Endpoint> ParseEndpoint(std::string_view text);

// One revision of a service as a target runs it.
struct RevisionSpec {
  std::string id;      // unique within an environment, e.g. "r7"; also the router's pool name
  std::string digest;  // the artifact's manifest digest ("" when deployed from a directory)
  std::filesystem::path artifact_dir;  // the artifact's files, unpacked; instances run here
  int instances = 1;                   // desired number of instances
  std::vector<std::pair<std::string, std::string>> env;  // extra environment for instances
};

// What a target reports about one revision.
struct RevisionState {
  std::string id;
  int desired = 0;                  // instances asked for
  int running = 0;                  // processes (or pods…) that exist
  int ready = 0;                    // of those, passing their readiness check
  int restarts = 0;                 // crashes restarted since the revision was applied
  bool crash_looping = false;       // restarts exhausted their budget: the revision is failed
  std::vector<Endpoint> endpoints;  // of ready instances only: what a router may send to
  std::string message;              // last problem seen (failed check, exit status), if any
};

// Runs revisions. Lifecycle: a target is created from its environment's configuration, may
// adopt revisions a previous server process left running (see each implementation), and stops
// nothing on destruction (revisions outlive the server; Remove stops them).
// Thread-safety: every method may be called from any thread; implementations lock internally.
class Target {
 public:
  virtual ~Target() = default;
  // Makes `revision` run with revision.instances instances. Idempotent: applying the same
  // revision again only changes the instance count (extra instances are stopped, newest first).
  // Returns once the instances are started, not once they are ready (see Inspect).
  virtual Status Apply(const RevisionSpec& revision) = 0;
  // Current state of one revision; NotFound when it is not running here.
  virtual Result<RevisionState> Inspect(std::string_view revision_id) = 0;
  // Ids of the revisions running here, in the order they were applied.
  virtual std::vector<std::string> Revisions() = 0;
  // Stops every instance of the revision (SIGTERM, then SIGKILL after the grace period).
  virtual Status Remove(std::string_view revision_id) = 0;
};

// One revision's share of traffic.
struct Backend {
  std::string revision;             // pool name
  std::vector<Endpoint> endpoints;  // where its requests go
  int weight = 0;                   // percent of new requests, 0–100; weights sum to 100
  friend bool operator==(const Backend&, const Backend&) = default;
};

// Splits traffic between revisions. Lifecycle: created from the environment's router
// configuration; the first Apply takes ownership of the routing (what was there is replaced).
// Thread-safety: every method may be called from any thread.
class Router {
 public:
  virtual ~Router() = default;
  // Replaces the routing table atomically: every new request after Apply returns is routed by
  // `backends`; requests already in flight finish where they started; a revision no longer
  // listed gets no new requests. Unavailable when the router cannot be reached (nothing changed).
  virtual Status Apply(const std::vector<Backend>& backends) = 0;
  // What the router really does now, read back from it (for drift detection): a weight changed
  // by hand shows here. Revisions in the order Apply gave them.
  virtual Result<std::vector<Backend>> Observe() = 0;
};

// ---- Targets and routers ----
//
// The implementations slipway ships (docs/deploy.md). Their options are plain structs, filled
// from the environment model (spec::ProcessTargetSpec …) by the caller; every default is the
// one the environment file documents.

// A readiness or liveness check of one instance.
struct HealthCheck {
  enum class Kind {
    kTcp,   // the instance's port accepts a connection
    kHttp,  // GET http://host:port{http_path} answers 2xx or 3xx
    kExec,  // `command` (/bin/sh -c, in the instance's directory and environment) exits 0
  };
  Kind kind = Kind::kTcp;
  std::string http_path = "/";              // kHttp
  std::string command;                      // kExec; {port} and {revision} expand as in the command
  std::chrono::milliseconds interval{500};  // between two checks of one instance
  std::chrono::milliseconds timeout{2000};  // a check taking longer fails
  // Consecutive failures before a ready instance counts as not ready (readiness) or is
  // restarted (liveness). One success makes an instance ready again.
  int failure_threshold = 3;
};

// Runs each revision as N local processes (see MakeProcessTarget).
struct ProcessTargetOptions {
  // Per environment: <state_dir>/<revision>/instances.json records the instances and
  // <state_dir>/<revision>/<index>.log collects each instance's stdout and stderr (appended,
  // kept after the revision is removed). Created when missing. Required.
  std::filesystem::path state_dir;
  // Run with /bin/sh -c; {port} expands to the instance's port, {revision} to its id. Required.
  std::string command;
  std::string working_directory;  // relative to RevisionSpec::artifact_dir; "" = its root
  // The instance's environment is PATH (the server's), then `env`, then RevisionSpec::env, then
  // PORT, SLIPWAY_REVISION and SLIPWAY_DIGEST; a later entry wins. Nothing else is inherited.
  std::vector<std::pair<std::string, std::string>> env;
  HealthCheck readiness;                // default: TCP connect on the instance's port
  std::optional<HealthCheck> liveness;  // unset: none. Checked once an instance was ready.
  // A crashed (or not live) instance is restarted after restart_backoff, doubled for each
  // further crash of that instance within crash_window, at most max_restart_backoff.
  std::chrono::milliseconds restart_backoff{500};
  std::chrono::milliseconds max_restart_backoff{30000};
  // More than max_restarts crashes of a revision's instances within crash_window: the revision
  // is crash_looping and its instances are not restarted any more; Apply then fails with
  // FailedPrecondition (Remove, then Apply again).
  int max_restarts = 5;
  std::chrono::milliseconds crash_window{300000};
  std::chrono::milliseconds stop_grace{10000};  // SIGTERM to the group, then SIGKILL
  std::string host = "127.0.0.1";  // instances listen here; endpoints and checks use it
};

// Lifecycle: each instance runs in a session and process group of its own (it outlives this
// process), on a free port chosen when it is first started and kept across restarts. A
// supervisor thread owned by the target checks instances, restarts crashed ones with backoff and
// keeps the counts Inspect reports; the destructor joins it and stops no instance. A new target
// on the same state_dir adopts the recorded instances that still run (same pid and process
// start time) and restarts those that died. At most one target may use a state_dir at a time
// (in any process): two would both restart a crashed instance. Fails when state_dir cannot be
// created or read, or the command is empty.
Result<std::unique_ptr<Target>> MakeProcessTarget(ProcessTargetOptions options);

// Runs revisions through user commands (kubectl, helm, ssh …); the contract is in
// docs/deploy.md. Each command runs with /bin/sh -c in the revision's artifact_dir, with the
// server's environment plus `env`, the revision's env and SLIPWAY_REVISION, SLIPWAY_DIGEST,
// SLIPWAY_ARTIFACT_DIR, SLIPWAY_INSTANCES and SLIPWAY_ENVIRONMENT. `status` prints
// {"desired":N,"running":N,"ready":N,"endpoints":["host:port"],"message":"…"} on stdout.
struct ExecTargetOptions {
  // Per environment: revisions.json (what was applied, in order) and the last stderr of each
  // command (<revision>.<apply|status|remove>.stderr). Created when missing. Required.
  std::filesystem::path state_dir;
  std::string apply;                          // required
  std::string status;                         // required
  std::string remove;                         // "" = Remove only forgets the revision
  std::chrono::milliseconds timeout{300000};  // per command; then SIGTERM/SIGKILL to its group
  std::string environment;                    // SLIPWAY_ENVIRONMENT
  std::vector<std::pair<std::string, std::string>> env;
};

// Lifecycle: no state beyond revisions.json; commands run on the calling thread, one at a time.
// A non-zero exit, a timeout or unparsable status output is an error naming the command, with
// the tail of its stderr.
Result<std::unique_ptr<Target>> MakeExecTarget(ExecTargetOptions options);

// Drives a running haproxy through its Runtime API. haproxy.cfg declares the slots and a stats
// socket with `level admin`:
//   backend <backend>
//     server-template <server_prefix> <servers> 127.0.0.1:1 disabled
// Apply puts the backends' endpoints on slots <prefix>1 … <prefix>N with `set server …` commands
// sent in one exchange; Observe reads `show servers state <backend>`.
struct HaproxyRouterOptions {
  std::string socket;                 // unix socket path, or HOST:PORT for a TCP stats socket
  std::string backend;                // backend name in haproxy.cfg. Required.
  std::string server_prefix = "srv";  // server-template prefix
  int servers = 0;                    // server-template count: the most endpoints routable
  // The slot → revision mapping of the last Apply, so that a new router (after a server
  // restart) knows which slot serves which revision. "" = kept in memory only.
  std::filesystem::path state_file;
  std::chrono::milliseconds timeout{5000};  // per Runtime API exchange
};

// Lifecycle: holds no connection; each Apply or Observe is one or two short exchanges, one call
// at a time. Endpoints must be IP literals (haproxy's `set server addr` takes no names). Fails
// when the options are incomplete or the state file cannot be read.
Result<std::unique_ptr<Router>> MakeHaproxyRouter(HaproxyRouterOptions options);

// Drives an nginx (open source: it has no runtime API) by replacing a file that holds one
// weighted upstream and reloading nginx. nginx.conf includes the file inside `http { }` and
// proxies to the upstream (`proxy_pass http://<upstream>;`).
struct NginxRouterOptions {
  std::filesystem::path upstream_file;  // replaced (atomically) at every Apply. Required.
  std::string upstream;                 // the upstream's name. Required.
  // Run with /bin/sh -c after the file is written: test_command checks the configuration (a
  // failure puts the previous file back), reload_command makes nginx load it. "" = skip.
  std::string test_command = "nginx -t -q";
  std::string reload_command = "nginx -s reload";
  std::chrono::milliseconds timeout{10000};  // per command
};

// Lifecycle: no state beyond the file; calls are serialized. A revision's weight is split among
// its endpoints as nginx server weights (a 0% revision's servers are marked `down`). nginx
// reloads asynchronously: requests arriving in the moment after Apply returns may still be
// routed by the old table. Observe reads the file back (there is nothing else to ask), so drift
// shows only when the file was changed by hand.
Result<std::unique_ptr<Router>> MakeNginxRouter(NginxRouterOptions options);

// ---- Strategies ----

// One canary step (see docs/deploy.md, "Strategies").
struct CanaryStepPlan {
  enum class Kind { kSetWeight, kPause, kAnalysis };
  Kind kind = Kind::kSetWeight;
  int weight = 0;                                  // kSetWeight: percent 0–100
  std::optional<std::chrono::milliseconds> pause;  // kPause: unset = until Approve()
  std::string analysis;                            // kAnalysis: template name; "" = health
  std::vector<std::pair<std::string, std::string>> analysis_args;  // the template's arguments
};

struct StrategyPlan {
  enum class Kind { kRolling, kBlueGreen, kCanary };
  Kind kind = Kind::kRolling;
  // kRolling: instances replaced per batch, and how many may be not ready meanwhile.
  int batch_size = 1;
  int max_unavailable = 0;
  // kBlueGreen: analysis before the switch ("" = health only), how long blue stays warm after
  // the switch (an abort meanwhile switches back at once), and whether the switch waits for
  // Approve().
  std::string pre_promotion_analysis;
  std::vector<std::pair<std::string, std::string>> pre_promotion_args;
  std::chrono::milliseconds scale_down_delay = std::chrono::seconds(30);
  bool auto_promote = true;
  // kCanary: the steps; the rollout promotes to 100% after the last one.
  std::vector<CanaryStepPlan> steps;
  // kCanary: an analysis that runs in the background from the end of step `start_after_step`
  // (0: once the canary is started) until promotion. Its failure aborts the rollout at once;
  // at promotion it concludes, and an inconclusive end waits for Approve() (continue) or
  // Abort(), as an analysis step does.
  struct BackgroundAnalysis {
    std::string template_name;
    std::vector<std::pair<std::string, std::string>> args;
    int start_after_step = 0;
  };
  std::optional<BackgroundAnalysis> background_analysis;
  // Approvals (Approve calls) the rollout waits for before it starts anything: the
  // environment's `protection.approvals`. Who approves is not checked here (policy's job).
  int approvals_before_start = 0;
};

// What one analysis decided. Inconclusive analyses pause the rollout for a human (Approve
// continues, Abort rolls back); they never pass silently.
struct AnalysisVerdict {
  enum class Outcome { kPass, kFail, kInconclusive };
  Outcome outcome = Outcome::kPass;
  std::string summary;  // the numbers that decided, for the deploy record
};

// Judges a canary (or a green revision before its switch) against the stable revision.
// `stop` is set when the rollout is aborted; a long analysis should poll it and return.
struct AnalysisRequest {
  std::string template_name;                              // "" = the default health analysis
  std::vector<std::pair<std::string, std::string>> args;  // the template's arguments
  std::string stable_revision;  // "" when there is none (first deploy, blue-green pre-switch)
  std::string canary_revision;
  bool receives_traffic = true;  // false before a blue-green switch: judge health only
  const std::atomic<bool>* stop = nullptr;
  // A background analysis (StrategyPlan::background_analysis): it keeps looking every interval
  // (past the template's count) until `conclude` is set, then judges the data so far and
  // returns. It may return kFail earlier; the rollout then aborts. Called on its own thread.
  bool background = false;
  const std::atomic<bool>* conclude = nullptr;  // set by the rollout at promotion
};
using Analyzer = std::function<AnalysisVerdict(const AnalysisRequest&)>;

// Traffic counters of one revision since some fixed moment (the built-in proxy's telemetry).
struct TrafficSample {
  uint64_t requests = 0;
  uint64_t errors = 0;  // 5xx
};
using TrafficSource = std::function<std::optional<TrafficSample>(const std::string& revision)>;

struct HealthAnalysisOptions {
  std::chrono::milliseconds duration = std::chrono::seconds(10);  // how long to observe
  std::chrono::milliseconds interval = std::chrono::milliseconds(250);
  // With traffic numbers: fail when the canary's 5xx rate exceeds both this rate and twice the
  // stable revision's rate, once it has at least `min_requests` requests.
  double max_error_rate = 0.02;
  uint64_t min_requests = 20;
};

// The analysis used until the statistical judge is configured: the canary's instances stay
// ready and do not crash, and (when `traffic` is given) its 5xx rate stays low.
Analyzer MakeHealthAnalyzer(Target& target, TrafficSource traffic, HealthAnalysisOptions options);

// One recorded step of a rollout, with timestamps (system clock).
struct StepRecord {
  std::string name;  // "start r2", "set weight 25", "pause 30s", "analysis", "promote", …
  std::chrono::system_clock::time_point started, finished;
  std::string outcome;  // "ok", "failed", "aborted", "skipped"
  std::string message;
};

struct RolloutResult {
  bool succeeded = false;
  std::string reason;  // why it failed or was aborted; "" on success
  std::vector<StepRecord> steps;
};

struct RolloutOptions {
  Target* target = nullptr;  // required
  Router* router = nullptr;  // required for canary and blue-green; optional for rolling
  Analyzer analyzer;         // unset = no analysis steps pass (they fail with a reason)
  // How long a revision may take to have all its instances ready before the rollout fails.
  std::chrono::milliseconds ready_timeout = std::chrono::minutes(2);
  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(100);
  // Between taking a revision out of the router and stopping it: requests already sent to it
  // finish (its connections drain).
  std::chrono::milliseconds drain_delay = std::chrono::seconds(2);
  // Called after every step (from the rollout's thread), e.g. to store progress.
  std::function<void(const StepRecord&)> on_step;
  // The promotion gate: called once by canary and blue-green rollouts (also a first deploy's)
  // from the rollout's thread, after the last step (analysis, pause, approval) and just before
  // the new revision takes all the traffic; recorded as the step "promotion gate". An error
  // rolls the rollout back with its message, as a failed analysis does. Rolling rollouts never
  // call it: their traffic moves batch by batch, with no single promotion point. Unset: none.
  std::function<Status()> before_promotion;
};

struct RolloutState;  // internal (rollout_state.h)

// Replaces the stable revision by a new one with a strategy. Run() blocks until the rollout
// has promoted the new revision or rolled back; Abort() and Approve() may be called from any
// other thread meanwhile.
//
// Guarantees: whatever happens, when Run() returns with succeeded=false the router sends 100%
// to the stable revision (when there is one and the router answers) and the new revision's
// instances are removed. Abort() itself routes 100% to stable before it returns, so new
// requests stop reaching the new revision within one router call.
class Rollout {
 public:
  // `stable` is the revision serving now (nullopt for the first deploy of an environment).
  Rollout(RolloutOptions options, std::optional<RevisionSpec> stable, RevisionSpec next,
          StrategyPlan plan);
  ~Rollout();
  Rollout(const Rollout&) = delete;
  Rollout& operator=(const Rollout&) = delete;

  RolloutResult Run();
  // Rolls back now with `reason` (skips remaining steps and analyses). Returns the router's
  // error if traffic could not be moved back; the rollout still ends as failed.
  Status Abort(const std::string& reason);
  // Releases a pause without a duration (or an inconclusive analysis, or a blue-green switch
  // that waits for approval). FailedPrecondition when the rollout is not waiting for one: an
  // approval is never kept for a later pause.
  Status Approve();
  // The step in progress, for status displays.
  std::string current_step() const;

 private:
  std::unique_ptr<RolloutState> state_;
};

// ---- The built-in proxy as a router ----

// Where a `slipway proxy` process's admin API is (docs/proxy.md).
struct ProxyAdmin {
  Endpoint admin;
  std::string token;                        // "" = the admin API takes no token
  std::chrono::milliseconds timeout{2000};  // per call
};

// A Router driving a built-in proxy through its admin API (PUT/GET /routes): one pool per
// revision. Lifecycle: holds no connection; thread-safe.
std::unique_ptr<Router> MakeProxyRouter(ProxyAdmin admin);

// The proxy's per-pool counters (GET /telemetry), for the health analyzer. nullopt when the
// proxy cannot be asked or has no pool of that name.
TrafficSource MakeProxyTrafficSource(ProxyAdmin admin);

struct ProxyProcessOptions {
  std::filesystem::path binary;     // the slipway executable (runs `slipway proxy`)
  std::filesystem::path state_dir;  // proxy.json (pid, admin port, token) and proxy.log
  std::string listen;               // HOST:PORT users send traffic to
  std::string sticky_cookie;        // "" = none
  std::chrono::milliseconds start_timeout{10000};
};

// Makes sure the environment's proxy runs and returns its admin address. A proxy recorded in
// state_dir that still runs (same pid and start time) with the same listen address and
// answers is adopted (its routes and connections untouched: the server restarting does not
// disturb traffic); one that died is started again on the same admin address and token (its
// routes are then empty until the next Apply); a changed listen address gets a new proxy with
// a fresh admin port and token. Each runs in a session of its own. Unavailable when it does
// not come up.
Result<ProxyAdmin> EnsureProxyProcess(const ProxyProcessOptions& options);

// Stops the proxy recorded in state_dir, if it still runs.
Status StopProxyProcess(const std::filesystem::path& state_dir);

// ---- Environments: deploys from pipelines, rollback, drift ----

// One deploy of an environment, as its EnvironmentLedger records it.
struct DeployRecord {
  int64_t id = 0;  // per environment, from 1
  std::string project, environment;
  std::string revision;      // "r3"
  std::string artifact;      // as the job named it
  std::string digest;        // the manifest digest ("" for a local path)
  std::string provenance;    // "verified (builder …, commit …)", "none", or "failed: why"
  std::string trigger;       // "run 12, job deploy-prod, attempt 1"
  std::string triggered_by;  // who started the run ("" when unknown)
  std::string run_id;        // the run whose job deployed
  std::string strategy;      // "canary", "blue-green", "rolling"
  std::chrono::system_clock::time_point started, finished;
  std::string outcome;  // "running", "succeeded", "failed"
  std::string reason;   // why it failed
  std::vector<StepRecord> steps;
  // The release gate (docs/policy.md): "" when no policy applies, else "allow", "deny" or
  // "exempted" (denied and overridden by an emergency exemption), and its explanation as JSON
  // {"decision","input_digest","exemption":{…}|null,"result":{…},"input":{…}}.
  std::string gate;
  std::string gate_json;
  // The gate at promotion (policies `at: promote`; canary and blue-green only), the same way:
  // "" when it did not run (no such policy applies, or the rollout ended before promotion).
  std::string promote_gate;
  std::string promote_gate_json;
};

// An environment's desired state: the declaration deployed last and the revision that should
// serve. The reconciler keeps what runs in line with it.
struct DesiredState {
  std::string project, environment;
  std::string pipeline_file, pipeline_yaml;  // where the environment is declared, and how
  int64_t next_revision = 1;                 // "r<next_revision>" is the next deploy's revision
  int64_t next_deploy = 1;                   // the next deploy's id
  std::optional<RevisionSpec> stable;        // unset until a deploy succeeded
};

// Keeps environments' desired state and deploy records (docs/deploy.md, "Where state lives").
// `slipway run` keeps them in files beside the environment (MakeFileLedger); the server keeps
// them in its store (MakeStoreLedger), so they are in its database with everything else.
// What a target runs (processes, the proxy, revision files) stays on the deploying host either
// way. Thread-safety: every method may be called from any thread.
class EnvironmentLedger {
 public:
  virtual ~EnvironmentLedger() = default;
  // kNotFound when the environment was never deployed (or was destroyed).
  virtual Result<DesiredState> Load(const std::string& project, const std::string& environment) = 0;
  virtual Status Save(const DesiredState& state) = 0;
  // Stores the record, replacing the one of the same environment and id: a deploy is recorded
  // when it starts (outcome "running"), after each step and when it ends.
  virtual Status RecordDeploy(const DeployRecord& record) = 0;
  // Oldest first, one record per id (its latest).
  virtual Result<std::vector<DeployRecord>> Deploys(const std::string& project,
                                                    const std::string& environment) = 0;
  // Every environment with a desired state, by project then name.
  virtual Result<std::vector<DesiredState>> Environments() = 0;
  // Forgets the environment and its records (kNotFound when there is none).
  virtual Status Forget(const std::string& project, const std::string& environment) = 0;
};

// The ledger of `slipway run`: <state_dir>/<project>/<environment>/environment.json and
// deploys.jsonl (one line per RecordDeploy; the last line of an id wins).
std::unique_ptr<EnvironmentLedger> MakeFileLedger(std::filesystem::path state_dir);
// The server's ledger: tables `environments` and `deploys` of `store`, borrowed.
std::unique_ptr<EnvironmentLedger> MakeStoreLedger(store::Store& store);
// Moves what a file ledger under `state_dir` holds into `into` (a server upgraded from a
// slipway that kept environments in files): each environment `into` does not know yet is
// copied with its records, then its files are renamed *.imported. Returns how many moved.
Result<int> ImportFileLedger(const std::filesystem::path& state_dir, EnvironmentLedger& into);

// Something the reconciler saw differ from the desired state.
struct DriftEvent {
  std::chrono::system_clock::time_point at;
  std::string project, environment;
  std::string kind;     // "instances", "router", "revision"
  std::string message;  // what differs, in numbers
  bool healed = false;  // self-heal repaired it
};

// What an environment runs now.
struct EnvironmentStatus {
  std::string project, environment;
  std::optional<RevisionState> stable;
  std::string stable_digest;
  std::optional<DeployRecord> active;    // a rollout in progress
  std::vector<Backend> routes;           // the router's table as observed ("" = no router)
  std::string router_error;              // why the router could not be read
  std::vector<DriftEvent> recent_drift;  // newest last, at most 20
  // Requests and 5xx per revision since the proxy started (built-in proxy only).
  std::vector<std::pair<std::string, TrafficSample>> traffic;
  bool rollout_elsewhere = false;  // another process holds the environment's rollout lock
};

// Builds the SLI source of one SLO (the integrator plugs the Prometheus provider in here).
using SliSourceFactory =
    std::function<Result<std::unique_ptr<verify::SliSource>>(const spec::Slo& slo)>;

// Runs one instant PromQL query on the SLI's Prometheus server (`server.address`, within
// `server.timeout`) and answers its single number; an answer without series is an error.
using PromQlRunner =
    std::function<Result<double>(const spec::PrometheusSliSpec& server, const std::string& promql)>;
// The SliSourceFactory of Prometheus SLIs (good/total or latency, docs/slo.md) with queries run
// by `run`. Thread-safe when `run` is.
SliSourceFactory PrometheusSliSources(PromQlRunner run);
// The PromQlRunner of the server and `slipway run`: verify's Prometheus provider, one instant
// query per call.
PromQlRunner PrometheusInstantQueries();

// ---- SLOs as they stand now (docs/slo.md): the API's, `slipway slo status`'s and /metrics' ----

// One SLO of a pipeline evaluated now, with the release freezes it imposes.
struct SloReport {
  const spec::Slo* slo = nullptr;  // borrowed from the pipeline evaluated
  verify::SloStatus status;
  // Per environment of slo->freeze.environments: whether the freeze holds its deploys now —
  // the 1h burn rate above freeze.burn_rate, or unknown (the safe default, as for deploys).
  std::vector<std::pair<std::string, bool>> frozen;
};

// Evaluates every SLO of `pipeline` (in file order) with its SLI source from `sources`. A
// source that cannot be built gives an unknown status naming why. Blocks for the queries.
std::vector<SloReport> EvaluateSlos(const spec::Pipeline& pipeline,
                                    const SliSourceFactory& sources);
// The reports as a JSON array (docs/api.md, schema SloStatus).
std::string SloReportsJson(const std::vector<SloReport>& reports);
// Prometheus text (format 0.0.4, every family with HELP and TYPE, docs/slo.md "Metrics") of
// the reports of several projects: budget remaining, burn rates, alerts, freezes.
std::string SloMetricsText(
    const std::vector<std::pair<std::string, std::vector<SloReport>>>& by_project);

struct DeploymentsOptions {
  // What runs in each environment lives in <state_dir>/<project>/<environment>/ (revisions,
  // instances, proxy, analyses). Required.
  std::filesystem::path state_dir;
  // Where desired states and deploy records are kept. Unset: in files under state_dir
  // (MakeFileLedger). Borrowed; must outlive the Deployments.
  EnvironmentLedger* environments = nullptr;
  std::filesystem::path slipway_binary;    // runs the built-in proxies (`slipway proxy`)
  registry::Registry* registry = nullptr;  // resolves REPO@DIGEST / REPO:TAG artifacts
  std::vector<registry::PublicKey> keys;   // provenance signers trusted
  HealthAnalysisOptions health;            // the analysis of `analysis` steps
  std::chrono::milliseconds ready_timeout = std::chrono::minutes(2);
  // The SLI source of an SLO whose release freeze names the environment deployed to
  // (docs/slo.md). Unset (the default): SLOs are not evaluated and no freeze holds a deploy;
  // the deploy log says so. Called once per SLO per deploy, from the deploying thread.
  SliSourceFactory sli_sources = nullptr;
  std::chrono::milliseconds freeze_check_interval = std::chrono::seconds(30);  // while frozen
  std::chrono::milliseconds freeze_max_wait = std::chrono::hours(6);  // then the deploy fails
  // Where release gates read runs, approvals and exemptions and store their decisions (the
  // server's store). Unset (`slipway run`): policies are still evaluated and recorded in the
  // deploy record, approvals are counted `Approve` calls (no identities) and there are no
  // exemptions. Borrowed; must outlive the Deployments.
  policy::GateLedger* ledger = nullptr;
  std::chrono::milliseconds approval_poll_interval = std::chrono::milliseconds(250);
};

// Deploys pipeline jobs into environments and looks after them afterwards. One per process
// that deploys (the server, or `slipway run`). Environments are shared through the file
// system: a rollout holds the environment's lock file, and `Rollback` from another process
// reaches it through the environment's abort file.
// Thread-safety: every method may be called from any thread.
class Deployments : public runner::Deployer {
 public:
  explicit Deployments(DeploymentsOptions options);
  ~Deployments() override;

  // runner::Deployer: fetches the artifact, checks its provenance, runs the job's strategy
  // and records everything. Cancelling the run rolls back.
  runner::DeployOutcome Deploy(const runner::DeployRequest& request) override;

  // Aborts the environment's rollout in progress (in this process or another): traffic goes
  // back to the stable revision at once. FailedPrecondition when no rollout is running.
  Status Rollback(const std::string& project, const std::string& environment,
                  const std::string& reason);
  // Releases a paused rollout (pause without duration, inconclusive analysis).
  Status Approve(const std::string& project, const std::string& environment);
  // The environment's deploy that waits for approvals (protection.approvals, with a ledger)
  // in this process, or nullopt. Approvals are stored through the ledger; the deploy sees
  // them within approval_poll_interval.
  struct PendingApproval {
    int64_t deploy_id = 0;
    std::string run_id;
  };
  std::optional<PendingApproval> AwaitingApproval(const std::string& project,
                                                  const std::string& environment);
  // The environment's protection as the declaration of its last deploy here has it (for
  // approving and exemptions). NotFound when it was never deployed here.
  Result<spec::ProtectionSpec> Protection(const std::string& project,
                                          const std::string& environment);

  Result<EnvironmentStatus> Describe(const std::string& project, const std::string& environment);
  Result<std::vector<DeployRecord>> History(const std::string& project,
                                            const std::string& environment);
  // The environment's analysis runs (oldest first; every measurement, for charts), and one by
  // id ("production.3.1"; NotFound when there is none).
  Result<std::vector<verify::AnalysisRecord>> Analyses(const std::string& project,
                                                       const std::string& environment);
  Result<verify::AnalysisRecord> Analysis(const std::string& project,
                                          const std::string& environment, const std::string& id);
  // Takes the environment down: stops every revision and its built-in proxy and forgets it
  // (its records too). FailedPrecondition while a rollout runs.
  Status Destroy(const std::string& project, const std::string& environment);

  // Environments the ledger knows, as (project, environment).
  std::vector<std::pair<std::string, std::string>> Environments();

  // Compares every environment without a rollout in progress with its desired state, once:
  // the stable revision's instances all ready, no other revision running, the router sending
  // 100% to the stable revision's ready endpoints. Heals what differs where the environment
  // says `self-heal: true`. Returns what it found (also kept for Status).
  std::vector<DriftEvent> Reconcile();

  // Prometheus text: slipway_deploy_info, deploys and drift counters per environment.
  std::string MetricsText();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// JSON forms, as the API answers and `slipway env … --json` prints (docs/api.md):
// a DeployRecord {"id","project","environment","revision","artifact","digest","provenance",
// "trigger","strategy","started","finished" (RFC 3339),"outcome","reason","steps":[{"name",
// "started","finished","outcome","message"}],"gate":{…}|null,"promote_gate":{…}|null}; an
// EnvironmentStatus {"project","environment",
// "stable":{"revision","digest","desired","running","ready","restarts","crash_looping",
// "endpoints","message"}|null,"active":DeployRecord|null,"rollout_elsewhere","routes":
// [{"revision","weight","endpoints"}],"router_error","traffic":[{"revision","requests",
// "errors"}],"drift":[{"at","kind","message","healed"}]}.
std::string DeployRecordsJson(const std::vector<DeployRecord>& records);  // an array
std::string EnvironmentStatusJson(const EnvironmentStatus& status);

}  // namespace slipway::deploy
