// The scheduler: which job instances are ready, skipped or cancelled, and when they start.
#include "engine/pipeline_run.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "util/duration_format.h"

namespace slipway::engine {
namespace {

using Clock = std::chrono::steady_clock;

// A template rendered, or its raw text when it does not render.
std::string RenderOr(const std::string& text, const expr::Activation& activation) {
  auto parsed = expr::Template::Parse(text);
  if (auto* tmpl = std::get_if<expr::Template>(&parsed)) {
    auto rendered = tmpl->Render(activation);
    if (auto* value = std::get_if<std::string>(&rendered)) return *value;
  }
  return text;
}

}  // namespace

PipelineRun::PipelineRun(const spec::Pipeline& pipeline, const RunOptions& options)
    : pipeline_(pipeline), options_(options) {
  cache_scope_ = cache::CacheScope{options.project, options.branch, options.default_branch};
}

PipelineRun::~PipelineRun() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
  if (wake_fd_ >= 0) close(wake_fd_);
}

Result<RunResult> PipelineRun::Run() {
  if (options_.launcher == nullptr || options_.observer == nullptr) {
    return Internal("RunPipeline needs a process launcher and an observer");
  }
  if (options_.parallelism < 1) return InvalidArgument("parallelism must be at least 1");
  SLIPWAY_RETURN_IF_ERROR(SelectJobs());
  SLIPWAY_ASSIGN_OR_RETURN(inputs_, ResolveInputs(pipeline_, options_.inputs));
  SLIPWAY_RETURN_IF_ERROR(PrepareEnvironment());

  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return ErrnoStatus("eventfd", errno);
  const auto start = Clock::now();
  const int workers = std::min<int>(options_.parallelism, std::max(unfinished_, 1));
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });

  std::unique_lock lock(mutex_);
  while (unfinished_ > 0) {
    if (Fired(options_.cancel) && !cancel_handled_) CancelRun();
    if (Fired(options_.abort) && !abort_handled_) AbortRun();
    DispatchReady();
    if (unfinished_ == 0) break;
    lock.unlock();
    pollfd fds[3] = {{wake_fd_, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
    if (options_.cancel != nullptr && !cancel_handled_) fds[1].fd = options_.cancel->wait_fd();
    if (options_.abort != nullptr && !abort_handled_) fds[2].fd = options_.abort->wait_fd();
    if (poll(fds, 3, -1) < 0 && errno != EINTR) {
      lock.lock();
      return ErrnoStatus("poll", errno);
    }
    uint64_t count = 0;
    while (read(wake_fd_, &count, sizeof count) > 0) {
    }
    lock.lock();
  }

  RunResult result;
  result.run_id = options_.run_id;
  result.cancelled = cancel_handled_;
  result.success = !cancel_handled_;
  for (auto& state : instances_) {
    if (IsFailed(state.result.outcome) || state.result.outcome == Outcome::kCancelled) {
      result.success = false;
    }
    result.jobs.push_back(std::move(state.result));
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

void PipelineRun::DispatchReady() {
  // Skipping or failing an instance can make others ready: repeat until nothing changes.
  while (DispatchPass()) {
  }
}

bool PipelineRun::DispatchPass() {
  bool finished_any = false;
  for (size_t i = 0; i < instances_.size() && running_ < options_.parallelism; ++i) {
    InstanceState& state = instances_[i];
    if (state.phase != InstanceState::Phase::kWaiting) continue;
    if (!view_->NeedsDone(state.job_index)) continue;

    const spec::Job& spec_job = *state.instance.job;
    const expr::Activation activation = ActivationFor(state);
    const StartDecision decision = DecideStart(*view_, i, activation, cancel_handled_);
    if (decision.kind != StartDecision::Kind::kStart) {
      const Outcome outcome = decision.kind == StartDecision::Kind::kSkip     ? Outcome::kSkipped
                              : decision.kind == StartDecision::Kind::kCancel ? Outcome::kCancelled
                                                                              : Outcome::kFailure;
      Conclude(i, outcome, decision.reason);
      finished_any = true;
      continue;
    }
    JobState& job = jobs_[state.job_index];
    const int max_parallel = spec_job.matrix ? spec_job.matrix->max_parallel : 0;
    if (max_parallel > 0 && job.running >= max_parallel) continue;
    if (spec_job.concurrency) {
      std::string group = RenderOr(spec_job.concurrency->group, activation);
      if (busy_groups_.count(group) != 0) continue;
      busy_groups_.insert(group);
      state.concurrency_group = group;
    }
    state.activation = activation;
    state.phase = InstanceState::Phase::kRunning;
    state.cancel = std::make_unique<CancelToken>();
    ++job.running;
    ++running_;
    work_.push_back(i);
    work_ready_.notify_one();
  }
  return finished_any;
}

void PipelineRun::Conclude(size_t index, Outcome outcome, std::string reason) {
  InstanceState& state = instances_[index];
  state.result.outcome = outcome;
  state.result.reason = std::move(reason);
  state.phase = InstanceState::Phase::kDone;
  Finish(index);
}

void PipelineRun::Finish(size_t index) {
  InstanceState& state = instances_[index];
  view_->instance(index).done = true;
  view_->instance(index).outcome = state.result.outcome;
  --unfinished_;
  if (!state.concurrency_group.empty()) busy_groups_.erase(state.concurrency_group);
  options_.observer->JobFinished(state.result);
  if (!IsFailed(state.result.outcome)) return;
  for (size_t victim : FailFastVictims(*view_, index)) {
    InstanceState& sibling = instances_[victim];
    if (sibling.phase == InstanceState::Phase::kRunning) {
      sibling.cancel->Cancel();
    } else if (sibling.phase == InstanceState::Phase::kWaiting) {
      Conclude(victim, Outcome::kCancelled, "fail-fast: '" + state.instance.id + "' failed");
    }
  }
}

void PipelineRun::CancelRun() {
  cancel_handled_ = true;
  for (auto& state : instances_) {
    if (state.phase == InstanceState::Phase::kRunning) state.cancel->Cancel();
  }
  // Waiting instances are decided by DispatchPass: with cancelled() true, only those whose
  // `if:` still holds run.
}

void PipelineRun::AbortRun() {
  abort_handled_ = true;
  for (size_t i = 0; i < instances_.size(); ++i) {
    InstanceState& state = instances_[i];
    if (state.phase == InstanceState::Phase::kRunning) {
      state.cancel->Cancel();
    } else if (state.phase == InstanceState::Phase::kWaiting) {
      Conclude(i, Outcome::kCancelled, "the run was cancelled");
    }
  }
}

void PipelineRun::WorkerLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !work_.empty(); });
    if (work_.empty()) return;  // stopping
    size_t index = work_.front();
    work_.pop_front();
    lock.unlock();
    Execute(index);
    lock.lock();
    InstanceState& state = instances_[index];
    state.phase = InstanceState::Phase::kDone;
    --jobs_[state.job_index].running;
    --running_;
    Finish(index);
    WakeScheduler();
  }
}

void PipelineRun::WakeScheduler() {
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof one);
  (void)ignored;  // the counter cannot overflow in practice; a wake-up is all we need
}

Result<RunResult> RunPipeline(const spec::Pipeline& pipeline, const RunOptions& options) {
  PipelineRun run(pipeline, options);
  return run.Run();
}

}  // namespace slipway::engine
