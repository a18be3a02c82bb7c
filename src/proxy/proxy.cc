// Proxy: the listener, the I/O threads (one Worker each), SetRoutes and its draining.
#include "proxy/proxy.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <random>

#include "proxy/admin.h"
#include "proxy/session.h"
#include "proxy/worker.h"

namespace slipway::proxy {

using namespace internal;  // NOLINT(google-build-using-namespace): this file is the glue

struct Proxy::Impl {
  Impl(const ProxyOptions& options, std::shared_ptr<const RouteTable> table)
      : context(options, std::move(table)) {}

  ~Impl() {
    admin.reset();
    // Sessions die with their io_context (its pending handlers own them); nothing is graceful
    // past this point, which is what a destructor may do.
    for (auto& worker : workers) worker->ioc.stop();
    for (auto& worker : workers) {
      if (worker->thread.joinable()) worker->thread.join();
    }
    acceptor.reset();
    accept_retry.reset();
    workers.clear();
  }

  Status Listen() {
    const ProxyOptions& o = context.options;
    const std::string where = o.listen_host + ":" + std::to_string(o.listen_port);
    beast::error_code ec;
    const auto address = net::ip::make_address(o.listen_host, ec);
    if (ec) return InvalidArgument("bad listen address '" + o.listen_host + "' (an IP address)");
    const tcp::endpoint endpoint(address, o.listen_port);
    acceptor = std::make_unique<tcp::acceptor>(workers[0]->ioc);
    accept_retry = std::make_unique<net::steady_timer>(workers[0]->ioc);
    auto fail = [&](const char* what) {
      return Unavailable("cannot listen on " + where + ": " + what + ": " + ec.message());
    };
    if (acceptor->open(endpoint.protocol(), ec)) return fail("socket");
    if (acceptor->set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
    if (acceptor->bind(endpoint, ec)) return fail("bind");
    if (acceptor->listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
    port = acceptor->local_endpoint(ec).port();
    return Status::Ok();
  }

  // Each accepted connection goes to the next worker's io_context and stays there.
  void Accept() {
    Worker& target = *workers[next_worker++ % workers.size()];
    acceptor->async_accept(target.ioc, [this, &target](beast::error_code ec, Socket socket) {
      if (!acceptor->is_open()) return;
      if (!ec) {
        std::make_shared<Session>(target, std::move(socket))->Start();
        return Accept();
      }
      // Out of file descriptors (or a similar lasting error): pause instead of spinning.
      accept_retry->expires_after(std::chrono::milliseconds(50));
      accept_retry->async_wait([this](beast::error_code) { Accept(); });
    });
  }

  Status SetRoutes(const Routes& routes) {
    SLIPWAY_ASSIGN_OR_RETURN(auto table, RouteTable::Build(routes, context.telemetry));
    // One SetRoutes at a time, so every worker sees the drains in the order of the tables.
    std::lock_guard lock(set_mu);
    auto live = std::make_shared<const std::unordered_set<std::string>>(table->endpoint_keys());
    context.routes.Set(std::move(table));
    for (auto& worker : workers) {
      net::post(worker->ioc, [w = worker.get(), live] { w->upstreams.Retain(live); });
    }
    return Status::Ok();
  }

  ProxyContext context;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<tcp::acceptor> acceptor;  // on workers[0]'s io_context
  std::unique_ptr<net::steady_timer> accept_retry;
  size_t next_worker = 0;  // only the acceptor's handler touches it
  uint16_t port = 0;
  std::mutex set_mu;
  std::unique_ptr<AdminServer> admin;
};

Result<std::unique_ptr<Proxy>> Proxy::Start(const ProxyOptions& options, const Routes& routes) {
  if (options.threads < 1) return InvalidArgument("threads must be at least 1");
  if (options.upstream_timeout_seconds < 1) {
    return InvalidArgument("upstream_timeout_seconds must be at least 1");
  }
  auto impl = std::make_unique<Impl>(options, nullptr);
  SLIPWAY_ASSIGN_OR_RETURN(auto table, RouteTable::Build(routes, impl->context.telemetry));
  impl->context.routes.Set(std::move(table));
  std::random_device seed;
  for (int i = 0; i < options.threads; ++i) {
    const uint64_t s = (static_cast<uint64_t>(seed()) << 32) | seed();
    impl->workers.push_back(std::make_unique<Worker>(impl->context, s));
  }
  SLIPWAY_RETURN_IF_ERROR(impl->Listen());
  if (options.admin_enabled) {
    Impl* raw = impl.get();
    AdminHandlers handlers{
        [raw] { return raw->context.routes.Get()->routes(); },
        [raw](const Routes& r) { return raw->SetRoutes(r); },
        [raw] {
          return FormatPrometheus(raw->context.telemetry.Snapshot(),
                                  raw->context.routes.Get()->routes(),
                                  raw->context.telemetry.unrouted());
        },
        [raw] { return TelemetryJson(raw->context.telemetry.Snapshot()); },
    };
    SLIPWAY_ASSIGN_OR_RETURN(
        impl->admin, AdminServer::Start(options.admin_host, options.admin_port, options.admin_token,
                                        std::move(handlers)));
  }
  impl->Accept();
  for (auto& worker : impl->workers) {
    worker->thread = std::thread([w = worker.get()] {
      auto guard = net::make_work_guard(w->ioc);
      w->ioc.run();
    });
  }
  return std::unique_ptr<Proxy>(new Proxy(std::move(impl)));
}

Proxy::Proxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Proxy::~Proxy() = default;

uint16_t Proxy::port() const { return impl_->port; }
uint16_t Proxy::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

Status Proxy::SetRoutes(const Routes& routes) { return impl_->SetRoutes(routes); }
Routes Proxy::routes() const { return impl_->context.routes.Get()->routes(); }

std::vector<PoolTelemetry> Proxy::Telemetry() const { return impl_->context.telemetry.Snapshot(); }

std::string Proxy::PrometheusText() const {
  return FormatPrometheus(impl_->context.telemetry.Snapshot(),
                          impl_->context.routes.Get()->routes(),
                          impl_->context.telemetry.unrouted());
}

}  // namespace slipway::proxy
