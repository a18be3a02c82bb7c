// Runs a whole pipeline: the DAG of job instances, in parallel, with retries, matrix
// fail-fast, artifacts and outputs handed from jobs to their dependents.
//
// The engine decides what runs when; the runner (runner/runner.h) runs one attempt of one job.
// `slipway run` drives the engine directly; the server's scheduler (coming) reuses the same
// pieces with a persistent queue.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "registry/registry.h"
#include "runner/runner.h"
#include "spec/spec.h"
#include "store/store.h"
#include "util/status.h"
#include "util/tree_archive.h"

namespace slipway {
class CancelToken;
class ProcessLauncher;
}  // namespace slipway
namespace slipway::cache {
class Cache;
}

namespace slipway::engine {

using runner::Outcome;

// How one job instance ended, over all its attempts.
struct JobResult {
  std::string id;   // instance id: "build", "test (linux, 18)"
  std::string job;  // the job's name
  std::vector<std::pair<std::string, std::string>> matrix;
  Outcome outcome = Outcome::kSkipped;
  std::string reason;  // why it did not succeed ("needs 'build' failed", "step 'x' exited 2")
  std::vector<runner::AttemptReport> attempts;
  std::chrono::milliseconds duration{0};  // first start to last finish; 0 when never started
  std::vector<std::pair<std::string, std::string>> outputs;  // from the last attempt
  // Tests that failed in one attempt and passed in a later attempt: "suite/class/name".
  std::vector<std::string> flaky_tests;
};

struct RunResult {
  std::string run_id;
  bool success = false;  // every job instance succeeded or was skipped by its `if:`
  bool cancelled = false;
  std::vector<JobResult> jobs;  // in pipeline order
  std::chrono::milliseconds duration{0};
};

// Observes a run. Called from worker threads: implementations must be thread-safe.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // Where an attempt's masked log lines go. Called once per attempt, before it starts.
  virtual std::unique_ptr<runner::LogSink> OpenLog(const spec::JobInstance& instance,
                                                   int attempt) = 0;
  virtual void AttemptStarted(const spec::JobInstance& /*instance*/, int /*attempt*/) {}
  virtual void JobFinished(const JobResult& /*result*/) {}
};

struct RunOptions {
  std::string run_id;                         // unique per run; used in env and paths
  std::vector<std::string> jobs;              // run only these jobs and what they need; empty = all
  int parallelism = 2;                        // job instances running at once (>= 1)
  std::string branch = "main";                // `branch` in expressions, SLIPWAY_BRANCH
  std::string event = "push";                 // `event` in expressions, SLIPWAY_EVENT
  std::string commit;                         // SLIPWAY_COMMIT; empty when unknown
  std::map<std::string, std::string> inputs;  // raw --input values, checked against the spec
  std::vector<std::pair<std::string, std::string>> secrets;  // exposed as env vars, masked
  std::vector<std::string> environment;  // base environment of steps (KEY=VALUE)
  std::filesystem::path source;          // repository files every workspace starts from
  std::filesystem::path work_dir;        // scratch: workspaces, artifacts (created if missing)
  bool keep_workspaces = false;          // leave workspaces for inspection instead of removing them
  std::chrono::milliseconds kill_grace{5000};  // SIGTERM → SIGKILL on timeout and cancel
  cache::Cache* cache = nullptr;               // null: `cache:` entries are skipped
  std::string project;                         // cache namespace
  std::string default_branch;                  // cache fallback branch
  // Cancels the run when fired: running jobs are stopped, jobs not started yet are cancelled
  // unless their `if:` holds with cancelled() true (always(), cancelled()): those still run,
  // as in GitHub Actions, so clean-up jobs get their chance.
  const CancelToken* cancel = nullptr;
  // Fired by a second Ctrl-C: stops everything at once, those clean-up jobs included.
  const CancelToken* abort = nullptr;
  ProcessLauncher* launcher = nullptr;   // required
  RunObserver* observer = nullptr;       // required
  runner::Deployer* deployer = nullptr;  // runs `deploy:` jobs; null: they fail with a reason
  std::string pipeline_yaml;             // the pipeline's text, for the deployer
};

