// Shared by the provider tests: in-process HTTP servers standing in for metric sources, a
// process run in the background (Prometheus), free ports, and polling with a deadline.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "http/http.h"
#include "util/cancel.h"
#include "util/subprocess.h"
#include "verify/verify.h"

namespace slipway::verify::testing {

using namespace std::chrono_literals;

inline std::unique_ptr<http::Server> StartServer(http::Router router) {
  http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  auto server = http::Server::Start(std::move(options), std::move(router));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(*server) : nullptr;
}

// A localhost TCP port nobody listens on right now (bound, then released).
inline uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// Calls `done` every 100 ms until it returns true or `deadline` passes; returns the last answer.
inline bool WaitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds deadline = 15000ms) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

inline MeasureRequest RequestFor(expr::Value::Map variables) {
  MeasureRequest request;
  request.variables = std::move(variables);
  request.now = std::chrono::system_clock::now();
  return request;
}

// A process running in its own group on a thread of its own (RunProcess), its output kept.
// Stop() (or destruction) ends the whole group and waits for it.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(ProcessSpec spec)
      : thread_([this, spec = std::move(spec)] {
          ProcessOutcome outcome = RunProcess(
              spec,
              [this](std::string_view chunk) {
                std::lock_guard lock(mu_);
                output_.append(chunk);
              },
              &stop_);
          if (outcome.group_left_behind) (void)KillProcessGroup(outcome.pgid, 3000ms);
          std::lock_guard lock(mu_);
          if (!outcome.error.empty()) output_ += "\n[" + outcome.error + "]";
          exited_ = true;
        }) {}
  ~BackgroundProcess() { Stop(); }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  void Stop() {
    stop_.Cancel();
    if (thread_.joinable()) thread_.join();
  }
  bool exited() const {
    std::lock_guard lock(mu_);
    return exited_;
  }
  std::string output() const {
    std::lock_guard lock(mu_);
    return output_;
  }

 private:
  CancelToken stop_;
  mutable std::mutex mu_;
  std::string output_;
  bool exited_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace slipway::verify::testing
