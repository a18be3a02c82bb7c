// Deployments' insides: one Runtime per environment this process has touched. Internal.
#pragma once

#include <deque>
#include <map>
#include <mutex>

#include "deploy/deploy.h"
#include "deploy/environment_dir.h"
#include "spec/spec.h"

namespace slipway::deploy {

struct GateSubject;  // gate.h

// `lookup`'s error, with a NotFound worded for users: the environment was never deployed.
Status NeverDeployed(const Status& lookup, const std::string& project,
                     const std::string& environment);

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
  std::unique_ptr<EnvironmentLedger> file_ledger;  // when options.environments is unset
  EnvironmentLedger* ledger = nullptr;             // options.environments or file_ledger
  std::mutex mutex;  // guards runtimes and the guarded fields of each Runtime
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Runtime>> runtimes;

  std::filesystem::path DirOf(const std::string& project, const std::string& environment) const;
  // OK when the ledger knows the environment; else NotFound "has never been deployed".
  Status Known(const std::string& project, const std::string& environment);

  // The runtime of an environment declared in `pipeline_yaml` (parsed again here, so the
  // runtime owns its model); rebuilt when the declaration changed.
  Result<Runtime*> Open(const std::string& project, const std::string& environment,
                        const std::string& pipeline_file, const std::string& pipeline_yaml);
  // The runtime of an environment known only from the ledger (after a restart).
  Result<Runtime*> Adopt(const std::string& project, const std::string& environment);

  runner::DeployOutcome RunDeploy(const runner::DeployRequest& request);
  // Whether the release passed the environments it must be promoted from (protection.cc),
  // or an emergency exemption overrides that: nullopt when it may go on, else why not.
  std::optional<std::string> CheckPromotionOf(const runner::DeployRequest& request,
                                              const Runtime& runtime, const DeployRecord& record);
  // Waits for the deploy's approvals and runs the release gate (deploy_run.cc, gate.cc):
  // nullopt when the rollout may start, else why the deploy fails.
  // `input` holds the run's facts (ReadRunFacts).
  std::optional<std::string> Admit(const GateSubject& gate, Runtime& runtime, DeployRecord& record,
                                   policy::GateInput input);
  // Restarts the environment's built-in proxy if it died (same admin address: the router
  // object stays valid). OK for other routers.
  Status EnsureProxy(Runtime& runtime);
  std::vector<DriftEvent> ReconcileOne(Runtime& runtime);
  void RecordDrift(Runtime& runtime, DriftEvent event);
};

}  // namespace slipway::deploy
