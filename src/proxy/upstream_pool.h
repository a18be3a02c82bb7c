// Keep-alive connections to upstreams, one pool per I/O thread: only that thread touches it,
// so it needs no lock, and a connection never changes threads.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "proxy/asio.h"

namespace slipway::proxy::internal {

struct UpstreamConnection {
  UpstreamConnection(net::io_context& ioc, std::string key) : socket(ioc), key(std::move(key)) {}

  Socket socket;
  beast::flat_buffer buffer;           // bytes read past the last response (normally none)
  const std::string key;               // the Endpoint it goes to
  bool reused = false;                 // taken from the pool (so the upstream may have closed it)
  SteadyClock::time_point idle_since;  // when it was last released to the pool
};

class UpstreamPool {
 public:
  // Idle connections kept per endpoint; more are closed when released.
  static constexpr size_t kMaxIdlePerEndpoint = 256;
  // A connection idle for less than this is taken without checking it is still open when the
  // caller can retry a request the upstream closed on (see TakeIdle).
  static constexpr auto kTrustIdleFor = std::chrono::seconds(1);

  // An idle connection to `key`, or null. When `can_retry` is false, or the connection was
  // idle for kTrustIdleFor or longer, only one that still looks open (one non-blocking peek:
  // no EOF, no stray bytes). Otherwise the peek (a syscall per request) is skipped: a
  // connection the upstream just closed fails before any answer, and the caller retries.
  std::unique_ptr<UpstreamConnection> TakeIdle(const std::string& key, SteadyClock::time_point now,
                                               bool can_retry);
  // Keeps `connection` for reuse, unless its endpoint left the table (then it is closed).
  void Release(std::unique_ptr<UpstreamConnection> connection, SteadyClock::time_point now);
  // From now on only endpoints in `live` are kept; idle connections to others are closed now
  // (draining after SetRoutes).
  void Retain(std::shared_ptr<const std::unordered_set<std::string>> live);
  size_t idle() const;
  void Clear() { idle_.clear(); }

 private:
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  std::shared_ptr<const std::unordered_set<std::string>> live_;  // null: every endpoint
};

}  // namespace slipway::proxy::internal
