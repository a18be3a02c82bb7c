// A real haproxy for the deploy tests and benchmarks, started on free localhost ports: one HTTP
// frontend, one backend `app` of `server-template srv <slots> 127.0.0.1:1 disabled` (what
// slipway's haproxy router fills), and a Runtime API on a unix socket and on a TCP port, both
// at admin level. Stopped (its process group) on destruction.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/haproxy_runtime.h"
#include "deploy/instance_process.h"
#include "deploy/net_io.h"
#include "deploy/port_allocator.h"

namespace slipway::deploy::testing {

class HaproxyProcess {
 public:
  // Writes <dir>/haproxy.cfg and starts haproxy in `dir` (its output in <dir>/haproxy.log).
  // `backend_lines` go into the backend section as they are (each ending in "\n"), e.g.
  // "  option redispatch\n". ok() says whether haproxy came up (the error is in error()).
  HaproxyProcess(const std::filesystem::path& dir, int slots, const std::string& backend_lines = "")
      : dir_(dir) {
    Result<uint16_t> frontend = AllocatePort("127.0.0.1", {});
    Result<uint16_t> tcp_socket =
        frontend.ok() ? AllocatePort("127.0.0.1", {*frontend}) : frontend.status();
    if (!tcp_socket.ok()) {
      error_ = "no free port: " + tcp_socket.status().ToString();
      return;
    }
    frontend_ = {"127.0.0.1", *frontend};
    tcp_socket_ = {"127.0.0.1", *tcp_socket};
    unix_socket_ = (dir / "admin.sock").string();
    WriteText(dir / "haproxy.cfg",
              "global\n"
              "  stats socket " +
                  unix_socket_ +
                  " mode 600 level admin\n"
                  "  stats socket ipv4@" +
                  tcp_socket_.ToString() +
                  " level admin\n"
                  "defaults\n"
                  "  mode http\n"
                  "  timeout connect 2s\n"
                  "  timeout client 10s\n"
                  "  timeout server 10s\n"
                  "frontend web\n"
                  "  bind " +
                  frontend_.ToString() +
                  "\n"
                  "  default_backend app\n"
                  "backend app\n"
                  "  balance roundrobin\n" +
                  backend_lines + "  server-template srv " + std::to_string(slots) +
                  " 127.0.0.1:1 disabled\n");
    Result<ProcessIdentity> haproxy = LaunchDetached(
        {"exec haproxy -f haproxy.cfg -db", dir, {"PATH=/usr/sbin:/usr/bin:/bin"}, log()});
    if (!haproxy.ok()) {
      error_ = "haproxy did not start: " + haproxy.status().ToString();
      return;
    }
    process_ = *haproxy;
    const bool up = WaitUntil([&] {
      return ProbeConnect(ParseSocketAddress(unix_socket_), std::chrono::milliseconds(500)).ok();
    });
    if (!up) error_ = "haproxy's Runtime API did not come up: " + ReadText(log());
  }

  ~HaproxyProcess() {
    if (process_.pid > 0) (void)StopProcessGroups({process_}, std::chrono::milliseconds(3000));
  }
  HaproxyProcess(const HaproxyProcess&) = delete;
  HaproxyProcess& operator=(const HaproxyProcess&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  const Endpoint& frontend() const { return frontend_; }           // where users send requests
  const Endpoint& tcp_socket() const { return tcp_socket_; }       // Runtime API over TCP
  const std::string& unix_socket() const { return unix_socket_; }  // Runtime API, unix socket
  std::filesystem::path log() const { return dir_ / "haproxy.log"; }

  // Options for a router on backend `app` through the unix socket (no state file).
  HaproxyRouterOptions RouterOptions(int slots) const {
    HaproxyRouterOptions options;
    options.socket = unix_socket_;
    options.backend = "app";
    options.servers = slots;
    return options;
  }

  // One Runtime API exchange over the unix socket.
  Result<std::string> Send(const std::string& line) const {
    return RuntimeExchange(ParseSocketAddress(unix_socket_), line, std::chrono::milliseconds(5000));
  }

 private:
  std::filesystem::path dir_;
  Endpoint frontend_, tcp_socket_;
  std::string unix_socket_;
  ProcessIdentity process_;
  std::string error_;
};

}  // namespace slipway::deploy::testing
