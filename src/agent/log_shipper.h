// Ships a job's masked output to the server in chunks, with offsets. Private to the agent.
//
// Lines are buffered and sent every `flush` interval (or sooner when the buffer is large) by a
// thread of its own, so a chatty job never waits for the network. A chunk that fails is kept
// and resent with the same offset (the server ignores bytes it already has), so nothing the
// server acknowledged is sent twice and nothing is lost while it restarts.
//
// The thread lives as long as the worker and ships its jobs' logs one job at a time (Begin …
// Close): a thread started for every job cost ~0.25 ms on a loaded machine, before the job's
// first step could start.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "agent/agent.h"
#include "runner/runner.h"

namespace slipway::agent {

class LogShipper final : public runner::LogSink {
 public:
  LogShipper(Transport* transport, std::chrono::milliseconds flush,
             std::chrono::milliseconds retry_delay);
  ~LogShipper() override;  // closes the current job's log, if any, and stops the thread
  LogShipper(const LogShipper&) = delete;
  LogShipper& operator=(const LogShipper&) = delete;

  // Starts the log of `job` (which must stay valid until Close) at offset 0.
  void Begin(const engine::JobAssignment* job);

  // Buffers a line of the current job's log.
  void Line(std::string_view line) override;

  // Sends everything buffered, retrying until the server takes it or the lease is gone; the
  // thread then waits for the next Begin. Returns false when output could not be delivered.
  bool Close();

 private:
  void Loop();
  bool SendPending(std::unique_lock<std::mutex>& lock);

  Transport* transport_;
  const std::chrono::milliseconds flush_, retry_delay_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  const engine::JobAssignment* job_ = nullptr;  // the open log's job; null between jobs
  std::string pending_;                         // not yet acknowledged; starts at offset sent_
  int64_t sent_ = 0;                            // bytes the server acknowledged
  bool closing_ = false, lease_lost_ = false, shipping_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace slipway::agent
