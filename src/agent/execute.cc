// ExecuteAssignment: one leased job, from workspace to reported result.
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "agent/agent.h"
#include "agent/log_shipper.h"
#include "agent/mirrors.h"
#include "runner/runner.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

// Renews the lease on a thread of its own, so a job that keeps every core busy still keeps its
// lease; turns a cancel request or a lost lease into `cancel`. The beat comes every second (or
// every third of the lease when that is shorter): the reply is how a cancel reaches the agent,
// and a cancelled run's jobs must stop within 2 s.
class Heartbeat {
 public:
  Heartbeat(Transport* transport, const engine::JobAssignment* job, CancelToken* cancel)
      : transport_(transport), job_(job), cancel_(cancel) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Heartbeat() {
    done_.Cancel();
    thread_.join();
  }
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  bool lease_lost() const { return lease_lost_.load(); }

 private:
  void Loop() {
    const auto interval =
        std::chrono::milliseconds(std::clamp<int64_t>(job_->lease_ms / 3, 50, kMaxInterval));
    while (!WaitFor(interval)) {
      auto reply = transport_->Heartbeat(*job_);
      if (reply.ok()) {
        if (reply->cancel) cancel_->Cancel();
      } else if (reply.status().code() == StatusCode::kFailedPrecondition) {
        lease_lost_ = true;  // another agent may run it now: stop, report nothing
        cancel_->Cancel();
        return;
      }
      // Unreachable server: keep running and keep trying; the lease outlives short outages.
    }
  }
  // True when the job is over.
  bool WaitFor(std::chrono::milliseconds interval) {
    pollfd fd{done_.wait_fd(), POLLIN, 0};
    return poll(&fd, 1, static_cast<int>(interval.count())) > 0;
  }

  static constexpr int64_t kMaxInterval = 1000;  // ms

  Transport* transport_;
  const engine::JobAssignment* job_;
  CancelToken* cancel_;
  CancelToken done_;
  std::atomic<bool> lease_lost_{false};
  std::thread thread_;
};

// Parses the pipeline and finds the job instance; prepares the workspace at the commit.
Result<spec::JobInstance> Prepare(const engine::JobAssignment& job, const spec::Pipeline& pipeline,
                                  RepositoryMirrors& mirrors, const fs::path& workspace) {
  spec::JobInstance found;
  for (auto& instance : spec::ExpandPipeline(pipeline)) {
    if (instance.id == job.instance_id) found = std::move(instance);
  }
  if (found.job == nullptr) {
    return NotFound("job '" + job.instance_id + "' is not in the run's pipeline");
  }
  SLIPWAY_ASSIGN_OR_RETURN(fs::path mirror, mirrors.Ensure(job.repo, job.commit));
  const std::string subdir = fs::path(job.pipeline_file).parent_path().generic_string();
  SLIPWAY_RETURN_IF_ERROR(engine::CheckoutCommit(mirror, job.commit, subdir, workspace));
  return found;
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
                       const AgentOptions& options, RepositoryMirrors& mirrors,
                       const CancelToken& stop) {
  const fs::path job_dir = options.work_dir / "jobs" / std::to_string(job.attempt_id);
  const fs::path workspace = job_dir / "workspace";
  const fs::path temp = job_dir / "tmp";
  std::error_code ec;
  fs::create_directories(temp, ec);

  CancelToken cancel;
  runner::AttemptReport report;
  bool lease_lost = false;
  {
    LogShipper log(&transport, &job, options.log_flush, options.retry_delay);
    Heartbeat heartbeat(&transport, &job, &cancel);
    // The agent stopping cancels the job too.
    std::thread stop_watch([&] {
      pollfd fds[2] = {{stop.wait_fd(), POLLIN, 0}, {cancel.wait_fd(), POLLIN, 0}};
      while (poll(fds, 2, -1) < 0 && errno == EINTR) {
      }
      cancel.Cancel();
    });

    spec::LoadResult loaded = spec::ParsePipeline(job.pipeline_yaml, job.pipeline_file);
    if (!loaded.ok()) {
      report = Failed(job, runner::Outcome::kFailure, "the pipeline file does not validate");
      for (const auto& d : loaded.diagnostics) log.Line(d.ToString());
    } else if (auto instance = Prepare(job, *loaded.pipeline, mirrors, workspace); !instance.ok()) {
      report = Failed(job, runner::Outcome::kInfra,
                      "could not prepare the workspace: " + instance.status().message());
      log.Line("✘ " + report.reason);
    } else {
      runner::Masker masker;
      RealProcessLauncher launcher;
      runner::JobAttempt attempt;
      attempt.instance = &*instance;
      attempt.attempt = job.attempt;
      attempt.run_id = std::to_string(job.run_id);
      attempt.workspace = workspace;
      attempt.temp_dir = temp;
      attempt.environment = BaseEnvironment(job, *loaded.pipeline, options.environment);
      attempt.activation = ActivationFor(job, *instance, attempt.environment);
      attempt.cancel = &cancel;
      attempt.launcher = &launcher;
      attempt.masker = &masker;
      attempt.log = &log;
      attempt.kill_grace = options.kill_grace;
      report = runner::RunAttempt(attempt);
    }
    cancel.Cancel();  // ends the stop watcher
    stop_watch.join();
    lease_lost = heartbeat.lease_lost();
    if (!lease_lost) log.Close();
  }
  (void)RemoveTree(job_dir);
  if (!lease_lost) Report(transport, job, report, options);
}

}  // namespace slipway::agent
