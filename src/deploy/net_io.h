// Short blocking exchanges over TCP or unix sockets with a deadline: what health checks and the
// haproxy Runtime API need (connect, send a request, read the answer until the peer closes).
// Internal to deploy. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "deploy/deploy.h"
#include "util/status.h"

namespace slipway::deploy {

// Where to connect: a TCP endpoint, or a unix socket path when `unix_path` is set.
struct SocketAddress {
  Endpoint tcp;
  std::string unix_path;
  std::string ToString() const;
};

// "HOST:PORT" → TCP; anything else (a path) → unix socket.
SocketAddress ParseSocketAddress(std::string_view text);

// Connects within `timeout`; OK when the peer accepted. Unavailable names the address and why.
Status ProbeConnect(const SocketAddress& address, std::chrono::milliseconds timeout);

// Connects, sends `request`, and reads until the peer closes the connection (at most
// `max_bytes`), all within `timeout`. Unavailable (or DeadlineExceeded) names the address.
Result<std::string> Exchange(const SocketAddress& address, std::string_view request,
                             std::chrono::milliseconds timeout, size_t max_bytes = 1 << 20);

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// GET http://<endpoint><path> with HTTP/1.0 and `Connection: close`. Hosts must be IP literals.
Result<HttpAnswer> HttpGet(const Endpoint& endpoint, std::string_view path,
                           std::chrono::milliseconds timeout);

}  // namespace slipway::deploy
