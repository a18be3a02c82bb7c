// Runs a whole pipeline: the DAG of job instances, in parallel, with retries, matrix
// fail-fast, artifacts and outputs handed from jobs to their dependents.
//
// The engine decides what runs when; the runner (runner/runner.h) runs one attempt of one job.
// `slipway run` drives the engine directly; the server's scheduler (coming) reuses the same
// pieces with a persistent queue.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/runner.h"
#include "spec/spec.h"
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

// Runs the pipeline to completion (or cancellation). Errors are about the request
// (unknown --job, bad inputs, unusable work_dir); job failures are in the RunResult.
Result<RunResult> RunPipeline(const spec::Pipeline& pipeline, const RunOptions& options);

}  // namespace slipway::engine
