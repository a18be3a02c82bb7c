// Timeouts without a timer per operation. Each connection keeps plain deadlines (a store per
// read or write, no syscall, no timer queue); one timer per I/O thread wakes every
// kSweepPeriod while there are connections and lets each check its deadlines. A deadline
// therefore fires up to kSweepPeriod late, which is fine for timeouts counted in seconds.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "proxy/asio.h"

namespace slipway::proxy::internal {

inline constexpr auto kSweepPeriod = std::chrono::milliseconds(250);

// What the sweep checks. Called on the I/O thread; must not add to the sweep.
class Expiring {
 public:
  virtual void CheckDeadlines(SteadyClock::time_point now) = 0;

 protected:
  ~Expiring() = default;
};

// Owned by one Worker, used only by its thread. Holds the connections weakly: a connection
// that ended simply drops out at the next sweep, so it need not unregister.
class Sweep {
 public:
  explicit Sweep(net::io_context& ioc) : timer_(ioc) {}
  Sweep(const Sweep&) = delete;
  Sweep& operator=(const Sweep&) = delete;

  void Watch(std::weak_ptr<Expiring> connection);

 private:
  void Arm();
  void Run();

  net::basic_waitable_timer<SteadyClock, net::wait_traits<SteadyClock>,
                            net::io_context::executor_type>
      timer_;
  std::vector<std::weak_ptr<Expiring>> watched_;
  bool armed_ = false;
};

}  // namespace slipway::proxy::internal
