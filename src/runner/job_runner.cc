// RunAttempt: one attempt of one job instance, step by step.
#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runner/attempt_context.h"
#include "runner/runner.h"
#include "util/cancel.h"
#include "util/duration_format.h"

namespace slipway::runner {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class AttemptExecution {
 public:
  explicit AttemptExecution(const JobAttempt& attempt)
      : context_(attempt), job_(*attempt.instance->job) {}

  AttemptReport Run() {
    const auto start = Clock::now();
    context_.StartLog();
    report_.attempt = context_.attempt().attempt;
    if (context_.PrepareJobEnvironment(&failure_)) {
      context_.RestoreCaches();
      RunSteps();
      if (job_.deploy && report_.outcome == Outcome::kSuccess) Deploy();
    } else {
      Fail(Outcome::kFailure, failure_);
    }
    report_.tests = context_.CollectTestReports();
    report_.outputs = context_.DeclaredOutputs();
    if (report_.outcome == Outcome::kSuccess) context_.SaveCaches();
    context_.RemoveLeftoverProcesses();
    report_.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    context_.Notice(std::string(report_.outcome == Outcome::kSuccess ? "✔" : "✘") + " job " +
                    OutcomeName(report_.outcome) +
                    (report_.reason.empty() ? "" : ": " + report_.reason));
    context_.FinishLog();
    report_.reason = context_.Mask(report_.reason);
    return std::move(report_);
  }

 private:
  // Records the first thing that made the attempt not succeed.
  void Fail(Outcome outcome, std::string reason, int exit_code = -1) {
    if (report_.outcome != Outcome::kSuccess) return;
    report_.outcome = outcome;
    report_.reason = std::move(reason);
    report_.exit_code = exit_code;
  }

  void RunSteps() {
    const auto deadline = Clock::now() + job_.timeout;
    bool job_timed_out = false;
    for (size_t i = 0; i < job_.steps.size(); ++i) {
      const spec::Step& step = job_.steps[i];
      StepReport step_report;
      step_report.name = context_.StepName(step, i);
      const bool cancelled = context_.cancelled();
      if (cancelled || job_timed_out) {
        report_.steps.push_back(std::move(step_report));  // skipped: the job is ending
        continue;
      }
      const bool failed = report_.outcome != Outcome::kSuccess;
      StatusView status{.success = !failed, .failed = failed, .cancelled = false};
      auto run = EvaluateIf(step.if_condition, context_.activation(), status);
      if (auto* error = std::get_if<expr::Error>(&run)) {
        step_report.outcome = Outcome::kFailure;
        Fail(Outcome::kFailure, "step '" + step_report.name + "': if: " + error->message);
        context_.Notice("✘ " + report_.reason);
        report_.steps.push_back(std::move(step_report));
        continue;
      }
      if (!std::get<bool>(run)) {
        context_.Notice("○ " + step_report.name + " (skipped)");
        report_.steps.push_back(std::move(step_report));
        continue;
      }
      const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (remaining <= milliseconds(0)) {
        job_timed_out = true;
        Fail(Outcome::kTimedOut, "job timed out after " + FormatDuration(job_.timeout));
        report_.steps.push_back(std::move(step_report));
        continue;
      }
      StepRun result = context_.RunStep(step, i, remaining);
      step_report.outcome = result.outcome;
      step_report.exit_code = result.exit_code;
      step_report.duration = result.duration;
      if (result.outcome == Outcome::kSuccess) {
        context_.Notice("✔ " + step_report.name + " (" + FormatDuration(result.duration) + ")");
      } else if (step.continue_on_error && result.outcome != Outcome::kCancelled &&
                 !result.job_deadline) {
        step_report.continued_on_error = true;
        context_.Notice("✘ " + step_report.name + ": " + result.reason +
                        " (continue-on-error: the job goes on)");
      } else {
        if (result.job_deadline) {
          job_timed_out = true;
          result.reason = "job timed out after " + FormatDuration(job_.timeout);
        }
        context_.Notice("✘ " + step_report.name + ": " + result.reason);
        Fail(result.outcome, "step '" + step_report.name + "' " + result.reason, result.exit_code);
      }
      report_.steps.push_back(std::move(step_report));
    }
    if (context_.cancelled() && report_.outcome == Outcome::kSuccess) {
      Fail(Outcome::kCancelled, "the run was cancelled");
    }
  }

  // Job output lines through the attempt's masked log.
  class NoticeSink : public LogSink {
   public:
    explicit NoticeSink(AttemptContext& context) : context_(context) {}
    void Line(std::string_view line) override { context_.Notice(std::string(line)); }

   private:
    AttemptContext& context_;
  };

  void Deploy() {
    const JobAttempt& attempt = context_.attempt();
    if (attempt.deployer == nullptr || attempt.pipeline == nullptr) {
      Fail(Outcome::kFailure,
           "deploy jobs run on a slipway server or with `slipway run` (this runner cannot deploy)");
      return;
    }
    auto artifact = context_.RenderJobTemplate(job_.deploy->artifact);
    if (auto* error = std::get_if<expr::Error>(&artifact)) {
      Fail(Outcome::kFailure, "deploy.artifact: " + error->message);
      return;
    }
    auto branch = context_.RenderJobTemplate("${{ branch }}");
    NoticeSink sink(context_);
    DeployOutcome outcome = attempt.deployer->Deploy(
        {.pipeline = attempt.pipeline,
         .pipeline_yaml = attempt.pipeline_yaml,
         .job = &job_,
         .artifact = std::get<std::string>(artifact),
         .workspace = attempt.workspace,
         .project = attempt.project,
         .branch = std::holds_alternative<std::string>(branch) ? std::get<std::string>(branch) : "",
         .run_id = attempt.run_id,
         .job_id = attempt.instance->id,
         .attempt = attempt.attempt,
         .cancel = attempt.cancel,
         .log = &sink});
    if (outcome.outcome != Outcome::kSuccess) Fail(outcome.outcome, outcome.reason);
  }

  AttemptContext context_;
  const spec::Job& job_;
  AttemptReport report_;
  std::string failure_;
};

}  // namespace

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kFailure:
      return "failure";
    case Outcome::kTimedOut:
      return "timed out";
    case Outcome::kCancelled:
      return "cancelled";
    case Outcome::kInfra:
      return "infra error";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "unknown";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome outcome : {Outcome::kSuccess, Outcome::kFailure, Outcome::kTimedOut,
                          Outcome::kCancelled, Outcome::kInfra, Outcome::kSkipped}) {
    if (name == OutcomeName(outcome)) return outcome;
  }
  return std::nullopt;
}

AttemptReport RunAttempt(const JobAttempt& attempt) { return AttemptExecution(attempt).Run(); }

}  // namespace slipway::runner
