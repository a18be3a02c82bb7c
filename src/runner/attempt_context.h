// The state one job attempt carries from step to step: environment, expression values,
// the masked log stream, outputs written so far and the process groups steps left behind.
// Private to the runner; RunAttempt (job_runner.cc) drives it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runner/log_stream.h"
#include "runner/runner.h"

namespace slipway::runner {

// How one step's process ended.
struct StepRun {
  Outcome outcome = Outcome::kSuccess;
  int exit_code = -1;
  std::chrono::milliseconds duration{0};
  std::string reason;         // "exited with 2", "timed out after 5s", ...
  bool job_deadline = false;  // stopped because the job's own timeout ran out
};

class AttemptContext {
 public:
  explicit AttemptContext(const JobAttempt& attempt);
  ~AttemptContext();
  AttemptContext(const AttemptContext&) = delete;
  AttemptContext& operator=(const AttemptContext&) = delete;

  const JobAttempt& attempt() const { return attempt_; }
  const expr::Activation& activation() const { return activation_; }
  bool cancelled() const;

  // Log: every line goes through the masker before it reaches the sink.
  void StartLog();
  void FinishLog();
  void Notice(const std::string& line);
  std::string Mask(std::string_view text) const;

  // Renders the job's env over the attempt's base environment. On failure, `error` says why.
  bool PrepareJobEnvironment(std::string* error);

  // Display name: `name:` rendered, else the first line of `run`; masked.
  std::string StepName(const spec::Step& step, size_t index) const;

  // Renders and runs one step with at most `remaining` of the job's time.
  StepRun RunStep(const spec::Step& step, size_t index, std::chrono::milliseconds remaining);

  void RestoreCaches();
  void SaveCaches();

  std::vector<TestResult> CollectTestReports();
  std::vector<std::pair<std::string, std::string>> DeclaredOutputs() const;

  // Removes background processes steps left behind (their process groups).
  void RemoveLeftoverProcesses();

  // Renders a template of the job (not of a step) with the job's contexts.
  std::variant<std::string, expr::Error> RenderJobTemplate(const std::string& text) const {
    return Render(text, activation_);
  }

 private:
  std::vector<std::string> EnvironmentFor(const std::map<std::string, std::string>& step_env,
                                          const std::string& output_file, size_t step) const;
  std::variant<std::string, expr::Error> Render(const std::string& text,
                                                const expr::Activation& activation) const;
  bool ReadStepOutputs(const std::string& output_file, StepRun* run);

  const JobAttempt& attempt_;
  const spec::Job& job_;
  expr::Activation activation_;
  std::map<std::string, std::string> env_;  // base + job env
  std::unique_ptr<LogStream> log_;
  std::vector<pid_t> step_groups_;
  std::vector<std::pair<std::string, std::string>> written_outputs_;
  std::vector<std::pair<std::string, std::string>> cache_keys_;  // rendered key per cache
};

}  // namespace slipway::runner
