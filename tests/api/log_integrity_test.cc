// What reaches a stored log, and what a follower gets back: the server masks secrets an agent
// sent unmasked (raw chunks through the agent protocol, as an agent that does not mask would
// post them), and a follow delivers the exact bytes, carriage returns included.
#include <mutex>

#include "api_fixture.h"
#include "util/base64.h"

namespace slipway::api::testing {
namespace {

constexpr std::string_view kSecret = "s3cr3t-deploy-key-42";
constexpr const char* kLogs = "/api/v1/projects/hello/runs/1/jobs/build/logs";

class LogIntegrityTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    // The same server, with the check the real server wires in.
    server_.reset();
    engine::LogScrubber::Options options;
    options.report = [this](const std::string& line) {
      std::lock_guard lock(reports_mutex_);
      reports_.push_back(line);
    };
    scrubber_ = std::make_unique<engine::LogScrubber>(store_.get(), std::move(options));
    scrubber_->AddSecret(kSecret);
    agents_ = std::make_unique<engine::AgentService>(
        store_.get(), &work_,
        engine::AgentServiceOptions{
            .lease = 30s, .finished = &dispatch_, .scrubber = scrubber_.get()});
    ASSERT_NO_FATAL_FAILURE(StartServer());

    repo_ = MakeRepo();
    AddProject("hello", *repo_);
    agent_ = RegisterAgent("raw");
    ASSERT_FALSE(agent_.empty());
    StartDispatcher();
    ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
    Reply leased = Call("POST", "/api/v1/agent/lease", R"({"wait_ms":10000})", agent_);
    ASSERT_EQ(leased.status, 200) << leased.body;
    job_ = leased.doc;
  }

  // Posts `text` as the next raw chunk, at `offset` (default: after what was sent).
  void Append(const std::string& text, std::optional<int64_t> offset = std::nullopt) {
    http::Headers headers{{"X-Lease-Token", job_["lease_token"].get<std::string>()},
                          {"Content-Type", "text/plain"}};
    const int64_t at = offset.value_or(sent_);
    Reply reply =
        Call("POST",
             "/api/v1/agent/attempts/" + std::to_string(job_["attempt_id"].get<int64_t>()) +
                 "/log?offset=" + std::to_string(at),
             text, agent_, headers);
    ASSERT_EQ(reply.status, 200) << reply.body;
    sent_ = std::max(sent_, at + static_cast<int64_t>(text.size()));
    EXPECT_EQ(reply.doc["size"], sent_);
  }

  // The bytes a follower of the log receives until the stream's end (after `stop_after`
  // bytes when given: the job is still running then).
  std::string Followed(int64_t stop_after = -1) {
    std::string bytes;
    auto client = Client(admin_);
    Status followed = client->StreamEvents(
        std::string(kLogs) + "?follow=1", {}, [&](const http::SseEvent& event) {
          if (event.event == "log") bytes += event.data;
          if (event.event == "log-base64") {
            bytes += Base64Decode(event.data).value_or("?");
          }
          return event.event != "end" && static_cast<int64_t>(bytes.size()) != stop_after;
        });
    EXPECT_TRUE(followed.ok()) << followed.ToString();
    return bytes;
  }

  std::vector<std::string> Reports() {
    std::lock_guard lock(reports_mutex_);
    return reports_;
  }

  std::unique_ptr<engine::LogScrubber> scrubber_;
  std::mutex reports_mutex_;
  std::vector<std::string> reports_;
  std::unique_ptr<Repo> repo_;
  std::string agent_;
  json job_;
  int64_t sent_ = 0;
};

