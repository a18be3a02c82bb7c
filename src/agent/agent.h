// The agent: leases jobs from the server, runs them with the same runner as `slipway run`,
// streams their logs, keeps their leases alive and reports their results.
//
// One Agent runs `capacity` jobs at once, each on a worker thread of its own. Beside each worker
// a heartbeat thread renews its job's lease (so a job that saturates the CPU never loses it)
// and carries cancellation back, and a log shipper thread sends masked output in chunks with
// offsets and resends what the server did not acknowledge. Results are retried until the server
// takes them or says the lease is gone: a result is reported exactly once.
//
// The same Agent serves remote agents (`slipway agent`, HttpTransport) and the server's
// embedded agents (LocalTransport, no network).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/cancel.h"
#include "util/status.h"

namespace slipway::agent {

class StopRelay;
struct Workbench;

// How an agent talks to the server. Implementations are thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  // Waits up to `wait` for a job; nullopt when none came.
  virtual Result<std::optional<engine::JobAssignment>> Lease(std::chrono::milliseconds wait) = 0;
  // kFailedPrecondition: the lease is gone (stop the job, report nothing).
  virtual Result<engine::AgentService::HeartbeatReply> Heartbeat(
      const engine::JobAssignment& job) = 0;
  virtual Status AppendLog(const engine::JobAssignment& job, int64_t offset,
                           std::string_view data) = 0;
  virtual Status Finish(const engine::JobAssignment& job, const runner::AttemptReport& report) = 0;
  // Uploads the attempt's artifacts, the tree archive in the file `archive` (read from its
  // start on each call, so a failed call can simply be repeated), replacing an earlier upload.
  // kResourceExhausted: over the server's limit; kFailedPrecondition: the lease is gone;
  // kCancelled once `cancel` fires.
  virtual Status PutArtifacts(const engine::JobAssignment& job,
                              const std::filesystem::path& archive, const CancelToken& cancel) = 0;
  // Writes the archive of `ref` (one of job.artifacts) to the file `to` (created or replaced).
  virtual Status GetArtifacts(const engine::JobAssignment& job, const engine::ArtifactRef& ref,
                              const std::filesystem::path& to) = 0;
};

// In-process: calls the server's AgentService directly (embedded agents).
class LocalTransport final : public Transport {
 public:
  // With `required_label`, the agent takes only jobs whose runs-on names it.
  LocalTransport(engine::AgentService* service, int64_t agent_id, std::vector<std::string> labels,
                 std::string required_label = "");
  Result<std::optional<engine::JobAssignment>> Lease(std::chrono::milliseconds wait) override;
  Result<engine::AgentService::HeartbeatReply> Heartbeat(const engine::JobAssignment& job) override;
  Status AppendLog(const engine::JobAssignment& job, int64_t offset,
                   std::string_view data) override;
  Status Finish(const engine::JobAssignment& job, const runner::AttemptReport& report) override;
  Status PutArtifacts(const engine::JobAssignment& job, const std::filesystem::path& archive,
                      const CancelToken& cancel) override;
  Status GetArtifacts(const engine::JobAssignment& job, const engine::ArtifactRef& ref,
                      const std::filesystem::path& to) override;

 private:
  engine::AgentService* service_;
  int64_t agent_id_;
  std::vector<std::string> labels_;
  std::string required_label_;
};

// Over HTTP to a slipway server (remote agents): /api/v1/agent/... as docs/api.md says.
// Each call borrows a connection from a small pool, so the long-poll of one worker never
// delays another worker's heartbeat.
class HttpTransport final : public Transport {
 public:
  // `agent_token` is the token RegisterAgent returned.
  static Result<std::unique_ptr<HttpTransport>> Create(std::string server_url,
                                                       std::string agent_token);
  ~HttpTransport() override;
  Result<std::optional<engine::JobAssignment>> Lease(std::chrono::milliseconds wait) override;
  Result<engine::AgentService::HeartbeatReply> Heartbeat(const engine::JobAssignment& job) override;
  Status AppendLog(const engine::JobAssignment& job, int64_t offset,
                   std::string_view data) override;
  Status Finish(const engine::JobAssignment& job, const runner::AttemptReport& report) override;
  Status PutArtifacts(const engine::JobAssignment& job, const std::filesystem::path& archive,
                      const CancelToken& cancel) override;
  Status GetArtifacts(const engine::JobAssignment& job, const engine::ArtifactRef& ref,
                      const std::filesystem::path& to) override;

  class Pool;

 private:
  explicit HttpTransport(std::unique_ptr<Pool> pool);
  std::unique_ptr<Pool> pool_;
};

struct Registration {
  int64_t agent_id = 0;
  std::string token;  // the agent token, to keep for later runs
};

// Registers (or re-registers) an agent by name with a registration token.
Result<Registration> RegisterAgent(const std::string& server_url,
                                   const std::string& registration_token, const std::string& name,
                                   const std::vector<std::string>& labels, int capacity);

struct AgentOptions {
  int capacity = 1;                      // jobs at once
  std::filesystem::path work_dir;        // workspaces and repository mirrors (created)
  std::vector<std::string> environment;  // base environment of steps, KEY=VALUE
  std::chrono::milliseconds kill_grace{5000};
  std::chrono::milliseconds poll_wait{25000};  // long-poll duration
  std::chrono::milliseconds log_flush{200};    // how often buffered output is shipped
  // Between retries of a call the server did not answer (it may be restarting).
  std::chrono::milliseconds retry_delay{500};
  // Runs `deploy:` jobs (the server's embedded deploy agent); null: they fail with a reason.
  runner::Deployer* deployer = nullptr;
};

class Agent {
 public:
  Agent(Transport* transport, AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs until `stop` fires: running jobs are then cancelled and reported as cancelled.
  void Run(const CancelToken& stop);

 private:
  void Worker(const CancelToken& stop, StopRelay* relay);

  Transport* transport_;
  AgentOptions options_;
  std::unique_ptr<Workbench> workbench_;  // mirrors, sources and pipelines, shared by the workers
};

}  // namespace slipway::agent
