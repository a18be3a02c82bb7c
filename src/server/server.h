// `slipway server` as an object: the store, the HTTP API, the dispatcher, the git poller, the
// cron scheduler and the embedded agents, started together and stopped together. Tests start
// it in-process; cli/server_command.cc starts it from flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

namespace slipway::server {

struct ServerOptions {
  std::filesystem::path data_dir;         // required: database (SQLite), mirrors, workspaces, token
  std::string listen = "127.0.0.1:8080";  // ADDR:PORT; port 0 = any free port
  std::string database;                   // "" = SQLite in data_dir; or postgres://…
  int local_agents = 1;                   // embedded agents (0 when remote agents do the work)
  std::vector<std::string> agent_labels;  // labels of the embedded agents
  std::chrono::milliseconds lease{30000};          // job lease duration
  std::chrono::milliseconds restart_grace{30000};  // no lease expires this soon after start
  std::chrono::milliseconds tick{500};             // dispatcher pass when nothing wakes it sooner
  std::chrono::milliseconds poll_check{1000};      // how often due git polls are looked for
  std::vector<std::string> agent_environment;      // base environment of embedded agents' steps
  std::function<void(const std::string&)> log;     // server log lines; empty = stderr
  // Where jobs' artifacts are kept; "" = data_dir/artifacts. Servers sharing a PostgreSQL
  // database must share this directory too (the agents of one download what another's kept).
  std::filesystem::path artifacts_dir;
  // The largest artifacts archive one job may keep (bigger uploads fail the job): 1 GiB.
  uint64_t max_artifact_bytes = uint64_t{1} << 30;
  // The OCI registry's blobs and repositories; "" = data_dir/registry.
  std::filesystem::path registry_dir;
  // Registry garbage collection: how often, and the age below which unreferenced content is
  // kept (a push in progress).
  std::chrono::milliseconds registry_gc_interval = std::chrono::hours(1);
  std::chrono::seconds registry_gc_grace = std::chrono::hours(1);
  // How often the environments deployed from this server are compared with their desired
  // state (drift detected, and healed where an environment says self-heal).
  std::chrono::milliseconds reconcile_interval = std::chrono::seconds(2);
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT"
  // Where the first start wrote the initial admin token (mode 0600).
  std::filesystem::path initial_token_path() const;
  void Stop();

  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::server
