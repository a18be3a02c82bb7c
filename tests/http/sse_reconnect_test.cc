// HttpClient::StreamEvents riding out the ends of a stream: a server that ends it cleanly
// (as one stopping for a restart does) or drops it, a server gone and back on the same port,
// and the two ways to stop for good (the callback, or a 204 answer).
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

// Events 1…kEvents; each connection sends at most `per_connection` of them after its
// Last-Event-ID, then ends the stream cleanly.
constexpr int kEvents = 5;

Router ChoppyRouter(std::atomic<int>* connections, int per_connection) {
  Router r;
  r.Add("GET", "/events", [connections, per_connection](Request& req) {
    ++*connections;
    int last = 0;
    if (auto id = req.LastEventId()) last = std::atoi(std::string(*id).c_str());
    return Response::Sse([last, per_connection](std::shared_ptr<StreamWriter> w) {
      for (int i = last + 1; i <= std::min(kEvents, last + per_connection); ++i) {
        w->Send({std::to_string(i), "n", "event " + std::to_string(i)});
      }
    });
  });
  return r;
}

TEST(SseReconnectTest, ACleanEndReconnectsAndResumesAfterTheLastEvent) {
  std::atomic<int> connections{0};
  auto server = StartServer(ChoppyRouter(&connections, 2));
  auto client = ClientFor(*server);
  SseOptions options;
  options.max_reconnects = 3;
  options.reconnect_delay = 10ms;
  std::vector<std::string> ids;
  Status s = client->StreamEvents("/events", options, [&](const SseEvent& e) {
    ids.push_back(e.id);
    return e.id != std::to_string(kEvents);
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(connections, 3);
}

TEST(SseReconnectTest, WithoutReconnectionsACleanEndIsTheEnd) {
  std::atomic<int> connections{0};
  auto server = StartServer(ChoppyRouter(&connections, 2));
  auto client = ClientFor(*server);
  std::vector<std::string> ids;
  Status s = client->StreamEvents("/events", {}, [&](const SseEvent& e) {
    ids.push_back(e.id);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(connections, 1);
}

TEST(SseReconnectTest, GivesUpAfterMaxReconnectsWithoutAnEvent) {
  // Every connection after the last event ends at once with nothing: the budget runs out.
  std::atomic<int> connections{0};
  auto server = StartServer(ChoppyRouter(&connections, kEvents));
  auto client = ClientFor(*server);
  SseOptions options;
  options.max_reconnects = 2;
  options.reconnect_delay = 1ms;
  int events = 0;
  Status s = client->StreamEvents("/events", options, [&](const SseEvent&) {
    ++events;
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();  // the last connection ended cleanly
  EXPECT_EQ(events, kEvents);
  EXPECT_EQ(connections, 1 + 2);

  // Nobody listening: every try fails to connect, and the last error is returned.
  const uint16_t port = server->port();
  server->Stop();
  server.reset();
  ClientOptions gone;
  gone.base_url = "http://127.0.0.1:" + std::to_string(port);
  auto orphan = HttpClient::Create(gone);
  ASSERT_TRUE(orphan.ok());
  s = (*orphan)->StreamEvents("/events", options, [](const SseEvent&) { return true; });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
}

TEST(SseReconnectTest, A204AnswerMeansDoNotReconnect) {
  std::atomic<int> connections{0};
  Router r;
  r.Add("GET", "/done", [&](Request&) {
    ++connections;
    return Response::NoContent();
  });
  auto server = StartServer(std::move(r));
  auto client = ClientFor(*server);
  SseOptions options;
  options.max_reconnects = 5;
  options.reconnect_delay = 1ms;
  Status s = client->StreamEvents("/done", options, [](const SseEvent&) { return true; });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(connections, 1);
}

TEST(SseReconnectTest, FollowsAcrossAServerRestartOnTheSamePort) {
  // A growing list of events served by whichever server is up; Stop ends the stream cleanly.
  std::mutex mu;
  std::vector<std::string> published;
  auto router = [&] {
    Router r;
    r.Add("GET", "/events", [&](Request& req) {
      size_t last = 0;
      if (auto id = req.LastEventId()) last = std::strtoull(std::string(*id).c_str(), nullptr, 10);
      return Response::Sse(
          [&, last](std::shared_ptr<StreamWriter> w) {
            for (size_t next = last; !w->client_gone(); std::this_thread::sleep_for(2ms)) {
              std::unique_lock lock(mu);
              if (next == published.size()) continue;
              const SseEvent event{std::to_string(next + 1), "log", published[next]};
              lock.unlock();
              if (!w->Send(event)) return;
              ++next;
            }
          },
          1s);
    });
    return r;
  };
  auto publish = [&](int from, int to) {
    std::lock_guard lock(mu);
    for (int i = from; i <= to; ++i) published.push_back("line " + std::to_string(i));
  };
  publish(1, 3);
  auto first = StartServer(router());
  const uint16_t port = first->port();
  auto client = ClientFor(*first);
  std::promise<void> got_three;
  std::vector<std::string> received;
  SseOptions options;
  options.max_reconnects = 200;
  options.reconnect_delay = 10ms;
  auto follower = std::async(std::launch::async, [&] {
    return client->StreamEvents("/events", options, [&](const SseEvent& e) {
      received.push_back(e.id + ":" + e.data);
      if (e.id == "3") got_three.set_value();
      return e.id != "6";
    });
  });
  ASSERT_EQ(got_three.get_future().wait_for(10s), std::future_status::ready);
  first->Stop();  // ends the stream cleanly
  first.reset();
  publish(4, 6);
  ServerOptions same_port;
  same_port.address = "127.0.0.1";
  same_port.port = port;
  auto second = Server::Start(same_port, router());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Status s = follower.get();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(received, (std::vector<std::string>{"1:line 1", "2:line 2", "3:line 3", "4:line 4",
                                                "5:line 5", "6:line 6"}));
}

}  // namespace
}  // namespace slipway::http::testing
