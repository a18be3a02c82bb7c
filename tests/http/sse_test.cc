// Server-Sent Events: frames with ids, resume with Last-Event-ID, keep-alive comments, a
// producer learning its client left, and Stop ending streams at once.
#include <future>
#include <thread>

#include "http/sse_parser.h"
#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

// A growing list of events (think: a job's log) that SSE followers read from any offset.
class EventLog {
 public:
  void Publish(std::string data) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(data));
    changed_.notify_all();
  }
  // Sends events after `last_id` (1-based ids) until the client leaves or the log is closed.
  void Follow(StreamWriter& w, size_t last_id) {
    w.OnClientGone([this] {
      std::lock_guard lock(mu_);
      changed_.notify_all();
    });
    size_t next = last_id;
    std::unique_lock lock(mu_);
    while (true) {
      changed_.wait(lock, [&] { return next < events_.size() || closed_ || w.client_gone(); });
      if (w.client_gone()) break;
      if (next == events_.size() && closed_) break;
      const SseEvent event{std::to_string(next + 1), "log", events_[next]};
      ++next;
      lock.unlock();
      const bool ok = w.Send(event);
      lock.lock();
      if (!ok) break;
    }
    ++finished_followers_;
    changed_.notify_all();
  }
  void CloseLog() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  void AwaitFinishedFollowers(int n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return finished_followers_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
  bool closed_ = false;
  int finished_followers_ = 0;
};

Router LogRouter(EventLog* log, milliseconds keepalive = 15s) {
  Router r;
  r.Add("GET", "/logs", [log, keepalive](Request& req) {
    size_t last = 0;
    if (auto id = req.LastEventId()) last = std::strtoull(std::string(*id).c_str(), nullptr, 10);
    return Response::Sse([log, last](std::shared_ptr<StreamWriter> w) { log->Follow(*w, last); },
                         keepalive);
  });
  return r;
}

TEST(SseFormatTest, FramesAndParsesRoundTrip) {
  EXPECT_EQ(FormatSseEvent({"7", "log", "a\nb\r\nc"}),
            "id: 7\nevent: log\ndata: a\ndata: b\ndata: c\n\n");
  EXPECT_EQ(FormatSseEvent({"", "", ""}), "data: \n\n");
  EXPECT_EQ(FormatSseEvent({"bad\nid", "", "x"}), "data: x\n\n");  // cannot split the frame

  internal::SseParser parser;
  std::vector<SseEvent> got;
  const std::string wire = ": comment\r\n" + FormatSseEvent({"1", "e", "multi\nline"}) +
                           "data:no-space\r\rid: 3\ndata: x\n\n";
  for (char c : wire) {  // byte by byte: any split works
    for (auto& e : parser.Feed(std::string_view(&c, 1))) got.push_back(e);
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].id, "1");
  EXPECT_EQ(got[0].event, "e");
  EXPECT_EQ(got[0].data, "multi\nline");
  EXPECT_EQ(got[1].data, "no-space");
  EXPECT_EQ(got[2].id, "3");
}

TEST(SseTest, StreamsEventsWithIdsAndResumesFromLastEventId) {
  EventLog log;
  for (int i = 1; i <= 5; ++i) log.Publish("line " + std::to_string(i));
  auto server = StartServer(LogRouter(&log));
  auto client = ClientFor(*server);

  std::vector<SseEvent> first;
  Status s = client->StreamEvents("/logs", {}, [&](const SseEvent& e) {
    first.push_back(e);
    return first.size() < 3;
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].id, "1");
  EXPECT_EQ(first[0].event, "log");
  EXPECT_EQ(first[2].data, "line 3");

  // Resume after id 3: no gap, no duplicate, and new events arrive live.
  std::vector<std::string> second;
  std::thread publisher([&] {
    log.Publish("line 6\nwith a second line");
    log.CloseLog();
  });
  SseOptions resume;
  resume.last_event_id = first.back().id;
  s = client->StreamEvents("/logs", resume, [&](const SseEvent& e) {
    second.push_back(e.id + ":" + e.data);
    return true;
  });
  publisher.join();
  ASSERT_TRUE(s.ok()) << s.ToString();  // the server ended the stream cleanly
  EXPECT_EQ(second,
            (std::vector<std::string>{"4:line 4", "5:line 5", "6:line 6\nwith a second line"}));
}

