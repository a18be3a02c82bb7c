// ExecuteAssignment, and what a worker keeps from one job to the next. Private to the agent.
#pragma once

#include "agent/agent.h"
#include "agent/heartbeat.h"
#include "agent/log_shipper.h"
#include "agent/stop_relay.h"

namespace slipway::agent {

struct Workbench;

// A worker's helpers, each with a thread that lives as long as the worker and serves its jobs
// one at a time.
struct WorkerThreads {
  WorkerThreads(Transport* transport, const AgentOptions& options)
      : heartbeat(transport), log(transport, options.log_flush, options.retry_delay) {}

  Heartbeat heartbeat;
  LogShipper log;
};

// Runs one leased job to completion (workspace, steps, logs, heartbeats, result); its directory
// is removed afterwards by the workbench's sweeper. The agent stopping (`stop`) cancels it.
void ExecuteAssignment(Transport& transport, const engine::JobAssignment& job,
                       const AgentOptions& options, Workbench& workbench, WorkerThreads& threads,
                       StopRelay& stop);

}  // namespace slipway::agent
