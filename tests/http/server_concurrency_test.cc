// Connections and threads: keep-alive reuse, pipelining, many clients, slow handlers, stop.
#include <future>
#include <latch>
#include <set>
#include <thread>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

// A gate handlers wait on until the test opens it.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  void AwaitWaiters(int n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool open_ = false;
  int waiting_ = 0;
};

Router EchoRemoteRouter(Gate* gate) {
  Router r;
  r.Add("GET", "/remote", [](Request& req) { return Response::Text(200, req.remote_address); });
  r.Add("GET", "/slow", [gate](Request&) {
    gate->Wait();
    return Response::Text(200, "slow done");
  });
  return r;
}

TEST(ConcurrencyTest, KeepAliveReusesOneConnection) {
  Gate gate;
  auto server = StartServer(EchoRemoteRouter(&gate));
  auto client = ClientFor(*server);
  std::set<std::string> remotes;
  for (int i = 0; i < 20; ++i) {
    auto r = client->Send("GET", "/remote");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    remotes.insert(r->body);
  }
  EXPECT_EQ(remotes.size(), 1u);
}

TEST(ConcurrencyTest, PipelinedRequestsAreAnsweredInOrder) {
  Gate gate;
  auto server = StartServer(EchoRemoteRouter(&gate));
  RawSocket s(server->port());
  ASSERT_TRUE(
      s.Send("GET /remote HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /remote HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  RawResponse a = s.ReadResponse(), b = s.ReadResponse(), c = s.ReadResponse();
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 404);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(a.body, c.body);
  EXPECT_TRUE(s.WaitClosed());
}

TEST(ConcurrencyTest, ManyClientsAtOnce) {
  Gate gate;
  ServerOptions options;
  options.handler_threads = 4;
  auto server = StartServer(EchoRemoteRouter(&gate), options);
  constexpr int kClients = 32, kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      auto client = ClientFor(*server);
      for (int j = 0; j < kRequests; ++j) {
        auto r = client->Send("GET", "/remote");
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kClients * kRequests);
}

TEST(ConcurrencyTest, SlowHandlersDoNotBlockOtherConnections) {
  Gate gate;
  ServerOptions options;
  options.handler_threads = 4;
  options.io_threads = 1;
  auto server = StartServer(EchoRemoteRouter(&gate), options);
  // Three of four handler threads stuck in a "database call".
  std::vector<std::future<Result<ClientResponse>>> slow;
  for (int i = 0; i < 3; ++i) {
    slow.push_back(std::async(std::launch::async, [&] {
      auto client = ClientFor(*server);
      return client->Send("GET", "/slow");
    }));
  }
  gate.AwaitWaiters(3);
  auto client = ClientFor(*server);
  for (int i = 0; i < 50; ++i) {
    auto r = client->Send("GET", "/remote");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  for (auto& f : slow) {
    EXPECT_EQ(f.wait_for(0s), std::future_status::timeout);  // still waiting, not failed
  }
  gate.Open();
  for (auto& f : slow) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "slow done");
  }
}

TEST(ConcurrencyTest, GracefulStopFinishesInFlightRequestsAndRefusesNewOnes) {
  Gate gate;
  auto server = StartServer(EchoRemoteRouter(&gate));
  const uint16_t port = server->port();
  RawSocket idle(port);
  ASSERT_TRUE(idle.connected());
  auto in_flight = std::async(std::launch::async, [&] {
    auto client = ClientFor(*server);
    return client->Send("GET", "/slow");
  });
  gate.AwaitWaiters(1);
  auto stopped = std::async(std::launch::async, [&] { server->Stop(30s); });
  EXPECT_TRUE(idle.WaitClosed());  // idle keep-alive connections go at once
  // New connections are refused while the in-flight request finishes.
  RawSocket late(port);
  EXPECT_TRUE(!late.connected() || late.WaitClosed());
  EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout);
  gate.Open();
  auto r = in_flight.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow done");
  EXPECT_EQ(r->headers.Get("Connection").value_or(""), "close");
  stopped.get();
}

TEST(ConcurrencyTest, StopDeadlineEndsEndlessDownloads) {
  std::atomic<bool> producer_saw_stop{false};
  Router r;
  r.Add("GET", "/endless", [&](Request&) {
    return Response::Stream("application/octet-stream", [&](std::shared_ptr<StreamWriter> w) {
      const std::string chunk(4096, 'x');
      while (w->Write(chunk)) {
      }
      producer_saw_stop = true;
    });
  });
  auto server = StartServer(std::move(r));
  auto client = ClientFor(*server);
  std::atomic<uint64_t> received{0};
  auto download = std::async(std::launch::async, [&] {
    return client->Download("/endless", [&](std::string_view chunk) {
      received += chunk.size();
      return true;
    });
  });
  while (received < 100000) std::this_thread::sleep_for(1ms);
  server->Stop(200ms);
  EXPECT_TRUE(producer_saw_stop);
  auto result = download.get();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
}

}  // namespace
}  // namespace slipway::http::testing
