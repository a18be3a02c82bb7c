#include "proxy/upstream_pool.h"

#include <sys/socket.h>

#include <cerrno>

namespace slipway::proxy::internal {
namespace {

// An idle connection is usable when reading would block: no EOF (the upstream closed it) and
// no stray bytes (an answer nobody asked for). One non-blocking peek, no wait.
bool LooksOpen(UpstreamConnection& connection) {
  auto& socket = connection.socket;
  if (!socket.is_open() || connection.buffer.size() > 0) return false;
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void Close(UpstreamConnection& connection) {
  beast::error_code ignored;
  connection.socket.shutdown(tcp::socket::shutdown_both, ignored);
  connection.socket.close(ignored);
}

}  // namespace

std::unique_ptr<UpstreamConnection> UpstreamPool::TakeIdle(const std::string& key,
                                                           SteadyClock::time_point now,
                                                           bool can_retry) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  while (!list.empty()) {
    std::unique_ptr<UpstreamConnection> connection = std::move(list.back());
    list.pop_back();
    const bool trusted = can_retry && now - connection->idle_since < kTrustIdleFor &&
                         connection->socket.is_open() && connection->buffer.size() == 0;
    if (trusted || LooksOpen(*connection)) {
      connection->reused = true;
      return connection;
    }
    Close(*connection);
  }
  return nullptr;
}

void UpstreamPool::Release(std::unique_ptr<UpstreamConnection> connection,
                           SteadyClock::time_point now) {
  auto& list = idle_[connection->key];
  if ((live_ && live_->count(connection->key) == 0) || list.size() >= kMaxIdlePerEndpoint) {
    Close(*connection);
    return;
  }
  connection->idle_since = now;
  list.push_back(std::move(connection));
}

void UpstreamPool::Retain(std::shared_ptr<const std::unordered_set<std::string>> live) {
  live_ = std::move(live);
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (live_->count(it->first) == 0) {
      for (auto& connection : it->second) Close(*connection);
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t UpstreamPool::idle() const {
  size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

}  // namespace slipway::proxy::internal
