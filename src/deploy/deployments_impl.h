// Deployments' insides: one Runtime per environment this process has touched. Internal.
#pragma once

#include <deque>
#include <map>
#include <mutex>

#include "deploy/deploy.h"
#include "deploy/environment_files.h"
#include "spec/spec.h"

namespace slipway::deploy {

struct GateSubject;  // gate.h

// An environment as this process drives it: its declaration, target and router objects (the
// process target's supervisor lives as long as this), and what is in progress.
struct Runtime {
  std::string project, name;
  std::filesystem::path dir;
  std::unique_ptr<EnvironmentLock> owner;  // owner.lock, held while the objects below live
  std::string pipeline_yaml;               // the declaration the objects below were built from
  std::optional<spec::Pipeline> pipeline;
  const spec::Environment* environment = nullptr;  // in *pipeline
  std::unique_ptr<Target> target;
  std::unique_ptr<Router> router;         // null: the environment has no router
  TrafficSource traffic;                  // empty unless the router is the built-in proxy
  std::optional<ProxyAdmin> proxy_admin;  // set when the router is the built-in proxy

  std::mutex deploy_mutex;  // one rollout at a time per environment in this process

  // Guarded by Deployments::Impl::mutex.
  Rollout* active = nullptr;
  int64_t awaiting_approval = 0;  // the deploy waiting for approvals; 0 = none
  std::string awaiting_run_id;    // its run
  std::optional<DeployRecord> active_record;
  std::deque<DriftEvent> drift;                   // newest last, at most 20
  std::map<std::string, std::string> last_drift;  // kind → last message (no repeats)
  std::map<std::string, uint64_t> drift_counts;   // kind → events
  std::map<std::string, uint64_t> deploy_counts;  // outcome → deploys finished here
};

struct Deployments::Impl {
  DeploymentsOptions options;
  std::mutex mutex;  // guards runtimes and the guarded fields of each Runtime
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Runtime>> runtimes;

  std::filesystem::path DirOf(const std::string& project, const std::string& environment) const;

  // The runtime of an environment declared in `pipeline_yaml` (parsed again here, so the
  // runtime owns its model); rebuilt when the declaration changed.
  Result<Runtime*> Open(const std::string& project, const std::string& environment,
                        const std::string& pipeline_file, const std::string& pipeline_yaml);
  // The runtime of an environment known only from its directory (after a restart).
  Result<Runtime*> Adopt(const std::string& project, const std::string& environment);

  runner::DeployOutcome RunDeploy(const runner::DeployRequest& request);
  // Waits for the deploy's approvals and runs the release gate (deploy_run.cc, gate.cc):
  // nullopt when the rollout may start, else why the deploy fails.
  std::optional<std::string> Admit(const GateSubject& gate, Runtime& runtime, DeployRecord& record);
  // Restarts the environment's built-in proxy if it died (same admin address: the router
  // object stays valid). OK for other routers.
  Status EnsureProxy(Runtime& runtime);
  std::vector<DriftEvent> ReconcileOne(Runtime& runtime);
  void RecordDrift(Runtime& runtime, DriftEvent event);
};

// A project or environment name as one safe path component.
std::string PathComponent(std::string_view name);

}  // namespace slipway::deploy