// Checks `inputs` against the pipeline's manual inputs (unknown names, types, choices,
// required inputs) and returns the typed values with defaults applied.
Result<expr::Value::Map> ResolveInputs(const spec::Pipeline& pipeline,
                                       const std::map<std::string, std::string>& inputs);

// Where the repository's files come from and what is known about them.
struct SourceInfo {
  bool from_git = false;       // false: a plain directory copy
  std::string commit;          // full sha of HEAD; empty without git
  std::string branch;          // HEAD's branch ("HEAD" when detached); empty without git
  std::string default_branch;  // origin's HEAD, else init.defaultBranch, else "main"
  std::string project;         // the repository's directory name
};

enum class SourceMode {
  kHead,         // the files committed at HEAD (what CI would build)
  kWorkingTree,  // the files as they are now, uncommitted changes included (not .git)
};

// Writes the files of `project_dir` into `target` (created). When project_dir is inside a git
// repository and mode is kHead, that is the subtree of HEAD at project_dir; otherwise the
// directory as it is, without .git. A job's workspace starts as a copy of `target`.
Result<SourceInfo> SnapshotSource(const std::filesystem::path& project_dir,
                                  const std::filesystem::path& target, SourceMode mode);

// Writes the files of `subdir` ("" = the whole tree) at `commit` of the git repository at
// `repository` (bare or not) into `target` (created): how agents make a job's workspace.
Status CheckoutCommit(const std::filesystem::path& repository, std::string_view commit,
                      std::string_view subdir, const std::filesystem::path& target);

// Runs the pipeline to completion (or cancellation). Errors are about the request
// (unknown --job, bad inputs, unusable work_dir); job failures are in the RunResult.
Result<RunResult> RunPipeline(const spec::Pipeline& pipeline, const RunOptions& options);

// The paths a job keeps as artifacts after a successful attempt (artifact_collect.cc), shared by
// `slipway run` and agents so a job keeps the same files wherever it runs: the matches of its
// `artifacts:` patterns in `workspace`, relative and '/'-separated, in pattern order without
// duplicates. A glob names files and symlinks (glob::Expand); a literal path names what is
// there, a whole directory included. What cannot be kept is a warning on `log`, never an
// error: a pattern that matches nothing, a malformed one, a path outside the workspace.
std::vector<std::string> CollectArtifacts(const std::vector<std::string>& patterns,
                                          const std::filesystem::path& workspace,
                                          runner::LogSink& log);

// ---------------------------------------------------------------------------------------------
// The server side: runs, jobs and attempts persisted in a store::Store, jobs leased to agents.
// The same rules as RunPipeline (dag_rules), applied by a Dispatcher over stored state.

// What starts a run on the server.
struct RunRequest {
  int64_t project_id = 0;
  std::string pipeline_file = ".slipway.yml";  // path in the repository, for messages
  std::string pipeline_yaml;                   // the file's text at `commit`
  std::string trigger = "manual";              // push | webhook | poll | schedule | manual
  std::string event = "manual";                // push | schedule | manual
  std::string ref, branch, commit;
  std::map<std::string, std::string> inputs;  // raw, checked against the pipeline
  std::string created_by;
  std::string delivery_id;
  // The webhook provider of delivery_id, when the run starts from a webhook: the delivery is
  // recorded with the run, atomically (Store::CreateDeliveredRun), and CreateRun is
  // kAlreadyExists for a delivery recorded before.
  std::string delivery_provider;
};

// Validates the pipeline and stores the run with one job row per job instance, queued for the
// dispatcher. A pipeline that fails validation still makes a run: a failed one whose `error`
// lists every problem as file:line:col: message. Bad inputs are an error (no run), and so is a
// repeated webhook delivery (kAlreadyExists, see RunRequest::delivery_provider).
Result<store::Run> CreateRun(store::Store& store, const RunRequest& request, store::Time now);

// A push (from a webhook or the poller) that may start a run.
struct PushRunRequest {
  store::Project project;
  std::string ref;     // "refs/heads/main", "refs/tags/v1"
  std::string before;  // "" or all zeros for a new ref
  std::string after;   // the pushed commit
  // Files the push changed; empty: computed from the mirror (before..after) when the
  // pipeline has path filters.
  std::vector<std::string> changed_files;
  std::string trigger = "webhook";  // webhook | poll
  std::string actor;                // audit actor: "webhook:github", "poller"
  std::string delivery_id;
  std::filesystem::path mirrors_dir;  // where repository mirrors live (data dir)
};

