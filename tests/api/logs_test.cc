// Job logs: byte ranges with the X-Log-* headers, and SSE follow with exact resume.
#include <future>

#include "api_fixture.h"
#include "runner/runner.h"

namespace slipway::api::testing {
namespace {

constexpr const char* kLogs = "/api/v1/projects/hello/runs/1/jobs/build/logs";

class LogsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = MakeRepo();
    AddProject("hello", *repo_);
    agent_ = RegisterAgent("a1");
    ASSERT_FALSE(agent_.empty());
    StartDispatcher();
  }

  // Starts a run and leases its first job.
  void LeaseFirstJob() {
    ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
    ASSERT_NO_FATAL_FAILURE(LeaseNext());
  }
  void LeaseNext() {
    Reply leased = Call("POST", "/api/v1/agent/lease", R"({"wait_ms":10000})", agent_);
    ASSERT_EQ(leased.status, 200) << leased.body;
    job_ = leased.doc;
  }
  Reply Post(const std::string& what, const std::string& body, const std::string& query = "") {
    http::Headers headers{{"X-Lease-Token", job_["lease_token"].get<std::string>()},
                          {"Content-Type", "text/plain"}};
    return Call("POST",
                "/api/v1/agent/attempts/" + std::to_string(job_["attempt_id"].get<int64_t>()) +
                    "/" + what + query,
                body, agent_, headers);
  }
  int64_t size_ = 0;
  void Append(const std::string& text) {
    Reply reply = Post("log", text, "?offset=" + std::to_string(size_));
    ASSERT_EQ(reply.status, 200) << reply.body;
    size_ += static_cast<int64_t>(text.size());
  }
  void Finish() {
    runner::AttemptReport report;
    ASSERT_EQ(Post("finish", runner::AttemptReportToJson(report)).status, 200);
    size_ = 0;
  }

  // Follows `path` until the stream ends; returns the events.
  std::vector<http::SseEvent> FollowAll(const std::string& path,
                                        const std::string& last_event_id = "") {
    std::vector<http::SseEvent> events;
    auto client = Client(admin_);
    http::SseOptions options;
    options.last_event_id = last_event_id;
    Status followed = client->StreamEvents(path, options, [&](const http::SseEvent& event) {
      events.push_back(event);
      return true;
    });
    EXPECT_TRUE(followed.ok()) << followed.ToString();
    return events;
  }
  static std::string Text(const std::vector<http::SseEvent>& events) {
    std::string text;
    for (const auto& event : events) {
      if (event.event == "log") text += event.data;
    }
    return text;
  }

  std::unique_ptr<Repo> repo_;
  std::string agent_;
  json job_;
};

TEST_F(LogsTest, RangesCarryOffsetSizeAndCompleteness) {
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  Append("hello\n");
  Append("world\n");
  Reply whole = Admin("GET", kLogs);
  ASSERT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.body, "hello\nworld\n");
  EXPECT_EQ(whole.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(whole.Header("X-Log-Offset"), "0");
  EXPECT_EQ(whole.Header("X-Log-Size"), "12");
  EXPECT_EQ(whole.Header("X-Log-Complete"), "false");
  EXPECT_EQ(whole.Header("X-Log-Attempt"), "1");

  Reply part = Admin("GET", std::string(kLogs) + "?offset=6&limit=3");
  EXPECT_EQ(part.body, "wor");
  EXPECT_EQ(part.Header("X-Log-Offset"), "6");
  EXPECT_EQ(part.Header("X-Log-Size"), "12");
  Reply end = Admin("GET", std::string(kLogs) + "?offset=12");
  EXPECT_EQ(end.status, 200);
  EXPECT_EQ(end.body, "");

  ASSERT_NO_FATAL_FAILURE(Finish());
  Reply complete = Admin("GET", std::string(kLogs) + "?attempt=1");
  EXPECT_EQ(complete.Header("X-Log-Complete"), "true");
  EXPECT_EQ(complete.body, "hello\nworld\n");
}

TEST_F(LogsTest, BadLogRequestsSayWhatIsWrong) {
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  Append("hello\n");
  Reply past = Admin("GET", std::string(kLogs) + "?offset=99");
  EXPECT_EQ(past.status, 400);
  EXPECT_NE(past.ErrorMessage().find("past the end"), std::string::npos) << past.body;
  EXPECT_EQ(Admin("GET", std::string(kLogs) + "?limit=9999999999").status, 400);
  Reply attempt = Admin("GET", std::string(kLogs) + "?attempt=2");
  EXPECT_EQ(attempt.status, 404);
  EXPECT_NE(attempt.ErrorMessage().find("has no attempt 2"), std::string::npos);
  Reply waiting = Admin("GET", "/api/v1/projects/hello/runs/1/jobs/test/logs");
  EXPECT_EQ(waiting.status, 404);
  EXPECT_NE(waiting.ErrorMessage().find("job 'test' of run hello/1 has not started"),
            std::string::npos)
      << waiting.ErrorMessage();
  Reply unknown = Admin("GET", "/api/v1/projects/hello/runs/1/jobs/deploy/logs");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.ErrorMessage(), "run hello/1 has no job 'deploy' (its jobs: 'build', 'test')");
}

TEST_F(LogsTest, InstanceNamesAreUrlEncoded) {
  repo_->Write(".slipway.yml", R"(on: [manual]
jobs:
  test:
    matrix: {os: [linux]}
    steps: [{run: 'true'}]
)");
  repo_->Commit("matrix");
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  EXPECT_EQ(job_["instance_id"], "test (linux)");
  Append("matrix output\n");
  Reply reply = Admin("GET", "/api/v1/projects/hello/runs/1/jobs/test%20(linux)/logs");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, "matrix output\n");
}

