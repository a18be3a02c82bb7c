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
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/runner.h"
#include "spec/spec.h"
#include "store/store.h"
#include "util/status.h"

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
  ProcessLauncher* launcher = nullptr;  // required
  RunObserver* observer = nullptr;      // required
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
};

// Validates the pipeline and stores the run with one job row per job instance, queued for the
// dispatcher. A pipeline that fails validation still makes a run: a failed one whose `error`
// lists every problem as file:line:col: message. Bad inputs are an error (no run).
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

struct DispatcherOptions {
  // After the dispatcher starts, leases are not expired for this long: agents could not renew
  // while the server was down, and must get the chance to before their jobs are retried.
  std::chrono::milliseconds restart_grace{30000};
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

  std::string ToJson() const;
  static Result<JobAssignment> FromJson(std::string_view json);
};

// A stored JSON document (a run's inputs, a job's matrix or needs) as an expression value.
// Text that is not JSON gives an empty map.
expr::Value ValueFromJson(std::string_view json_text);

struct AgentServiceOptions {
  std::chrono::milliseconds lease{30000};
  WorkSignal* finished = nullptr;  // notified when an attempt finishes (wakes the dispatcher)
};

// The agent-facing operations, used by the HTTP API for remote agents and directly by
// embedded agents. Thread-safe.
class AgentService {
 public:
  AgentService(store::Store* store, WorkSignal* work, AgentServiceOptions options);

  // Leases the oldest queued job the agent's labels allow, waiting up to `wait` for one.
  Result<std::optional<JobAssignment>> Lease(int64_t agent_id,
                                             const std::vector<std::string>& labels,
                                             std::chrono::milliseconds wait);
  struct HeartbeatReply {
    bool cancel = false;  // stop the job: the run was cancelled or fail-fast hit it
  };
  Result<HeartbeatReply> Heartbeat(int64_t attempt_id, std::string_view lease_token);
  Status AppendLog(int64_t attempt_id, std::string_view lease_token, int64_t offset,
                   std::string_view data);
  Status Finish(int64_t attempt_id, std::string_view lease_token,
                const runner::AttemptReport& report);

 private:
  Status CheckLease(int64_t attempt_id, std::string_view lease_token, store::Attempt* attempt);

  store::Store* store_;
  WorkSignal* work_;
  AgentServiceOptions options_;
};

}  // namespace slipway::engine