// Fetches the pushed commit into the project's mirror, reads the pipeline file at it, applies
// the pipeline's on.push filters and creates the run (audited as run.start). nullopt when the
// filters (or a missing on.push) say no. A pipeline file that does not validate still starts a
// failed run showing the errors.
Result<std::optional<store::Run>> StartPushRun(store::Store& store, const PushRunRequest& request,
                                               store::Time now);

// A manual run of `branch` (default: the project's default branch) at `commit` (default: the
// branch's head), with typed inputs; audited as run.start by `actor`.
struct ManualRunRequest {
  store::Project project;
  std::string branch, commit;
  std::map<std::string, std::string> inputs;
  std::string actor;
  std::string trigger = "manual";  // manual | schedule
  std::filesystem::path mirrors_dir;
};
Result<store::Run> StartManualRun(store::Store& store, const ManualRunRequest& request,
                                  store::Time now);

// One poll of a project's repository, as the server's poller does it when the project is due:
// lists the branches and tags, starts a push run (trigger `poll`, actor `poller`) for each one
// whose commit changed since the last poll (deleted refs start nothing), then records the refs
// seen (Store::SetPolledCommits). The first poll of a project (nothing recorded yet) only
// records: refs that existed before the project was added are not pushes. A ref whose run
// cannot be started is reported and skipped; the refs are recorded anyway, so one bad commit
// is not retried forever. An error only when the repository could not be listed.
struct PollReport {
  std::vector<store::Run> started;
  // "refs/heads/main: <why no run started>", or why the refs seen could not be recorded.
  std::vector<std::string> problems;
};
Result<PollReport> PollProject(store::Store& store, const store::Project& project,
                               const std::filesystem::path& mirrors_dir, store::Time now);

// Wakes long-polling agents when jobs are queued. Thread-safe.
class WorkSignal {
 public:
  void Notify();
  // Waits until Notify() is called after `seen` or `timeout` passes; returns the generation
  // to pass as `seen` next time.
  uint64_t Wait(uint64_t seen, std::chrono::milliseconds timeout);
  uint64_t generation() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t generation_ = 0;
};

struct RunPlan;  // a run's parsed pipeline and job rows; private to the engine (run_plan.h)

// The plans of runs (their parsed pipeline, and which pipeline job and matrix cell each stored
// job row is), shared between the dispatcher, which builds a run's plan on its first pass and
// drops it when the run finishes, and AgentService, which needs it for every lease. Without it
// each lease would parse the run's whole pipeline again.
//
// A plan depends only on what a run stores when it is created, so it never goes stale. Entries
// are keyed by run id and checked against the run's digest (its pipeline and inputs), so a run
// id reused after its run was removed never gets the old run's plan. Bounded: at most
// `capacity` runs, the least recently used dropped first (a server that does not dispatch
// never hears that runs finished). Thread-safe; a plan handed out stays valid while it is
// held, even when the cache drops it.
class RunPlanCache {
 public:
  explicit RunPlanCache(size_t capacity = 64);
  ~RunPlanCache();
  RunPlanCache(const RunPlanCache&) = delete;
  RunPlanCache& operator=(const RunPlanCache&) = delete;

  // The plan of `run`: the cached one, else one built from `jobs()` (the run's stored jobs,
  // read only on a miss) and cached. Fails as MakeRunPlan does.
  Result<std::shared_ptr<const RunPlan>> Get(
      const store::Run& run, const std::function<Result<std::vector<store::Job>>()>& jobs);
  // Caches a plan built elsewhere for run `run_id` (the dispatcher's), replacing one of
  // another digest.
  void Put(int64_t run_id, std::shared_ptr<const RunPlan> plan);
  // Drops the plans of runs not in `unfinished` (run ids): those runs finished or are gone.
  void Retain(const std::vector<int64_t>& unfinished);

