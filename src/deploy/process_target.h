// ProcessTarget: the Target that runs revisions as local processes (deploy.h,
// MakeProcessTarget). Internal to deploy.
//
// Locking: `mutex_` guards the revisions and is held only for bookkeeping and non-blocking
// syscalls (spawn, signal, waitpid WNOHANG); health checks run without it, and their results
// are dropped when the instance was restarted or removed meanwhile (generation numbers).
// `apply_mutex_` serializes Apply and Remove, which wait for processes to stop without
// holding `mutex_`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "deploy/deploy.h"
#include "deploy/health_check.h"
#include "deploy/instance_process.h"
#include "deploy/instance_record.h"

namespace slipway::deploy {

class ProcessTarget final : public Target {
 public:
  // Validates the options, adopts what state_dir records and starts the supervisor.
  static Result<std::unique_ptr<ProcessTarget>> Open(ProcessTargetOptions options);
  explicit ProcessTarget(ProcessTargetOptions options);  // use Open
  ~ProcessTarget() override;  // joins the supervisor; instances keep running
  ProcessTarget(const ProcessTarget&) = delete;
  ProcessTarget& operator=(const ProcessTarget&) = delete;

  Status Apply(const RevisionSpec& revision) override;
  Result<RevisionState> Inspect(std::string_view revision_id) override;
  std::vector<std::string> Revisions() override;
  Status Remove(std::string_view revision_id) override;

 private:
  using Clock = std::chrono::steady_clock;

  struct Instance {
    enum class Phase {
      kRunning,   // the process runs (ready or not)
      kStopping,  // not live: SIGTERM sent, SIGKILL at kill_at, restarted once gone
      kWaiting,   // crashed: restarted at restart_at
      kFailed,    // the revision is crash looping: not restarted
    };
    InstanceRecord record;  // pid 0 unless running or stopping
    Phase phase = Phase::kWaiting;
    uint64_t generation = 0;  // changes at every start
    Clock::time_point restart_at, kill_at, next_readiness, next_liveness;
    std::string stop_reason;                // kStopping: why, reported once it is gone
    std::deque<Clock::time_point> crashes;  // of this instance, within crash_window
    bool ever_ready = false;
    int readiness_failures = 0;
    int liveness_failures = 0;
  };

  struct Revision {
    RevisionRecord record;  // spec, applied_seq, restarts, crash_looping (instances: see below)
    std::map<int, Instance> instances;      // by index
    std::deque<Clock::time_point> crashes;  // of all its instances, within crash_window
    std::string message;
  };

  // A health check to run without the lock.
  struct CheckJob {
    std::string revision;
    int index = 0;
    uint64_t generation = 0;
    bool liveness = false;
    HealthCheck check;
    CheckContext context;
  };

  Status Adopt();

  // Paths and environment.
  std::filesystem::path RevisionDir(const std::string& id) const;
  std::filesystem::path WorkingDir(const RevisionSpec& spec) const;
  std::vector<std::string> InstanceEnv(const RevisionSpec& spec, uint16_t port) const;

  // With mutex_ held.
  Status StartInstance(Revision& revision, Instance& instance);
  void OnCrash(Revision& revision, Instance& instance, const std::string& reason);
  void Persist(Revision& revision);
  std::set<uint16_t> PortsInUse() const;

  // The supervisor (process_supervisor.cc).
  void SuperviseLoop();
  std::vector<CheckJob> Sweep();  // with mutex_ held: reaps, restarts, collects due checks
  // Returns whether the instance's record changed.
  bool SweepInstance(Revision& revision, Instance& instance, Clock::time_point now,
                     std::vector<CheckJob>& jobs);
  CheckJob MakeCheckJob(const Revision& revision, const Instance& instance, bool liveness) const;
  void ApplyCheckResult(const CheckJob& job, const Status& result);

  const ProcessTargetOptions options_;
  const std::string server_path_;  // PATH for instances: the server's
  std::mutex apply_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t next_generation_ = 1;
  uint64_t next_applied_seq_ = 1;
  std::map<std::string, Revision, std::less<>> revisions_;
  std::thread supervisor_;
};

}  // namespace slipway::deploy