TEST_F(LogIntegrityTest, SecretsAnAgentSendsUnmaskedAreMaskedBeforeStoring) {
  const std::string secret(kSecret);
  const std::string base64 = Base64Encode(secret);
  // Whole, encoded, cut across two chunks, and tokens the server issued (the admin's, the
  // agent's own) whole and cut across chunks.
  ASSERT_NO_FATAL_FAILURE(Append("deploying with " + secret + "\n"));
  ASSERT_NO_FATAL_FAILURE(Append("as base64: " + base64 + "\n"));
  ASSERT_NO_FATAL_FAILURE(Append("key=" + secret.substr(0, 7)));
  ASSERT_NO_FATAL_FAILURE(Append(secret.substr(7) + " (split)\n"));
  ASSERT_NO_FATAL_FAILURE(Append("env: SLIPWAY_TOKEN=" + admin_ + "\n"));
  ASSERT_NO_FATAL_FAILURE(Append("agent token " + agent_.substr(0, 20)));
  ASSERT_NO_FATAL_FAILURE(Append(agent_.substr(20) + "\n"));
  ASSERT_NO_FATAL_FAILURE(Append("a line with nothing secret\n"));

  Reply log = Admin("GET", kLogs);
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_EQ(static_cast<int64_t>(log.body.size()), sent_);  // masked byte for byte
  for (const std::string& leaked :
       {secret, base64, secret.substr(7), admin_, admin_.substr(4), agent_.substr(20)}) {
    EXPECT_EQ(log.body.find(leaked), std::string::npos) << "leaked '" << leaked << "':\n"
                                                        << log.body;
  }
  EXPECT_NE(log.body.find("deploying with " + std::string(secret.size(), '*') + "\n"),
            std::string::npos)
      << log.body;
  EXPECT_NE(log.body.find("a line with nothing secret\n"), std::string::npos);
  EXPECT_EQ(Followed(sent_), log.body);  // followers never see a secret either

  // Each find is reported and counted, never with the value.
  const auto reports = Reports();
  EXPECT_GE(reports.size(), 6u);
  EXPECT_GE(scrubber_->masked(), 6u);
  for (const std::string& report : reports) {
    EXPECT_NE(report.find("attempt " + std::to_string(job_["attempt_id"].get<int64_t>())),
              std::string::npos)
        << report;
    EXPECT_EQ(report.find(secret.substr(0, 7)), std::string::npos) << report;
    EXPECT_EQ(report.find("slw_"), std::string::npos) << report;
  }
}

TEST_F(LogIntegrityTest, AResentChunkIsStoredOnceAndStillMasked) {
  const std::string secret(kSecret);
  ASSERT_NO_FATAL_FAILURE(Append("first " + secret.substr(0, 5)));
  const int64_t second_at = sent_;
  ASSERT_NO_FATAL_FAILURE(Append(secret.substr(5) + "\n"));
  // The agent was not sure the second chunk arrived: it sends it again, and once more from
  // an earlier offset.
  ASSERT_NO_FATAL_FAILURE(Append(secret.substr(5) + "\n", second_at));
  ASSERT_NO_FATAL_FAILURE(Append("first " + secret + "\n", 0));
  Reply log = Admin("GET", kLogs);
  EXPECT_EQ(log.body, "first " + std::string(secret.size(), '*') + "\n");
}

TEST_F(LogIntegrityTest, AMaskingAgentsLogIsStoredAsSentAndNothingIsReported) {
  ASSERT_NO_FATAL_FAILURE(Append("deploying with ***\n"));
  ASSERT_NO_FATAL_FAILURE(Append("done\n"));
  EXPECT_EQ(Admin("GET", kLogs).body, "deploying with ***\ndone\n");
  EXPECT_TRUE(Reports().empty());
  EXPECT_EQ(scrubber_->masked(), 0u);
}

TEST_F(LogIntegrityTest, AFollowDeliversCarriageReturnsExactly) {
  // Progress bars rewrite their line with CR; SSE cannot carry one, so those chunks come as
  // log-base64: the followed bytes are the stored bytes.
  const std::string text = "progress 10%\rprogress 60%\rprogress 100%\r\nCRLF line\r\nplain\n";
  ASSERT_NO_FATAL_FAILURE(Append("start\n"));
  ASSERT_NO_FATAL_FAILURE(Append(text));
  Reply log = Admin("GET", kLogs);
  ASSERT_EQ(log.body, "start\n" + text);
  EXPECT_EQ(Followed(sent_), log.body);
}

}  // namespace
}  // namespace slipway::api::testing
