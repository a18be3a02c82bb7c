// Hand-written HTTP requests over a raw socket, for bytes no well-behaved client would send.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace slipway::api::testing {

// How RawStatus ends its side of the exchange.
enum class RawSend {
  kKeepOpen,   // read the status line, then close
  kHalfClose,  // close the sending side after `request` (a body ends there whatever its
               // Content-Length said), then read until the server closes: the handler has
               // finished with the request by then
};

// Sends `request` to 127.0.0.1:port and returns the status code of the answer, 0 when the
// server closed the connection without one (within 10 s).
inline int RawStatus(uint16_t port, const std::string& request, RawSend mode = RawSend::kKeepOpen) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string received;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()) &&
      (mode == RawSend::kKeepOpen || shutdown(fd, SHUT_WR) == 0)) {
    while (mode == RawSend::kHalfClose || received.find("\r\n") == std::string::npos) {
      pollfd pfd{fd, POLLIN, 0};
      if (poll(&pfd, 1, 10000) <= 0) break;
      char buffer[4096];
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received.append(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  if (received.size() < 12 || !received.starts_with("HTTP/1.")) return 0;
  return std::atoi(received.substr(9, 3).c_str());
}

}  // namespace slipway::api::testing
