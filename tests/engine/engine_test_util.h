// A scripted ProcessLauncher and a run harness for engine tests: no shell, no real processes.
//
// Steps are one-word commands the fake interprets (DirectCommand passes a plain `run:` line
// through as argv, and the fake claims every program is on PATH via its own PATH dir):
//   ok                 exit 0                fail N     exit N
//   flaky KEY N        fail (exit 1) the first N calls for KEY, then succeed
//   hang               wait until cancelled  timeout   report a timeout
//   nostart            fail to start         output K V write K=V to $SLIPWAY_OUTPUT
//   touch PATH         create PATH in the workspace
//   expect PATH        exit 0 if PATH exists in the workspace, else 1
//   junit FILE NAME pass|fail   write a one-test JUnit report
//   sleep MS           sleep, then exit 0
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "spec/spec.h"
#include "util/cancel.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace slipway::engine::testing {

namespace fs = std::filesystem;

class ScriptedLauncher final : public ProcessLauncher {
 public:
  ProcessOutcome Run(const ProcessSpec& spec, const OutputCallback& on_output,
                     const CancelToken* cancel) override {
    const int now = ++running_;
    int seen = max_running_.load();
    while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
    }
    ProcessOutcome outcome = Interpret(spec, on_output, cancel);
    --running_;
    std::lock_guard lock(mutex_);
    calls_.push_back(JobOf(spec) + ":" + Join(spec.argv));
    return outcome;
  }
  Status KillGroup(pid_t, std::chrono::milliseconds) override { return Status::Ok(); }

  int max_running() const { return max_running_.load(); }
  std::vector<std::string> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // The jobs (SLIPWAY_JOB) in the order their first step started... finished, actually:
  // calls are recorded when a step ends.
  std::vector<std::string> jobs_in_order() {
    std::vector<std::string> jobs;
    for (const auto& call : calls()) {
      std::string job = call.substr(0, call.find(':'));
      if (std::find(jobs.begin(), jobs.end(), job) == jobs.end()) jobs.push_back(job);
    }
    return jobs;
  }

 private:
  static std::string Join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
  }
  static std::string Env(const ProcessSpec& spec, const std::string& name) {
    for (const auto& entry : spec.env) {
      if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
    }
    return "";
  }
  static std::string JobOf(const ProcessSpec& spec) { return Env(spec, "SLIPWAY_JOB"); }

  ProcessOutcome Interpret(const ProcessSpec& spec, const OutputCallback& on_output,
                           const CancelToken* cancel) {
    ProcessOutcome outcome;
    outcome.kind = ProcessOutcome::Kind::kExited;
    outcome.exit_code = 0;
    const auto& argv = spec.argv;
    const std::string& verb = argv[0];
    auto arg = [&](size_t i) { return i < argv.size() ? argv[i] : std::string(); };
    if (on_output) on_output("running " + Join(argv) + "\n");
    if (verb == "fail") {
      outcome.exit_code = std::stoi(arg(1));
    } else if (verb == "flaky") {
      std::lock_guard lock(mutex_);
      if (flaky_counts_[arg(1)]++ < std::stoi(arg(2))) outcome.exit_code = 1;
    } else if (verb == "hang") {
      while (cancel != nullptr && !cancel->cancelled()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      outcome.kind = ProcessOutcome::Kind::kCancelled;
    } else if (verb == "timeout") {
      outcome.kind = ProcessOutcome::Kind::kTimedOut;
    } else if (verb == "nostart") {
      outcome.kind = ProcessOutcome::Kind::kFailedToStart;
      outcome.error = "no such program";
    } else if (verb == "output") {
      std::ofstream(Env(spec, "SLIPWAY_OUTPUT"), std::ios::app) << arg(1) << "=" << arg(2) << "\n";
    } else if (verb == "touch") {
      fs::create_directories((spec.cwd / arg(1)).parent_path());
      std::ofstream(spec.cwd / arg(1)) << "made by " << JobOf(spec) << "\n";
    } else if (verb == "expect") {
      outcome.exit_code = fs::exists(spec.cwd / arg(1)) ? 0 : 1;
    } else if (verb == "junit") {
      fs::create_directories((spec.cwd / arg(1)).parent_path());
      std::ofstream(spec.cwd / arg(1))
          << "<testsuite name=\"s\"><testcase classname=\"c\" name=\"" << arg(2) << "\">"
          << (arg(3) == "fail" ? "<failure message=\"boom\"/>" : "") << "</testcase></testsuite>";
      outcome.exit_code = arg(3) == "fail" ? 1 : 0;
    } else if (verb == "sleep") {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(arg(1))));
    } else if (verb != "ok") {
      outcome.exit_code = 127;
    }
    return outcome;
  }

  std::mutex mutex_;
  std::vector<std::string> calls_;
  std::map<std::string, int> flaky_counts_;
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
};

// Collects what the engine reports; logs are discarded.
class QuietObserver final : public RunObserver {
 public:
  class NullSink final : public runner::LogSink {
   public:
    void Line(std::string_view) override {}
  };
  std::unique_ptr<runner::LogSink> OpenLog(const spec::JobInstance&, int) override {
    return std::make_unique<NullSink>();
  }
};

// Runs pipelines from YAML text with the scripted launcher. Every verb of the launcher is
// made an executable file in a PATH directory so DirectCommand runs steps without a shell.
class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("engine-test-");
    ASSERT_TRUE(dir.ok());
    root_ = *dir;
    fs::create_directories(root_ / "bin");
    fs::create_directories(root_ / "source");
    for (const char* verb : {"ok", "fail", "flaky", "hang", "timeout", "nostart", "output", "touch",
                             "expect", "junit", "sleep"}) {
      std::ofstream(root_ / "bin" / verb) << "#!/bin/sh\n";
      fs::permissions(root_ / "bin" / verb, fs::perms::owner_all);
    }
  }
  void TearDown() override { (void)RemoveTree(root_); }

  RunResult Run(const std::string& yaml, RunOptions options = {}) {
    loaded_ = spec::ParsePipeline(yaml, "test.yml");
    for (const auto& d : loaded_.diagnostics) ADD_FAILURE() << d.ToString();
    if (!loaded_.ok()) return {};
    options.run_id = "test-run";
    options.source = root_ / "source";
    options.work_dir = root_ / ("work-" + std::to_string(runs_++));
    options.environment = {"PATH=" + (root_ / "bin").string()};
    options.launcher = &launcher_;
    options.observer = &observer_;
    options.kill_grace = std::chrono::milliseconds(10);
    auto result = RunPipeline(*loaded_.pipeline, options);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : RunResult{};
  }

  static const JobResult& Job(const RunResult& result, const std::string& id) {
    for (const auto& job : result.jobs) {
      if (job.id == id) return job;
    }
    ADD_FAILURE() << "no job " << id;
    static JobResult none;
    return none;
  }

  fs::path root_;
  ScriptedLauncher launcher_;
  QuietObserver observer_;
  spec::LoadResult loaded_;
  int runs_ = 0;
};

}  // namespace slipway::engine::testing