  struct Stats {
    size_t size = 0;         // plans held
    uint64_t hits = 0;       // Get answered from the cache
    uint64_t misses = 0;     // Get built the plan
    uint64_t evictions = 0;  // plans dropped to stay within capacity
  };
  Stats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct DispatcherOptions {
  // After the dispatcher starts, leases are not expired for this long: agents could not renew
  // while the server was down, and must get the chance to before their jobs are retried.
  std::chrono::milliseconds restart_grace{30000};
  // Where the dispatcher shares the plans it builds (AgentService::plans()), and from which it
  // drops the plans of finished runs after each pass. Null: shared with nobody.
  RunPlanCache* plans = nullptr;
};

// Advances stored runs: settles finished attempts (retry or final result), queues jobs whose
// needs are done and whose `if:` holds, skips or cancels the others, applies matrix fail-fast
// and cancellation, expires lost leases and finishes runs. Call Tick from one thread (with
// PostgreSQL, only on the server holding the "dispatcher" leadership).
class Dispatcher {
 public:
  Dispatcher(store::Store* store, WorkSignal* work, DispatcherOptions options, store::Time started);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // One pass over every unfinished run. Returns how many jobs it queued.
  Result<int> Tick(store::Time now);

 private:
  struct Cache;
  Status AdvanceRun(store::Run run, const std::vector<store::Run>& unfinished, store::Time now,
                    int* queued);

  store::Store* store_;
  WorkSignal* work_;
  DispatcherOptions options_;
  store::Time started_;
  std::unique_ptr<Cache> cache_;  // parsed pipelines of unfinished runs
};

// What an agent receives with a lease: everything needed to run the attempt.
// The artifacts of one job instance a leased job needs: the archive its successful attempt
// uploaded (fetched by the agent before the first step).
struct ArtifactRef {
  std::string instance_id;  // "build (O2)"
  int64_t attempt_id = 0;   // whose archive
  uint64_t size = 0;        // bytes of the archive
};

struct JobAssignment {
  int64_t attempt_id = 0;
  std::string lease_token;
  int64_t lease_ms = 0;  // lease duration; renew well within it
  int attempt = 1;
  int64_t run_id = 0, run_number = 0, job_id = 0;
  std::string project, repo, pipeline_file, pipeline_yaml;
  std::string instance_id;
  std::string branch, event, ref, commit;
  std::string inputs_json = "{}";
  std::string needs_json = "{}";  // {job: {result, outputs}}
  // Archives of the jobs it needs that kept artifacts, in pipeline order (a later one's file
  // wins where two hold the same path). Absent in the JSON of older servers: none.
  std::vector<ArtifactRef> artifacts;

  std::string ToJson() const;
  static Result<JobAssignment> FromJson(std::string_view json);
};

// A stored JSON document (a run's inputs, a job's matrix or needs) as an expression value.
// Text that is not JSON gives an empty map.
expr::Value ValueFromJson(std::string_view json_text);

// Job artifacts on the server (artifact_store.cc): one tree archive (util/tree_archive.h) per
// attempt that uploaded one, at root/<project id>/<run id>/<attempt id>.slwa. Only successful
// attempts upload (agents do not upload otherwise), and readers use the archive of a job's
// successful attempt, so the archive of an attempt that was lost or failed is never handed on.
// Archives stay until their project is removed (RemoveProject).
//
// An archive appears whole or not at all: it streams into a temp file beside its final place,
// checked entry by entry as it comes (tree_archive::Verify), then is fsynced and renamed over
// any earlier upload of the same attempt. Thread-safe.
// Publishes what a job declares under `artifacts.publish` into the server's registry, from the
// archive of files the job kept (engine/publish.cc): a `path` becomes an OCI artifact (the
// empty config, one layer per file titled with its path), an `oci-layout` the image it holds;
// each is tagged "<commit 12>-run<number>" and gets two referrers: a DSSE envelope with a SLSA
// Provenance v1 statement signed by the server's key, and an SBOM (the files the entry names,
// else a CycloneDX document listing the artifact's files and their hashes). Thread-safe.
class Publisher {
 public:
  Publisher(registry::Registry* registry, registry::KeyRing* keys);

  // The builder id written into provenance (the server's URL); set once it is known.
  void set_builder_id(std::string id);

