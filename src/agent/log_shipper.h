// Ships a job's masked output to the server in chunks, with offsets. Private to the agent.
//
// Lines are buffered and sent every `flush` interval (or sooner when the buffer is large) by a
// thread of its own, so a chatty job never waits for the network. A chunk that fails is kept
// and resent with the same offset (the server ignores bytes it already has), so nothing the
// server acknowledged is sent twice and nothing is lost while it restarts.
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
  LogShipper(Transport* transport, const engine::JobAssignment* job,
             std::chrono::milliseconds flush, std::chrono::milliseconds retry_delay);
  ~LogShipper() override;
  LogShipper(const LogShipper&) = delete;
  LogShipper& operator=(const LogShipper&) = delete;

  void Line(std::string_view line) override;

  // Sends everything buffered, retrying until the server takes it or the lease is gone, then
  // stops the thread. Returns false when output could not be delivered.
  bool Close();

 private:
  void Loop();
  bool SendPending(std::unique_lock<std::mutex>& lock);

  Transport* transport_;
  const engine::JobAssignment* job_;
  const std::chrono::milliseconds flush_, retry_delay_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;  // not yet acknowledged; starts at offset sent_
  int64_t sent_ = 0;     // bytes the server acknowledged
  bool closing_ = false, lease_lost_ = false;
  std::thread thread_;
};

}  // namespace slipway::agent
