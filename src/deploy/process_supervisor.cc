// The ProcessTarget's supervisor thread: notices exits, restarts crashed instances when their
// backoff has passed, stops instances that fail their liveness check, and runs health checks.
#include <signal.h>

#include <future>

#include "deploy/process_target.h"

namespace slipway::deploy {
namespace {

// How often instances are looked at. Exits are noticed within a tick; checks run at their own
// intervals, rounded up to ticks.
constexpr std::chrono::milliseconds kTick{50};

}  // namespace

void ProcessTarget::SuperviseLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const std::vector<CheckJob> jobs = Sweep();
    if (!jobs.empty()) {
      lock.unlock();
      // Checks run side by side, so one slow instance does not hold up the others' checks
      // (nor the noticing of exits) for more than one check timeout.
      std::vector<std::future<Status>> pending;
      pending.reserve(jobs.size());
      for (const CheckJob& job : jobs) {
        pending.push_back(std::async(std::launch::async,
                                     [&job] { return RunHealthCheck(job.check, job.context); }));
      }
      std::vector<Status> results;
      results.reserve(jobs.size());
      for (std::future<Status>& result : pending) results.push_back(result.get());
      lock.lock();
      for (size_t i = 0; i < jobs.size(); ++i) ApplyCheckResult(jobs[i], results[i]);
    }
    wake_.wait_for(lock, kTick, [this] { return stopping_; });
  }
}

std::vector<ProcessTarget::CheckJob> ProcessTarget::Sweep() {
  std::vector<CheckJob> jobs;
  const Clock::time_point now = Clock::now();
  for (auto& [id, revision] : revisions_) {
    bool changed = false;
    for (auto& [index, instance] : revision.instances) {
      changed |= SweepInstance(revision, instance, now, jobs);
    }
    if (changed) Persist(revision);
  }
  return jobs;
}

bool ProcessTarget::SweepInstance(Revision& revision, Instance& instance, Clock::time_point now,
                                  std::vector<CheckJob>& jobs) {
  const ProcessIdentity identity{instance.record.pid, instance.record.start_time};
  switch (instance.phase) {
    case Instance::Phase::kRunning: {
      const ProcessCheck check = CheckProcess(identity);
      if (!check.running) {
        OnCrash(revision, instance, check.exit_description);
        return true;
      }
      if (now >= instance.next_readiness) {
        jobs.push_back(MakeCheckJob(revision, instance, false));
        instance.next_readiness = now + options_.readiness.interval;
      }
      if (options_.liveness && instance.ever_ready && now >= instance.next_liveness) {
        jobs.push_back(MakeCheckJob(revision, instance, true));
        instance.next_liveness = now + options_.liveness->interval;
      }
      return false;
    }
    case Instance::Phase::kStopping:
      if (!CheckProcess(identity).running) {
        OnCrash(revision, instance, instance.stop_reason);
        return true;
      }
      if (now >= instance.kill_at) {
        (void)SignalGroup(identity, SIGKILL);
        instance.kill_at = Clock::time_point::max();
      }
      return false;
    case Instance::Phase::kWaiting:
      if (now < instance.restart_at) return false;
      (void)StartInstance(revision, instance);  // a failure is recorded as a crash
      return true;
    case Instance::Phase::kFailed:
      return false;
  }
  return false;
}

ProcessTarget::CheckJob ProcessTarget::MakeCheckJob(const Revision& revision,
                                                    const Instance& instance, bool liveness) const {
  CheckJob job;
  job.revision = revision.record.spec.id;
  job.index = instance.record.index;
  job.generation = instance.generation;
  job.liveness = liveness;
  job.check = liveness ? *options_.liveness : options_.readiness;
  job.context.endpoint = Endpoint{options_.host, instance.record.port};
  job.context.revision = revision.record.spec.id;
  job.context.cwd = WorkingDir(revision.record.spec);
  job.context.env = InstanceEnv(revision.record.spec, instance.record.port);
  return job;
}

void ProcessTarget::ApplyCheckResult(const CheckJob& job, const Status& result) {
  const auto revision_it = revisions_.find(job.revision);
  if (revision_it == revisions_.end()) return;
  Revision& revision = revision_it->second;
  const auto instance_it = revision.instances.find(job.index);
  if (instance_it == revision.instances.end()) return;
  Instance& instance = instance_it->second;
  if (instance.generation != job.generation || instance.phase != Instance::Phase::kRunning) return;
  const std::string name = "instance " + std::to_string(job.index);
  const Clock::time_point now = Clock::now();

  if (!job.liveness) {
    if (result.ok()) {
      instance.readiness_failures = 0;
      if (instance.record.ready) return;
      instance.record.ready = true;
      if (!instance.ever_ready && options_.liveness) {
        instance.next_liveness = now + options_.liveness->interval;
      }
      instance.ever_ready = true;
      Persist(revision);
      return;
    }
    if (++instance.readiness_failures < job.check.failure_threshold) return;
    revision.message = name + " is not ready: " + result.message();
    if (instance.record.ready) {
      instance.record.ready = false;
      Persist(revision);
    }
    return;
  }

  if (result.ok()) {
    instance.liveness_failures = 0;
    return;
  }
  if (++instance.liveness_failures < job.check.failure_threshold) return;
  instance.stop_reason = "failed its liveness check " +
                         std::to_string(job.check.failure_threshold) + " times (" +
                         result.message() + ") and was restarted";
  revision.message = name + " failed its liveness check: " + result.message() + "; stopping it";
  instance.phase = Instance::Phase::kStopping;
  instance.record.ready = false;
  instance.kill_at = now + options_.stop_grace;
  (void)SignalGroup({instance.record.pid, instance.record.start_time}, SIGTERM);
  Persist(revision);
}

}  // namespace slipway::deploy