  struct Context {
    const store::Project* project = nullptr;
    const store::Run* run = nullptr;
    const spec::Job* job = nullptr;
    store::Time started, finished;  // the attempt's
  };
  // Publishes every entry of context.job->publish from the tree archive `archive`; returns
  // "repository@digest" per entry. Errors name the entry (its path) and what failed.
  Result<std::vector<std::string>> Publish(const Context& context,
                                           const std::filesystem::path& archive);

 private:
  registry::Registry* registry_;
  registry::KeyRing* keys_;
  mutable std::mutex mutex_;
  std::string builder_id_;
};

struct ArtifactStoreOptions {
  std::filesystem::path root;              // required; created when missing
  uint64_t max_bytes = uint64_t{1} << 30;  // the largest archive accepted (1 GiB)
};

class ArtifactStore {
 public:
  explicit ArtifactStore(ArtifactStoreOptions options);

  // Stores the archive `source` yields as attempt `attempt_id`'s of `run`. `still_leased` is
  // asked after the last byte, before the archive is made visible: an error from it (the lease
  // was lost meanwhile) is returned and nothing is stored. Errors: kResourceExhausted over
  // max_bytes, kInvalidArgument for a malformed archive, the source's own errors unchanged (a
  // client that went away), the filesystem's naming the path (kUnavailable: a full disk).
  // Nothing is stored after an error.
  Result<tree_archive::Summary> Put(const store::Run& run, int64_t attempt_id,
                                    const tree_archive::ByteSource& source,
                                    const std::function<Status()>& still_leased);

  struct Archive {
    std::filesystem::path path;
    uint64_t size = 0;
  };
  // The archive attempt `attempt_id` of `run` uploaded; nullopt when there is none.
  std::optional<Archive> Find(const store::Run& run, int64_t attempt_id) const;
  // False when no attempt of `run` uploaded an archive (one stat: lets a lease skip the
  // look-up for runs without artifacts); true does not promise one (an upload was refused).
  bool HasAny(const store::Run& run) const;
  // Removes the archives of every run of the project (call after the project is removed).
  Status RemoveProject(int64_t project_id);

  uint64_t max_bytes() const { return options_.max_bytes; }

 private:
  std::filesystem::path RunDir(const store::Run& run) const;
  ArtifactStoreOptions options_;
};

// The server's own check of the logs agents send ("masking is applied on the agent and checked
// again on the server"). Agents mask secrets before they ship a line; an agent that does not
// (an old or custom one, a bug) must still not get a secret into the stored log, which every
// viewer of the project can read. So each chunk is scanned again before it is stored for:
//  - the values registered with AddSecret, in every form the runner's Masker masks (base64 at
//    any alignment, percent-encoding, JSON escaping, each line of a multi-line value);
//  - slipway API tokens ("slw_…"): found by their shape and confirmed by their hash in the
//    store (a job can see one: an agent started with $SLIPWAY_AGENT_TOKEN passes its
//    environment to its jobs).
// What is found is overwritten with '*' byte for byte, so the offsets agents and followers use
// stay valid (a masking agent sends `***` instead, and nothing is found). A secret split
// across chunks is masked too: a chunk that ends with the start of a secret has that start
// masked, and the next chunk's rest of it is recognised (chunk_scrub.h has the rules).
// Each chunk with a find is reported (attempt and count, never the value) and counted.
// Thread-safe.
class LogScrubber {
 public:
  struct Options {
    // Receives one line for the server's log per chunk that had something masked.
    std::function<void(const std::string&)> report;
    // Tokens looked up in the store per chunk; token-shaped strings past this many are
    // masked without a lookup (a chunk full of fake tokens costs bounded work).
    int max_token_lookups = 64;
    // Attempts whose context (the stored bytes before their next chunk) is kept in memory;
    // past this, the least recently used is dropped and read back from the store if needed.
    size_t max_attempts = 4096;
  };

  LogScrubber(store::Store* store, Options options);
  explicit LogScrubber(store::Store* store) : LogScrubber(store, Options()) {}
  ~LogScrubber();
  LogScrubber(const LogScrubber&) = delete;
  LogScrubber& operator=(const LogScrubber&) = delete;