TEST(SseTest, ProducerLearnsTheClientLeft) {
  std::promise<void> gone;
  std::shared_ptr<StreamWriter> kept;
  std::mutex mu;
  Router r;
  r.Add("GET", "/events", [&](Request&) {
    return Response::Sse([&](std::shared_ptr<StreamWriter> w) {
      w->Send({"1", "", "hello"});
      // Kept before the callback is registered: it runs at once if the client already left.
      std::lock_guard lock(mu);
      kept = w;  // push style: no thread is held while idle
      w->OnClientGone([&] { gone.set_value(); });
    });
  });
  auto server = StartServer(std::move(r));
  {
    RawSocket s(server->port());
    ASSERT_TRUE(s.Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_NE(s.ReadUntil("data: hello\n\n"), "");
  }  // the client closes
  ASSERT_EQ(gone.get_future().wait_for(10s), std::future_status::ready);
  std::lock_guard lock(mu);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->client_gone());
  EXPECT_FALSE(kept->Send({"2", "", "nobody listens"}));
}

TEST(SseTest, IdleStreamsGetKeepAliveComments) {
  EventLog log;
  auto server = StartServer(LogRouter(&log, 50ms));
  RawSocket s(server->port());
  ASSERT_TRUE(s.Send("GET /logs HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string head = s.ReadUntil("\r\n\r\n");
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_NE(s.ReadUntil(": keep-alive\n\n"), "");
  EXPECT_NE(s.ReadUntil(": keep-alive\n\n"), "");
  log.Publish("after the comments");
  EXPECT_NE(s.ReadUntil("data: after the comments\n\n"), "");
  s.Close();
  log.AwaitFinishedFollowers(1);  // the waiting producer was told and returned
}

TEST(SseTest, ClientReconnectsAfterABrokenStreamWithoutGapOrDuplicate) {
  EventLog log;
  for (int i = 1; i <= 4; ++i) log.Publish("e" + std::to_string(i));
  log.CloseLog();
  std::promise<void> second_received;
  std::atomic<int> connections{0};
  Router r;
  r.Add("GET", "/flaky", [&](Request& req) {
    const int n = ++connections;
    size_t last = 0;
    if (auto id = req.LastEventId()) last = std::strtoull(std::string(*id).c_str(), nullptr, 10);
    return Response::Sse([&, n, last](std::shared_ptr<StreamWriter> w) {
      if (n == 1) {
        w->Send({"1", "", "e1"});
        w->Send({"2", "", "e2"});
        second_received.get_future().wait();
        throw std::runtime_error("server lost its state");  // the connection drops
      }
      log.Follow(*w, last);
    });
  });
  auto server = StartServer(std::move(r));
  auto client = ClientFor(*server);
  std::vector<std::string> ids;
  SseOptions options;
  options.max_reconnects = 2;
  options.reconnect_delay = 10ms;
  Status s = client->StreamEvents("/flaky", options, [&](const SseEvent& e) {
    ids.push_back(e.id);
    if (e.id == "2") second_received.set_value();
    return e.id != "4";  // the last one: a clean end would be reconnected too
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(connections, 2);
}

TEST(SseTest, NonStreamAnswerIsAnError) {
  Router r;
  r.Add("GET", "/denied",
        [](Request&) { return Response::JsonError(403, "permission_denied", "not your project"); });
  auto server = StartServer(std::move(r));
  auto client = ClientFor(*server);
  Status s = client->StreamEvents("/denied", {}, [](const SseEvent&) { return true; });
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("not your project"), std::string::npos);
}

TEST(SseTest, StopEndsStreamsAtOnce) {
  EventLog log;
  log.Publish("one");
  auto server = StartServer(LogRouter(&log));
  auto client = ClientFor(*server);
  std::promise<void> got_one;
  auto follower = std::async(std::launch::async, [&] {
    return client->StreamEvents("/logs", {}, [&](const SseEvent&) {
      got_one.set_value();
      return true;
    });
  });
  got_one.get_future().wait();
  server->Stop(10min);  // would hang the test if streams counted as in flight
  Status s = follower.get();
  EXPECT_TRUE(s.ok()) << s.ToString();  // a clean end: the final chunk was sent
  log.AwaitFinishedFollowers(1);
}

}  // namespace
}  // namespace slipway::http::testing
