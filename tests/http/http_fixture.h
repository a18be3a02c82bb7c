// Shared helpers for the http tests: a server on a random 127.0.0.1 port, raw sockets for
// bytes no well-behaved client would send, curl, and the process's resident memory.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/http.h"
#include "util/subprocess.h"

namespace slipway::http::testing {

using namespace std::chrono_literals;

inline std::unique_ptr<Server> StartServer(Router router, ServerOptions options = {}) {
  options.address = "127.0.0.1";
  options.port = 0;
  auto server = Server::Start(std::move(options), std::move(router));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(*server) : nullptr;
}

inline std::unique_ptr<HttpClient> ClientFor(const Server& server, ClientOptions options = {}) {
  options.base_url = server.base_url();
  auto client = HttpClient::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(*client) : nullptr;
}

struct RawResponse {
  int status = 0;    // 0: the connection closed before a response
  std::string head;  // status line and fields, as received
  std::string body;  // de-chunked
  // The value of header `name` (case-insensitive), "" if absent.
  std::string Header(std::string_view name) const {
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      const size_t end = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, end - pos - 2);
      const size_t colon = line.find(':');
      if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
        size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        return line.substr(v);
      }
      pos = end;
    }
    return "";
  }
};

// A blocking client socket to the server, for hand-written requests.
class RawSocket {
 public:
  explicit RawSocket(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads more bytes into the buffer; false on EOF, error or timeout.
  bool Fill(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  // Reads until `marker` is buffered; returns the buffer up to and including it ("" if not).
  std::string ReadUntil(std::string_view marker, std::chrono::milliseconds timeout = 10s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (buffer_.find(marker) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !Fill(left)) return "";
    }
    const size_t end = buffer_.find(marker) + marker.size();
    std::string out = buffer_.substr(0, end);
    buffer_.erase(0, end);
    return out;
  }

  // True when the server closes the connection within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout = 10s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 50) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      buffer_.append(buf, static_cast<size_t>(n));
    }
    return false;
  }

  // One response: head, then a Content-Length or chunked body (or none for 1xx/204/304
  // and answers to HEAD).
  RawResponse ReadResponse(bool head_request = false, std::chrono::milliseconds timeout = 10s) {
    RawResponse r;
    r.head = ReadUntil("\r\n\r\n", timeout);
    if (r.head.size() < 12) return r;
    r.status = std::atoi(r.head.substr(9, 3).c_str());
    if (head_request || r.status < 200 || r.status == 204 || r.status == 304) return r;
    const std::string length = r.Header("Content-Length");
    if (!length.empty()) {
      const size_t n = std::strtoull(length.c_str(), nullptr, 10);
      while (buffer_.size() < n && Fill(timeout)) {
      }
      r.body = buffer_.substr(0, n);
      buffer_.erase(0, std::min(n, buffer_.size()));
    } else if (r.Header("Transfer-Encoding") == "chunked") {
      while (true) {
        const std::string size_line = ReadUntil("\r\n", timeout);
        if (size_line.empty()) break;
        const size_t n = std::strtoull(size_line.c_str(), nullptr, 16);
        while (buffer_.size() < n + 2 && Fill(timeout)) {
        }
        if (n == 0) {
          ReadUntil("\r\n", timeout);
          break;
        }
        r.body += buffer_.substr(0, n);
        buffer_.erase(0, std::min(n + 2, buffer_.size()));
      }
    } else {
      WaitClosed(timeout);
      r.body = buffer_;
      buffer_.clear();
    }
    return r;
  }

  std::string& buffered() { return buffer_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

inline RawResponse RawRoundTrip(uint16_t port, std::string_view request) {
  RawSocket s(port);
  EXPECT_TRUE(s.connected());
  EXPECT_TRUE(s.Send(request));
  return s.ReadResponse();
}

struct CurlResult {
  int exit_code = -1;
  std::string output;
};

// Runs Debian's curl with `args` (no config file, silent, errors shown).
inline CurlResult RunCurl(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s) {
  ProcessSpec spec;
  spec.argv = {"curl", "-q", "-sS"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent"};
  spec.timeout = timeout;
  CurlResult result;
  const ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { result.output += chunk; }, nullptr);
  result.exit_code = outcome.kind == ProcessOutcome::Kind::kExited ? outcome.exit_code : -1;
  return result;
}

// Resident set (VmRSS) and its peak (VmHWM) in bytes, from /proc/self/status.
inline uint64_t ProcStatusBytes(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(std::string(field) + ":", 0) == 0) {
      return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10) * 1024;
    }
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux clear_refs "5"), so the peak of one phase can be read.
inline bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace slipway::http::testing