  // Looks for `value` (and its forms) in chunks checked from now on. Empty values are ignored.
  void AddSecret(std::string_view value);
  // store::Store::AppendLog of the checked chunk: same offsets, same errors.
  Status Append(int64_t attempt_id, int64_t offset, std::string_view data);
  // The attempt's log is complete: drops what is kept for it.
  void Forget(int64_t attempt_id);
  // Stretches masked since the start, over all attempts.
  uint64_t masked() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct AgentServiceOptions {
  std::chrono::milliseconds lease{30000};
  WorkSignal* finished = nullptr;  // notified when an attempt finishes (wakes the dispatcher)
  size_t plan_cache_runs = 64;     // runs whose plans AgentService::plans() holds at most
  // Where attempts' artifacts go and come from (borrowed). Null: the server keeps no
  // artifacts; uploads are refused (kFailedPrecondition) and assignments list none.
  ArtifactStore* artifacts = nullptr;
  // Checks every log chunk before it is stored (borrowed). Null: chunks are stored as sent.
  LogScrubber* scrubber = nullptr;
  // Publishes `artifacts.publish` of a job whose attempt succeeded, before the attempt is
  // recorded (borrowed; needs `artifacts`). A failure to publish fails the attempt. Null: such
  // entries are not published.
  Publisher* publisher = nullptr;
};

// The agent-facing operations, used by the HTTP API for remote agents and directly by
// embedded agents. Thread-safe.
class AgentService {
 public:
  AgentService(store::Store* store, WorkSignal* work, AgentServiceOptions options);

  // Leases the oldest queued job the agent's labels allow, waiting up to `wait` for one.
  // With `required_label`, only jobs whose runs-on names it (the deploy agent's jobs).
  Result<std::optional<JobAssignment>> Lease(int64_t agent_id,
                                             const std::vector<std::string>& labels,
                                             std::chrono::milliseconds wait,
                                             const std::string& required_label = "");
  struct HeartbeatReply {
    bool cancel = false;  // stop the job: the run was cancelled or fail-fast hit it
  };
  Result<HeartbeatReply> Heartbeat(int64_t attempt_id, std::string_view lease_token);
  Status AppendLog(int64_t attempt_id, std::string_view lease_token, int64_t offset,
                   std::string_view data);
  Status Finish(int64_t attempt_id, std::string_view lease_token,
                const runner::AttemptReport& report);

  // The run plans leases read (the `needs` of a job comes from its run's plan). Give it to the
  // Dispatcher (DispatcherOptions::plans) so a lease finds the plan the dispatcher built.
  RunPlanCache& plans() { return plans_; }

  // Artifacts (agent_artifacts.cc). PutArtifacts stores the archive of a successful attempt
  // while its lease is live (ArtifactStore::Put; kFailedPrecondition once the lease is gone);
  // an agent calls it before Finish, so dependents find it when they are leased.
  Result<tree_archive::Summary> PutArtifacts(int64_t attempt_id, std::string_view lease_token,
                                             const tree_archive::ByteSource& source);
  // The archive of attempt `source_attempt_id`, for the agent holding `attempt_id`'s lease:
  // only archives of that attempt's run, of attempts that succeeded (kNotFound otherwise).
  Result<ArtifactStore::Archive> OpenArtifacts(int64_t attempt_id, std::string_view lease_token,
                                               int64_t source_attempt_id);

 private:
  Status CheckLease(int64_t attempt_id, std::string_view lease_token, store::Attempt* attempt);
  Result<std::string> NeedsJson(const store::Run& run, const store::Job& job);
  // The archives of the successful instances of the jobs `job` needs (agent_artifacts.cc).
  Result<std::vector<ArtifactRef>> NeedsArtifacts(const store::Run& run, const store::Job& job);
  // Publishes the `artifacts.publish` entries of the job of `attempt` (which succeeded) with
  // options_.publisher; the references published, none when the job declares none.
  Result<std::vector<std::string>> PublishArtifacts(const store::Attempt& attempt,
                                                    store::Time finished);

  store::Store* store_;
  WorkSignal* work_;
  AgentServiceOptions options_;
  RunPlanCache plans_;
};

}  // namespace slipway::engine
