// The state of one pipeline run while it executes. Private to the engine.
//
// One scheduler thread (the caller of Run) decides what is ready and hands instances to a
// fixed pool of worker threads; workers run attempts and report back. All shared state is
// guarded by `mutex_`; the scheduler sleeps in poll() on the run's cancel fd and a wake fd
// that workers signal when an instance finishes.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache.h"
#include "engine/dag_rules.h"
#include "engine/engine.h"
#include "runner/masker.h"
#include "util/cancel.h"

namespace slipway::engine {

struct InstanceState {
  enum class Phase { kWaiting, kRunning, kDone };
  spec::JobInstance instance;
  size_t job_index = 0;
  Phase phase = Phase::kWaiting;
  JobResult result;
  std::unique_ptr<CancelToken> cancel;  // fired by run cancellation or matrix fail-fast
  std::string concurrency_group;        // rendered when dispatched; empty = none
  expr::Activation activation;          // what its expressions see; set when dispatched
  std::filesystem::path artifacts_dir;  // set when the instance saved artifacts
};

struct JobState {
  int running = 0;  // instances running now, for max-parallel
};

class PipelineRun {
 public:
  PipelineRun(const spec::Pipeline& pipeline, const RunOptions& options);
  ~PipelineRun();
  PipelineRun(const PipelineRun&) = delete;
  PipelineRun& operator=(const PipelineRun&) = delete;

  Result<RunResult> Run();

 private:
  // Set-up, before any job starts.
  Status SelectJobs();
  Status PrepareEnvironment();

  // Scheduler side (mutex_ held).
  void DispatchReady();
  bool DispatchPass();  // one scan; true when some instance finished without running
  // An instance that will not run (skipped, cancelled, failed `if:`) is done.
  void Conclude(size_t index, Outcome outcome, std::string reason);
  void Finish(size_t index);  // bookkeeping once an instance is done, matrix fail-fast
  void CancelRun();           // the first Ctrl-C
  void AbortRun();            // the second one
  bool Fired(const CancelToken* token) const { return token != nullptr && token->cancelled(); }
  expr::Activation ActivationFor(const InstanceState& state) const;

  // Worker side.
  void WorkerLoop();
  void Execute(size_t index);  // all attempts of one instance (instance_execution.cc)
  Status PrepareWorkspace(const InstanceState& state, const std::filesystem::path& workspace);
  void SaveArtifacts(InstanceState& state, const std::filesystem::path& workspace,
                     runner::LogSink& log);
  void WakeScheduler();

  const spec::Pipeline& pipeline_;
  const RunOptions& options_;
  runner::Masker masker_;
  cache::CacheScope cache_scope_;
  expr::Value::Map inputs_;
  std::vector<std::string> base_environment_;  // process env + secrets + pipeline env
  expr::Value env_value_;                      // the same as an expression map

  std::vector<InstanceState> instances_;
  std::vector<JobState> jobs_;     // parallel to pipeline_.jobs
  std::unique_ptr<RunView> view_;  // the shared rules' view of instances_
  std::set<std::string> busy_groups_;
  int running_ = 0;
  int unfinished_ = 0;
  bool cancel_handled_ = false;
  bool abort_handled_ = false;

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<size_t> work_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  int wake_fd_ = -1;
};

}  // namespace slipway::engine
