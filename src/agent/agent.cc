#include "agent/agent.h"

#include <thread>

#include "agent/execute.h"
#include "agent/workbench.h"

namespace slipway::agent {

LocalTransport::LocalTransport(engine::AgentService* service, int64_t agent_id,
                               std::vector<std::string> labels, std::string required_label)
    : service_(service),
      agent_id_(agent_id),
      labels_(std::move(labels)),
      required_label_(std::move(required_label)) {}

Result<std::optional<engine::JobAssignment>> LocalTransport::Lease(std::chrono::milliseconds wait) {
  return service_->Lease(agent_id_, labels_, wait, required_label_);
}

Result<engine::AgentService::HeartbeatReply> LocalTransport::Heartbeat(
    const engine::JobAssignment& job) {
  return service_->Heartbeat(job.attempt_id, job.lease_token);
}

Status LocalTransport::AppendLog(const engine::JobAssignment& job, int64_t offset,
                                 std::string_view data) {
  return service_->AppendLog(job.attempt_id, job.lease_token, offset, data);
}

Status LocalTransport::Finish(const engine::JobAssignment& job,
                              const runner::AttemptReport& report) {
  return service_->Finish(job.attempt_id, job.lease_token, report);
}

Agent::Agent(Transport* transport, AgentOptions options)
    : transport_(transport),
      options_(std::move(options)),
      workbench_(std::make_unique<Workbench>(options_.work_dir)) {}

Agent::~Agent() = default;

void Agent::Run(const CancelToken& stop) {
  StopRelay relay(stop);
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(options_.capacity, 1); ++i) {
    workers.emplace_back([this, &stop, &relay] { Worker(stop, &relay); });
  }
  for (auto& worker : workers) worker.join();
}

void Agent::Worker(const CancelToken& stop, StopRelay* relay) {
  WorkerThreads threads(transport_, options_);  // heartbeat and log shipping, for every job
  while (!stop.cancelled()) {
    // Short waits when stopping matters: a long-poll is not interruptible from here.
    auto lease = transport_->Lease(options_.poll_wait);
    if (!lease.ok()) {
      stop.WaitFor(options_.retry_delay);
      continue;
    }
    if (!lease->has_value()) continue;
    ExecuteAssignment(*transport_, **lease, options_, *workbench_, threads, *relay);
  }
}

}  // namespace slipway::agent
