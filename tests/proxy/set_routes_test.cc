// SetRoutes: atomic under load, in-flight requests finish where they started, draining.
#include <atomic>
#include <future>
#include <thread>

#include "proxy_fixture.h"

namespace slipway::proxy::testing {
namespace {

using std::chrono::milliseconds;

TEST(ProxySetRoutes, RejectsABadTableAndKeepsTheOldOne) {
  Backend stable("stable");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&stable})}});
  ASSERT_TRUE(proxy);
  Routes bad;
  bad.pools.push_back({"x", {}, 10});
  EXPECT_EQ(proxy->SetRoutes(bad).code(), StatusCode::kInvalidArgument);
  bad.pools = {PoolOf("a", 1, {&stable}), PoolOf("a", 1, {&stable})};
  EXPECT_EQ(proxy->SetRoutes(bad).code(), StatusCode::kInvalidArgument);
  bad.pools = {PoolOf("a", -1, {&stable})};
  EXPECT_EQ(proxy->SetRoutes(bad).code(), StatusCode::kInvalidArgument);
  bad.pools = {{"a", {{"no-such-host.invalid", 80}}, 1}};
  EXPECT_EQ(proxy->SetRoutes(bad).code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(proxy->routes().pools.size(), 1u);
  EXPECT_EQ(proxy->routes().pools[0].name, "stable");
  Client client(proxy->port());
  EXPECT_EQ(client.Get("/").body, "stable");
}

// Clients keep sending keep-alive requests while the table goes 0 → 5 → 25 → 100 → 0 % canary,
// a pool is removed and added back, and the stable pool moves to other endpoints. Not one
// request may fail.
TEST(ProxySetRoutes, FlippingUnderLoadFailsNoRequest) {
  Backend stable1("stable1"), stable2("stable2"), canary("canary");
  ProxyOptions options;
  options.threads = 2;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&stable1})}}, options);
  ASSERT_TRUE(proxy);

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::mutex mu;
  std::map<std::string, int> by_backend;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      Client client(proxy->port());
      std::map<std::string, int> mine;
      while (!stop.load()) {
        Reply reply = client.Get("/");
        if (reply.ok && reply.status == 200) {
          ++ok;
          ++mine[reply.body];
        } else {
          ++failed;
          std::lock_guard lock(mu);
          failures.push_back(reply.ok ? "status " + std::to_string(reply.status) + ": " + reply.body
                                      : reply.error);
        }
      }
      std::lock_guard lock(mu);
      for (const auto& [name, n] : mine) by_backend[name] += n;
    });
  }
  const std::vector<Routes> steps = {
      {{PoolOf("stable", 100, {&stable1}), PoolOf("canary", 0, {&canary})}},
      {{PoolOf("stable", 95, {&stable1}), PoolOf("canary", 5, {&canary})}},
      {{PoolOf("stable", 75, {&stable1}), PoolOf("canary", 25, {&canary})}},
      {{PoolOf("stable", 0, {&stable1}), PoolOf("canary", 100, {&canary})}},
      {{PoolOf("stable", 100, {&stable1})}},                                  // canary removed
      {{PoolOf("stable", 50, {&stable1}), PoolOf("canary", 50, {&canary})}},  // and back
      {{PoolOf("stable", 100, {&stable2})}},  // stable moves to another endpoint
      {{PoolOf("stable", 90, {&stable2, &stable1}), PoolOf("canary", 10, {&canary})}},
      {{PoolOf("stable", 100, {&stable1})}},
  };
  for (int round = 0; round < 2; ++round) {
    for (const Routes& routes : steps) {
      std::this_thread::sleep_for(milliseconds(120));  // pacing, not synchronization
      ASSERT_TRUE(proxy->SetRoutes(routes).ok());
    }
  }
  std::this_thread::sleep_for(milliseconds(120));
  stop = true;
  for (auto& t : clients) t.join();

  EXPECT_EQ(failed.load(), 0) << (failures.empty() ? "" : failures.front());
  EXPECT_GT(ok.load(), 200);  // the clients did run throughout
  EXPECT_GT(by_backend["canary"], 0);
  EXPECT_GT(by_backend["stable2"], 0);
  EXPECT_GT(by_backend["stable1"], 0);
}

TEST(ProxySetRoutes, InFlightRequestFinishesOnItsUpstream) {
  Backend old_version("old"), new_version("new");
  old_version.delay_ms = 400;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&old_version})}});
  ASSERT_TRUE(proxy);
  auto in_flight = std::async(std::launch::async, [&] {
    Client client(proxy->port());
    return client.Get("/");
  });
  ASSERT_TRUE(old_version.WaitFor([&] { return old_version.requests() == 1; }, milliseconds(5000)));
  ASSERT_TRUE(proxy->SetRoutes({{PoolOf("stable", 100, {&new_version})}}).ok());
  Reply reply = in_flight.get();
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "old");
  // Its upstream connection is not kept: the endpoint left the table.
  EXPECT_TRUE(
      old_version.WaitFor([&] { return old_version.connections_open() == 0; }, milliseconds(5000)));
  Client client(proxy->port());
  EXPECT_EQ(client.Get("/").body, "new");
}

TEST(ProxySetRoutes, IdleConnectionsToRemovedEndpointsAreClosed) {
  Backend stable("stable"), canary("canary");
  auto proxy = StartProxy({{PoolOf("stable", 50, {&stable}), PoolOf("canary", 50, {&canary})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  ASSERT_EQ(client.Get("/", {{"X-Slipway-Pool", "stable"}}).status, 200);
  ASSERT_EQ(client.Get("/", {{"X-Slipway-Pool", "canary"}}).status, 200);
  ASSERT_EQ(canary.connections_open(), 1);  // idle in the proxy's pool
  ASSERT_TRUE(proxy->SetRoutes({{PoolOf("stable", 100, {&stable})}}).ok());
  EXPECT_TRUE(canary.WaitFor([&] { return canary.connections_open() == 0; }, milliseconds(5000)));
  // The endpoint still in the table keeps its idle connection.
  EXPECT_EQ(stable.connections_open(), 1);
  ASSERT_EQ(client.Get("/").body, "stable");
  EXPECT_EQ(stable.connections_accepted(), 1);
}

}  // namespace
}  // namespace slipway::proxy::testing
