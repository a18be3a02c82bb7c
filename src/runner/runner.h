// Runs one attempt of one job instance: its steps, in a workspace the caller prepared.
//
// The same code runs jobs for `slipway run`, for the server's embedded agents and for remote
// agents. The runner knows nothing of DAGs, retries or other jobs: the engine decides what
// runs when and hands the runner everything the attempt may see (expression values,
// environment, secrets) in a JobAttempt.
//
// What leaves a job (log lines, outputs, test messages) passes through the Masker first.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "expr/expr.h"
#include "runner/masker.h"
#include "spec/spec.h"
#include "util/status.h"

namespace slipway {
class CancelToken;
class ProcessLauncher;
}  // namespace slipway
namespace slipway::cache {
class Cache;
struct CacheScope;
}  // namespace slipway::cache

namespace slipway::runner {

// How a step, an attempt or a job ended.
enum class Outcome {
  kSuccess,
  kFailure,    // a step failed (non-zero exit, signal, bad template, ...)
  kTimedOut,   // a step or the job ran past its timeout
  kCancelled,  // the run was cancelled
  kInfra,      // slipway could not run the job (workspace, spawn, disk): not the job's fault
  kSkipped,    // an `if:` was false or a dependency did not succeed
};
const char* OutcomeName(Outcome outcome);  // "success", "failure", "timed out", ...
std::optional<Outcome> ParseOutcome(std::string_view name);  // the inverse of OutcomeName

struct StepReport {
  std::string name;
  Outcome outcome = Outcome::kSkipped;
  int exit_code = -1;  // -1 when the step did not exit normally
  std::chrono::milliseconds duration{0};
  bool continued_on_error = false;  // failed, but `continue-on-error: true`
};

// One test case from a JUnit report.
struct TestResult {
  enum class Status { kPassed, kFailed, kError, kSkipped };
  std::string suite, classname, name;
  Status status = Status::kPassed;
  double seconds = 0;
  std::string message;  // masked
};

struct AttemptReport {
  int attempt = 1;  // 1-based
  Outcome outcome = Outcome::kSuccess;
  int exit_code = -1;  // the failing step's exit code, -1 when none
  std::string reason;  // why it did not succeed, for people ("step 'test' exited with 2")
  std::vector<StepReport> steps;
  std::vector<TestResult> tests;
  std::vector<std::pair<std::string, std::string>> outputs;  // declared outputs, masked
  std::chrono::milliseconds duration{0};
};

// Receives a job's masked output, one complete line at a time. EndOfChunk() follows each
// batch of lines so a sink can write them out in one call. Called from the job's thread.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Line(std::string_view line) = 0;
  virtual void EndOfChunk() {}
};

// What a job with `deploy:` asks of its deployer, after its steps (if any) succeeded.
struct DeployRequest {
  const spec::Pipeline* pipeline = nullptr;  // for its `environments:`
  std::string pipeline_yaml;                 // the pipeline's text (kept with the environment)
  const spec::Job* job = nullptr;            // job->deploy is set
  std::string artifact;                      // deploy.artifact, rendered
  std::filesystem::path workspace;           // the job's workspace (local artifacts live here)
  std::string project;                       // environments are per project
  std::string branch;                        // the run's (environments may allow only some)
  std::string run_id;
  std::string job_id;  // the job instance, for the deploy record
  int attempt = 1;
  const CancelToken* cancel = nullptr;  // the run was cancelled: roll back
  LogSink* log = nullptr;               // progress lines, masked like step output
};

struct DeployOutcome {
  Outcome outcome = Outcome::kSuccess;
  std::string reason;  // why it did not succeed
};

// Carries out deploys (implemented in deploy/; the server's deploy agent and `slipway run`
// pass one). Deploy blocks until the rollout promoted or rolled back. Thread-safe.
class Deployer {
 public:
  virtual ~Deployer() = default;
  virtual DeployOutcome Deploy(const DeployRequest& request) = 0;
};

// Everything one attempt needs. Pointers are borrowed and must outlive RunAttempt.
struct JobAttempt {
  const spec::JobInstance* instance = nullptr;
  int attempt = 1;
  std::string run_id;
  std::filesystem::path workspace;  // prepared: repository files and needed artifacts
  std::filesystem::path temp_dir;   // private scratch directory (scripts, output files)
  // Values expressions see: branch, event, env (process + pipeline + job env applied by the
  // runner), inputs, matrix, needs. Status functions are added by the runner.
  expr::Activation activation;
  // The base environment of every step, KEY=VALUE: the caller's process environment,
  // secrets and pipeline-level env. The runner adds job env, step env and SLIPWAY_* vars.
  std::vector<std::string> environment;
  const CancelToken* cancel = nullptr;
  ProcessLauncher* launcher = nullptr;
  Masker* masker = nullptr;
  LogSink* log = nullptr;
  cache::Cache* cache = nullptr;  // null: caches are skipped with a notice
  const cache::CacheScope* cache_scope = nullptr;
  std::chrono::milliseconds kill_grace{5000};  // SIGTERM → SIGKILL for timeouts and cancels
  // For jobs with `deploy:`: the pipeline (environments) and who deploys. Without a deployer
  // such a job fails with a reason saying where deploys run.
  const spec::Pipeline* pipeline = nullptr;
  Deployer* deployer = nullptr;
  std::string project;
  std::string pipeline_yaml;
};

// What the status functions of an `if:` condition return where it is evaluated.
struct StatusView {
  bool success = true;     // success(): everything before this point succeeded
  bool failed = false;     // failure(): something before this point failed
  bool cancelled = false;  // cancelled(): the run was cancelled
  // always() is true.
};

// Evaluates an `if:` condition (bare or wrapped in ${{ }}). Empty means success(); a condition
// that calls none of success()/failure()/always()/cancelled() means `success() && (cond)`,
// as in GitHub Actions.
std::variant<bool, expr::Error> EvaluateIf(std::string_view condition,
                                           const expr::Activation& activation,
                                           const StatusView& status);

// The report as JSON, as agents send it to the server and the API shows it:
// {"attempt", "result", "exit_code", "reason", "duration_ms", "steps": [...], "tests": [...],
//  "outputs": {...}}. Parsing rejects documents that do not have this shape, naming the field.
std::string AttemptReportToJson(const AttemptReport& report);
Result<AttemptReport> AttemptReportFromJson(std::string_view json);

// Runs the attempt's steps in order and reports how it went. Never throws; problems of the
// environment (cannot write a script, cannot spawn a shell) are kInfra outcomes.
AttemptReport RunAttempt(const JobAttempt& attempt);

}  // namespace slipway::runner
