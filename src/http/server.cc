// Server: the listening socket, the I/O threads, the handler pool and the graceful stop.
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "http/connection.h"

namespace slipway::http {

using internal::Clock;
namespace net = internal::net;
using internal::tcp;

class Server::Impl {
 public:
  Impl(ServerOptions options, Router router)
      : pool_(static_cast<size_t>(std::max(1, options.handler_threads))),
        ctx_(std::move(options), std::move(router), pool_.get_executor()),
        ioc_(std::max(1, ctx_.options.io_threads)),
        work_(ioc_.get_executor()),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()) {}

  ~Impl() { Stop(milliseconds(0)); }

  Status Listen() {
    const ServerOptions& o = ctx_.options;
    const std::string where = o.address + ":" + std::to_string(o.port);
    internal::beast::error_code ec;
    const auto address = net::ip::make_address(o.address, ec);
    if (ec) return InvalidArgument("bad listen address \"" + o.address + "\"");
    const tcp::endpoint endpoint(address, o.port);
    auto fail = [&](const char* what) {
      return Unavailable("cannot listen on " + where + ": " + what + ": " + ec.message());
    };
    if (acceptor_.open(endpoint.protocol(), ec)) return fail("socket");
    if (acceptor_.set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
    if (acceptor_.bind(endpoint, ec)) return fail("bind");
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
    const tcp::endpoint local = acceptor_.local_endpoint(ec);
    if (ec) return fail("getsockname");
    port_ = local.port();
    host_ = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return Status::Ok();
  }

  void Run() {
    net::post(acceptor_.get_executor(), [this] { Accept(); });
    for (int i = 0; i < std::max(1, ctx_.options.io_threads); ++i) {
      io_threads_.emplace_back([this] {
        while (true) {
          try {
            ioc_.run();
            return;
          } catch (...) {
            // Handlers do not throw by design; if one does, keep serving the others.
          }
        }
      });
    }
  }

  void Stop(milliseconds deadline) {
    {
      std::lock_guard lock(stop_mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    const Clock::time_point until = Clock::now() + deadline;
    ctx_.stopping = true;
    if (!io_threads_.empty()) {
      // Close the acceptor on its strand; every accepted connection is registered by then.
      std::promise<void> closed;
      net::post(acceptor_.get_executor(), [&] {
        internal::beast::error_code ignored;
        acceptor_.close(ignored);
        accept_retry_.cancel();
        closed.set_value();
      });
      closed.get_future().wait();
      for (auto& c : ctx_.LiveConnections()) c->BeginStop();
      ctx_.WaitIdle(until);
      for (auto& c : ctx_.LiveConnections()) c->ForceClose();
    }
    // Handlers may be blocked on the I/O threads (body reads): join them while those run.
    pool_.join();
    ctx_.WaitNoConnections(Clock::now() + std::chrono::seconds(1));
    work_.reset();
    ioc_.stop();
    for (auto& t : io_threads_) t.join();
    io_threads_.clear();
  }

  uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }

 private:
  void Accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_), [this](internal::beast::error_code ec, tcp::socket socket) {
          if (!acceptor_.is_open()) return;
          if (ec) {
            // Out of descriptors and the like: back off instead of spinning.
            accept_retry_.expires_after(std::chrono::milliseconds(100));
            accept_retry_.async_wait([this](internal::beast::error_code e) {
              if (!e && acceptor_.is_open()) Accept();
            });
            return;
          }
          auto connection = std::make_shared<internal::Connection>(ctx_, std::move(socket));
          ctx_.Register(connection);
          connection->Start();
          Accept();
        });
  }

  // Members are destroyed in reverse: the io_context (holding the last references to
  // connections) goes before the context they point to, the pool last.
  net::thread_pool pool_;
  internal::ServerContext ctx_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  std::string host_;
  std::mutex stop_mu_;
  bool stopped_ = false;
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Router router) {
  SLIPWAY_RETURN_IF_ERROR(router.status());
  if (options.handler_threads < 1 || options.io_threads < 1) {
    return InvalidArgument("server needs at least one I/O and one handler thread");
  }
  auto impl = std::make_unique<Impl>(std::move(options), std::move(router));
  SLIPWAY_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::make_unique<Server>(std::move(impl));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }
uint16_t Server::port() const { return impl_->port(); }
std::string Server::base_url() const {
  return "http://" + impl_->host() + ":" + std::to_string(impl_->port());
}
void Server::Stop(milliseconds deadline) { impl_->Stop(deadline); }

namespace internal {

void ServerContext::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mu_);
  live_[connection.get()] = connection;
}

void ServerContext::Unregister(const Connection* connection) {
  std::lock_guard lock(mu_);
  live_.erase(connection);
  changed_.notify_all();
}

std::vector<std::shared_ptr<Connection>> ServerContext::LiveConnections() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Connection>> out;
  for (auto& [ptr, weak] : live_) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

void ServerContext::AddBusy(int delta) {
  std::lock_guard lock(mu_);
  busy_ += delta;
  changed_.notify_all();
}

void ServerContext::WaitIdle(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  changed_.wait_until(lock, deadline, [&] { return busy_ == 0; });
}

void ServerContext::WaitNoConnections(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  changed_.wait_until(lock, deadline, [&] { return live_.empty(); });
}

}  // namespace internal
}  // namespace slipway::http
