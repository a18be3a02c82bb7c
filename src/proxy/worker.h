// What the proxy's I/O threads share (ProxyContext) and what each owns (Worker): an
// io_context run by one thread, so a client connection, the upstream connections it uses and
// the thread's upstream pool are only ever touched by that thread (no strands, no locks).
#pragma once

#include <cstdint>
#include <memory>
#include <thread>

#include "proxy/asio.h"
#include "proxy/proxy.h"
#include "proxy/route_table.h"
#include "proxy/sweep.h"
#include "proxy/telemetry.h"
#include "proxy/upstream_pool.h"

namespace slipway::proxy::internal {

struct ProxyContext {
  ProxyContext(ProxyOptions options, std::shared_ptr<const RouteTable> table)
      : options(std::move(options)), routes(std::move(table)) {}

  const ProxyOptions options;
  TelemetryRegistry telemetry;
  RouteHolder routes;
};

class Worker {
 public:
  Worker(ProxyContext& context, uint64_t seed) : context(context), random_state_(seed) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  // Idle upstream sockets belong to the io_context: close them before it goes.
  ~Worker() { upstreams.Clear(); }

  // The table as of now (cached per thread; see RouteHolder).
  std::shared_ptr<const RouteTable> CurrentTable() {
    context.routes.Refresh(table_, generation_);
    return table_;
  }

  // splitmix64: fast, good enough for a weighted draw, per thread so no lock.
  uint64_t Random() {
    uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  ProxyContext& context;
  net::io_context ioc{1};  // one thread runs it (a hint: Asio need not wake other threads)
  UpstreamPool upstreams;  // declared after ioc: destroyed before it
  Sweep sweep{ioc};        // the client and upstream deadlines of this thread's sessions
  std::thread thread;

 private:
  std::shared_ptr<const RouteTable> table_;
  uint64_t generation_ = 0;
  uint64_t random_state_;
};

}  // namespace slipway::proxy::internal
