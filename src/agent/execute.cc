// ExecuteAssignment: one leased job, from workspace to reported result.
#include "agent/execute.h"

#include <thread>

#include "agent/artifacts_transfer.h"
#include "agent/workbench.h"
#include "runner/runner.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

// Writes the repository files at the job's commit into the workspace: those of the pipeline
// file's directory, as `slipway run` does.
Status Prepare(const engine::JobAssignment& job, SourceSnapshots& sources,
               const fs::path& workspace) {
  const std::string subdir = fs::path(job.pipeline_file).parent_path().generic_string();
  return sources.CopyInto(job.repo, job.commit, subdir, workspace);
}

expr::Activation ActivationFor(const engine::JobAssignment& job, const spec::JobInstance& instance,
                               const std::vector<std::string>& environment) {
  expr::Activation activation;
  activation.variables["branch"] = expr::Value(job.branch);
  activation.variables["event"] = expr::Value(job.event);
  activation.variables["inputs"] = engine::ValueFromJson(job.inputs_json);
  activation.variables["needs"] = engine::ValueFromJson(job.needs_json);
  expr::Value::Map matrix;
  for (const auto& [axis, value] : instance.matrix) matrix.emplace(axis, expr::Value(value));
  activation.variables["matrix"] = expr::Value(std::move(matrix));
  expr::Value::Map env;
  for (const auto& entry : environment) {
    const size_t eq = entry.find('=');
    if (eq != std::string::npos)
      env.emplace(entry.substr(0, eq), expr::Value(entry.substr(eq + 1)));
  }
  activation.variables["env"] = expr::Value(std::move(env));
  return activation;
}

// The environment every step starts from: the agent's, the pipeline's env, what the run is.
std::vector<std::string> BaseEnvironment(const engine::JobAssignment& job,
                                         const spec::Pipeline& pipeline,
                                         const std::vector<std::string>& agent_env) {
  std::vector<std::string> env = agent_env;
  for (const auto& [name, value] : pipeline.env) env.push_back(name + "=" + value);
  env.push_back("SLIPWAY_COMMIT=" + job.commit);
  env.push_back("SLIPWAY_PROJECT=" + job.project);
  env.push_back("SLIPWAY_RUN_NUMBER=" + std::to_string(job.run_number));
  return env;
}

runner::AttemptReport Failed(const engine::JobAssignment& job, runner::Outcome outcome,
                             std::string reason) {
  runner::AttemptReport report;
  report.attempt = job.attempt;
  report.outcome = outcome;
  report.reason = std::move(reason);
  return report;
}

// Reports the result until the server takes it; a lost lease ends the attempt silently.
void Report(Transport& transport, const engine::JobAssignment& job,
            const runner::AttemptReport& report, const AgentOptions& options) {
  for (int tries = 0; tries < 600; ++tries) {
    Status status = transport.Finish(job, report);
    if (status.ok() || status.code() == StatusCode::kFailedPrecondition ||
        status.code() == StatusCode::kInvalidArgument) {
      return;
    }
    std::this_thread::sleep_for(options.retry_delay);
  }
}

}  // namespace

void ExecuteAssignment(Transport& transport, const engine::JobAssignment& job,
                       const AgentOptions& options, Workbench& workbench, WorkerThreads& threads,
                       StopRelay& stop) {
  const fs::path job_dir = options.work_dir / "jobs" / std::to_string(job.attempt_id);
  const fs::path workspace = job_dir / "workspace";
  const fs::path temp = job_dir / "tmp";
  std::error_code ec;
  fs::create_directories(temp, ec);

  CancelToken cancel;
  runner::AttemptReport report;
  bool lease_lost = false;
  {
    LogShipper& log = threads.log;
    log.Begin(&job);
    threads.heartbeat.Begin(&job, &cancel);
    const StopRelay::Watch stopping(&stop, &cancel);  // the agent stopping cancels the job too

    const std::shared_ptr<const ParsedPipeline> parsed =
        workbench.pipelines.Get(job.pipeline_file, job.pipeline_yaml);
    const spec::JobInstance* instance = parsed->Find(job.instance_id);
    if (!parsed->loaded.ok()) {
      report = Failed(job, runner::Outcome::kFailure, "the pipeline file does not validate");
      for (const auto& d : parsed->loaded.diagnostics) log.Line(d.ToString());
    } else if (instance == nullptr) {
      report = Failed(job, runner::Outcome::kInfra,
                      "could not prepare the workspace: job '" + job.instance_id +
                          "' is not in the run's pipeline");
      log.Line("✘ " + report.reason);
    } else if (Status prepared = Prepare(job, workbench.sources, workspace); !prepared.ok()) {
      report = Failed(job, runner::Outcome::kInfra,
                      "could not prepare the workspace: " + prepared.message());
      log.Line("✘ " + report.reason);
    } else if (Status fetched = FetchNeededArtifacts(transport, job, workspace, job_dir, log,
                                                     cancel, options.retry_delay);
               !fetched.ok()) {
      report = Failed(job, runner::Outcome::kInfra,
                      "could not prepare the workspace: " + fetched.message());
      log.Line("✘ " + report.reason);
    } else {
      const spec::Pipeline& pipeline = *parsed->loaded.pipeline;
      runner::Masker masker;
      RealProcessLauncher launcher;
      runner::JobAttempt attempt;
      attempt.instance = instance;
      attempt.attempt = job.attempt;
      attempt.run_id = std::to_string(job.run_id);
      attempt.workspace = workspace;
      attempt.temp_dir = temp;
      attempt.environment = BaseEnvironment(job, pipeline, options.environment);
      attempt.activation = ActivationFor(job, *instance, attempt.environment);
      attempt.cancel = &cancel;
      attempt.launcher = &launcher;
      attempt.masker = &masker;
      attempt.log = &log;
      attempt.kill_grace = options.kill_grace;
      attempt.pipeline = &pipeline;
      attempt.deployer = options.deployer;
      attempt.project = job.project;
      attempt.pipeline_yaml = job.pipeline_yaml;
      report = runner::RunAttempt(attempt);
      if (report.outcome == runner::Outcome::kSuccess) {
        KeepArtifacts(transport, job, *instance->job, workspace, job_dir, log, cancel,
                      options.retry_delay, &report);
      }
    }
    log.Close();  // under the heartbeat: a long final delivery keeps the lease
    lease_lost = threads.heartbeat.End();
  }
  if (!lease_lost) Report(transport, job, report, options);
  // Off the worker's path: the next lease need not wait for the file system.
  workbench.sweeper.Remove(job_dir);
}

}  // namespace slipway::agent
