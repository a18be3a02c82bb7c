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
  UpstreamConnection(net::io_context& ioc, std::string key) : stream(ioc), key(std::move(key)) {}

  beast::tcp_stream stream;
  beast::flat_buffer buffer;  // bytes read past the last response (normally none)
  const std::string key;      // the Endpoint it goes to
  bool reused = false;        // taken from the pool (so the upstream may have closed it)
};

class UpstreamPool {
 public:
  // Idle connections kept per endpoint; more are closed when released.
  static constexpr size_t kMaxIdlePerEndpoint = 256;

  // An idle connection to `key` that still looks open, or null.
  std::unique_ptr<UpstreamConnection> TakeIdle(const std::string& key);
  // Keeps `connection` for reuse, unless its endpoint left the table (then it is closed).
  void Release(std::unique_ptr<UpstreamConnection> connection);
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
