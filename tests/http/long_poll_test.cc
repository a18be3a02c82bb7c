// Long-poll: deferred responses completed from another thread, timeouts, clients leaving,
// and hundreds of waiting requests on a handler pool of two threads.
#include <future>
#include <set>
#include <thread>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

// Waiting agents, as the job queue would keep them.
class Waiters {
 public:
  Response Wait(milliseconds timeout) {
    auto pending = PendingResponse::Create(timeout, Response::NoContent());
    std::lock_guard lock(mu_);
    waiting_.push_back(pending);
    return Response::Deferred(pending);
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return waiting_.size();
  }
  std::vector<std::shared_ptr<PendingResponse>> TakeAll() {
    std::lock_guard lock(mu_);
    return std::exchange(waiting_, {});
  }
  void AwaitSize(size_t n) {
    while (size() < n) std::this_thread::sleep_for(1ms);
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<PendingResponse>> waiting_;
};

Router PollRouter(Waiters* waiters, milliseconds timeout = 30s) {
  Router r;
  r.Add("GET", "/poll", [waiters, timeout](Request&) { return waiters->Wait(timeout); });
  r.Add("GET", "/ping", [](Request&) { return Response::Text(200, "pong"); });
  r.Add("GET", "/now", [](Request&) {  // completed before the handler even returns
    auto pending = PendingResponse::Create(30s, Response::NoContent());
    EXPECT_TRUE(pending->Complete(Response::Text(200, "immediate")));
    return Response::Deferred(pending);
  });
  return r;
}

TEST(LongPollTest, TwoHundredWaitingRequestsDoNotExhaustTwoHandlerThreads) {
  Waiters waiters;
  ServerOptions options;
  options.handler_threads = 2;
  auto server = StartServer(PollRouter(&waiters), options);
  constexpr int kPollers = 200;
  std::vector<std::unique_ptr<RawSocket>> sockets;
  for (int i = 0; i < kPollers; ++i) {
    sockets.push_back(std::make_unique<RawSocket>(server->port()));
    ASSERT_TRUE(sockets.back()->Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  waiters.AwaitSize(kPollers);
  // Everything else is still served.
  auto client = ClientFor(*server);
  auto ping = client->Send("GET", "/ping");
  ASSERT_TRUE(ping.ok()) << ping.status().ToString();
  EXPECT_EQ(ping->body, "pong");

  // Work arrives, from another thread, for everybody.
  std::thread producer([&] {
    int i = 0;
    for (auto& pending : waiters.TakeAll()) {
      EXPECT_TRUE(pending->Complete(Response::Text(200, "job-" + std::to_string(i++))));
    }
  });
  producer.join();
  std::set<std::string> jobs;
  for (auto& s : sockets) {
    RawResponse r = s->ReadResponse();
    EXPECT_EQ(r.status, 200);
    jobs.insert(r.body);
  }
  EXPECT_EQ(jobs.size(), static_cast<size_t>(kPollers));
  // The connections stay usable for the next poll (keep-alive after a deferred answer).
  ASSERT_TRUE(sockets[0]->Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(sockets[0]->ReadResponse().body, "pong");
}

TEST(LongPollTest, TimeoutSendsTheTimeoutResponseAndLateCompletionIsRefused) {
  Waiters waiters;
  auto server = StartServer(PollRouter(&waiters, 50ms));
  auto client = ClientFor(*server);
  auto r = client->Send("GET", "/poll");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 204);
  auto pending = waiters.TakeAll();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_TRUE(pending[0]->done());
  EXPECT_FALSE(pending[0]->Complete(Response::Text(200, "too late")));  // work stays queued
}

TEST(LongPollTest, ClientLeavingDecidesThePendingResponse) {
  Waiters waiters;
  auto server = StartServer(PollRouter(&waiters));
  {
    RawSocket s(server->port());
    ASSERT_TRUE(s.Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
    waiters.AwaitSize(1);
  }
  auto pending = waiters.TakeAll();
  while (!pending[0]->done()) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(pending[0]->Complete(Response::Text(200, "job")));  // nobody to hand it to
}

TEST(LongPollTest, CompletionBeforeTheHandlerReturns) {
  Waiters waiters;
  auto server = StartServer(PollRouter(&waiters));
  auto client = ClientFor(*server);
  auto r = client->Send("GET", "/now");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "immediate");
}

TEST(LongPollTest, StopAnswersWaitingPollsWithTheirTimeoutResponse) {
  Waiters waiters;
  auto server = StartServer(PollRouter(&waiters));
  auto client = ClientFor(*server);
  auto poll = std::async(std::launch::async, [&] { return client->Send("GET", "/poll"); });
  waiters.AwaitSize(1);
  server->Stop(10min);  // would hang if waiting polls counted as in flight
  auto r = poll.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->headers.Get("Connection").value_or(""), "close");
}

}  // namespace
}  // namespace slipway::http::testing
