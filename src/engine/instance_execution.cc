// One job instance on a worker thread: attempts, retries, workspaces, flaky tests.
#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "engine/pipeline_run.h"
#include "util/fs.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string TestKey(const runner::TestResult& test) {
  return test.suite + "/" + test.classname + "/" + test.name;
}

// Tests that failed in an attempt and passed in a later one.
std::vector<std::string> FlakyTests(const std::vector<runner::AttemptReport>& attempts) {
  std::set<std::string> failed_before, flaky;
  for (const auto& attempt : attempts) {
    for (const auto& test : attempt.tests) {
      const std::string key = TestKey(test);
      if (test.status == runner::TestResult::Status::kPassed && failed_before.count(key)) {
        flaky.insert(key);
      }
    }
    for (const auto& test : attempt.tests) {
      if (test.status == runner::TestResult::Status::kFailed ||
          test.status == runner::TestResult::Status::kError) {
        failed_before.insert(TestKey(test));
      }
    }
  }
  return {flaky.begin(), flaky.end()};
}

}  // namespace

void PipelineRun::Execute(size_t index) {
  InstanceState& state = instances_[index];
  const spec::Job& job = *state.instance.job;
  const auto start = Clock::now();
  const int max_attempts = job.retry.max + 1;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    std::unique_ptr<runner::LogSink> log = options_.observer->OpenLog(state.instance, attempt);
    options_.observer->AttemptStarted(state.instance, attempt);
    const std::string tag = std::to_string(index) + "-" + std::to_string(attempt);
    const fs::path workspace = options_.work_dir / "ws" / tag;
    const fs::path temp = options_.work_dir / "tmp" / tag;

    runner::AttemptReport report;
    Status prepared = PrepareWorkspace(state, workspace);
    std::error_code ec;
    if (prepared.ok() && !fs::create_directories(temp, ec) && ec) {
      prepared = ErrnoStatus("cannot create " + temp.string(), ec.value());
    }
    if (!prepared.ok()) {
      report.attempt = attempt;
      report.outcome = Outcome::kInfra;
      report.reason = "could not prepare the workspace: " + prepared.message();
      log->Line("✘ " + report.reason);
    } else {
      runner::JobAttempt request;
      request.instance = &state.instance;
      request.attempt = attempt;
      request.run_id = options_.run_id;
      request.workspace = workspace;
      request.temp_dir = temp;
      request.activation = state.activation;
      request.environment = base_environment_;
      request.cancel = state.cancel.get();
      request.launcher = options_.launcher;
      request.masker = &masker_;
      request.log = log.get();
      request.cache = options_.cache;
      request.cache_scope = &cache_scope_;
      request.kill_grace = options_.kill_grace;
      request.pipeline = &pipeline_;
      request.deployer = options_.deployer;
      request.project = options_.project;
      request.pipeline_yaml = options_.pipeline_yaml;
      report = runner::RunAttempt(request);
      if (report.outcome == Outcome::kSuccess) SaveArtifacts(state, workspace, *log);
    }
    if (!options_.keep_workspaces) {
      (void)RemoveTree(workspace);
      (void)RemoveTree(temp);
    }
    const bool retry = attempt < max_attempts &&
                       ShouldRetry(job.retry, report.outcome, report.exit_code) &&
                       !state.cancel->cancelled();
    if (retry) {
      log->Line("↻ retrying (attempt " + std::to_string(attempt + 1) + " of " +
                std::to_string(max_attempts) + ")");
    }
    log->EndOfChunk();
    state.result.attempts.push_back(std::move(report));
    if (!retry) break;
  }

  const runner::AttemptReport& last = state.result.attempts.back();
  state.result.outcome = last.outcome;
  state.result.reason = last.reason;
  state.result.outputs = last.outputs;
  state.result.flaky_tests = FlakyTests(state.result.attempts);
  state.result.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

}  // namespace slipway::engine
