// The parts of a running server and the loops that drive them. Private to src/server.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "deploy/deploy.h"
#include "engine/engine.h"
#include "http/http.h"
#include "registry/registry.h"
#include "server/server.h"
#include "store/store.h"
#include "util/cancel.h"

namespace slipway::server {

class Server::Impl {
 public:
  explicit Impl(ServerOptions options);
  ~Impl();

  Status Start();
  void Stop();
  std::string url() const { return http_ != nullptr ? http_->base_url() : ""; }
  std::filesystem::path initial_token_path() const {
    return options_.data_dir / "initial-admin-token";
  }

 private:
  void Log(const std::string& line) const;
  Status Bootstrap();                                // bootstrap.cc: the first admin token
  Status StartEmbeddedAgents();                      // embedded agents registered and running
  Status StartDeployAgent(const std::string& host);  // the agent that runs deploy jobs
  void DispatchLoop();                               // dispatch_loop.cc
  void PollLoop();                                   // poll_loop.cc
  void CronLoop();                                   // cron_loop.cc
  void RegistryGcLoop();                             // registry_gc_loop.cc
  void ReconcileLoop();                              // reconcile_loop.cc

  ServerOptions options_;
  std::unique_ptr<store::Store> store_;
  engine::WorkSignal work_;      // jobs were queued: wakes long-polling agents
  engine::WorkSignal dispatch_;  // something finished or was requested: wakes the dispatcher
  std::unique_ptr<engine::LogScrubber> scrubber_;  // outlives agent_service_, which uses it
  // Outlives agent_service_, which uses it.
  std::unique_ptr<engine::ArtifactStore> artifacts_;
  // The registry, its signing keys and the publisher outlive agent_service_ and http_, which
  // use them.
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<registry::KeyRing> keys_;
  std::unique_ptr<engine::Publisher> publisher_;
  // Carries out deploy jobs (for the embedded deploy agent) and looks after environments
  // afterwards; outlives the agents and http_, which use it.
  std::unique_ptr<policy::GateLedger> gate_ledger_;  // over store_; before deployments_
  std::unique_ptr<deploy::EnvironmentLedger> environment_ledger_;  // ditto
  std::unique_ptr<deploy::Deployments> deployments_;
  std::unique_ptr<engine::AgentService> agent_service_;
  std::unique_ptr<http::Server> http_;
  std::vector<std::unique_ptr<agent::LocalTransport>> transports_;
  std::vector<std::unique_ptr<agent::Agent>> agents_;
  CancelToken stop_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace slipway::server