TEST_F(LogsTest, FollowStreamsEveryByteAndEnds) {
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  Append("line 1\n");
  auto follower =
      std::async(std::launch::async, [&] { return FollowAll(std::string(kLogs) + "?follow=1"); });
  std::string expected = "line 1\n";
  for (int i = 2; i <= 20; ++i) {
    const std::string line = "line " + std::to_string(i) + "\n";
    Append(line);
    expected += line;
    if (i % 5 == 0) std::this_thread::sleep_for(30ms);
  }
  ASSERT_NO_FATAL_FAILURE(Finish());
  ASSERT_EQ(follower.wait_for(20s), std::future_status::ready);
  const auto events = follower.get();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(Text(events), expected);
  EXPECT_EQ(events.back().event, "end");
  EXPECT_EQ(json::parse(events.back().data), (json{{"attempt", 1}, {"size", expected.size()}}));
  // Each id is the offset after its chunk.
  size_t offset = 0;
  for (const auto& event : events) {
    if (event.event != "log") continue;
    offset += event.data.size();
    EXPECT_EQ(event.id, std::to_string(offset));
  }
}

TEST_F(LogsTest, ResumeContinuesExactlyWhereTheClientLeftOff) {
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  std::string expected;
  for (int i = 1; i <= 3; ++i) {
    const std::string line = "chunk " + std::to_string(i) + "\n";
    Append(line);
    expected += line;
  }
  // A first follower reads one event and goes away, as a dropped connection would.
  std::vector<http::SseEvent> first;
  {
    auto client = Client(admin_);
    Status followed = client->StreamEvents(std::string(kLogs) + "?follow=1", {},
                                           [&](const http::SseEvent& event) {
                                             first.push_back(event);
                                             return false;
                                           });
    ASSERT_TRUE(followed.ok()) << followed.ToString();
  }
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(first[0].event, "log");
  Append("chunk 4\n");
  expected += "chunk 4\n";
  auto resumed = std::async(std::launch::async, [&] {
    return FollowAll(std::string(kLogs) + "?follow=1&attempt=1", first[0].id);
  });
  Append("chunk 5\n");
  expected += "chunk 5\n";
  ASSERT_NO_FATAL_FAILURE(Finish());
  ASSERT_EQ(resumed.wait_for(20s), std::future_status::ready);
  const auto rest = resumed.get();
  EXPECT_EQ(first[0].data + Text(rest), expected);  // no gap, no duplicate
  EXPECT_EQ(rest.back().event, "end");

  // The same with ?offset= instead of Last-Event-ID, from the middle of a line.
  const auto tail = FollowAll(std::string(kLogs) + "?follow=1&offset=10");
  EXPECT_EQ(Text(tail), expected.substr(10));
  // From the very end: only the end event.
  const auto none = FollowAll(std::string(kLogs) + "?follow=1", std::to_string(expected.size()));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].event, "end");
}

TEST_F(LogsTest, FollowNeverSplitsAUtf8Character) {
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  auto follower =
      std::async(std::launch::async, [&] { return FollowAll(std::string(kLogs) + "?follow=1"); });
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC\n";  // "café €"
  // Sent a byte at a time, so chunks end inside multi-byte characters.
  for (char c : text) {
    Append(std::string(1, c));
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_NO_FATAL_FAILURE(Finish());
  ASSERT_EQ(follower.wait_for(20s), std::future_status::ready);
  const auto events = follower.get();
  EXPECT_EQ(Text(events), text);
  for (const auto& event : events) {
    if (event.event != "log") continue;
    const auto last = static_cast<unsigned char>(event.data.back());
    EXPECT_TRUE(last < 0x80 || (last & 0xC0) == 0x80) << "an event ends inside a character";
    const auto first_byte = static_cast<unsigned char>(event.data.front());
    EXPECT_NE(first_byte & 0xC0, 0x80) << "an event starts inside a character";
  }
}

TEST_F(LogsTest, FollowWaitsForTheAttemptToStart) {
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  // "test" needs "build": no attempt yet when the follow starts.
  auto follower = std::async(std::launch::async, [&] {
    return FollowAll("/api/v1/projects/hello/runs/1/jobs/test/logs?follow=1");
  });
  std::this_thread::sleep_for(200ms);
  Append("build output\n");
  ASSERT_NO_FATAL_FAILURE(Finish());
  ASSERT_NO_FATAL_FAILURE(LeaseNext());
  ASSERT_EQ(job_["instance_id"], "test");
  Append("test output\n");
  ASSERT_NO_FATAL_FAILURE(Finish());
  ASSERT_EQ(follower.wait_for(20s), std::future_status::ready);
  const auto events = follower.get();
  EXPECT_EQ(Text(events), "test output\n");
  EXPECT_EQ(events.back().event, "end");
}

TEST_F(LogsTest, FollowPastTheEndIs400) {
  ASSERT_NO_FATAL_FAILURE(LeaseFirstJob());
  Append("short\n");
  Reply reply =
      Call("GET", std::string(kLogs) + "?follow=1", "", admin_, {{"Last-Event-ID", "999"}});
  EXPECT_EQ(reply.status, 400);
  Reply garbage =
      Call("GET", std::string(kLogs) + "?follow=1", "", admin_, {{"Last-Event-ID", "twelve"}});
  EXPECT_EQ(garbage.status, 400);
  EXPECT_NE(garbage.ErrorMessage().find("Last-Event-ID"), std::string::npos);
}

}  // namespace
}  // namespace slipway::api::testing
