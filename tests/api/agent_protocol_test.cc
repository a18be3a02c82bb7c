// The agent protocol end to end with the real AgentService and Dispatcher: registration,
// long-poll leases, heartbeats with the cancel flag, idempotent log chunks, results exactly
// once, and agents kept to their own attempts.
#include <future>

#include "api_fixture.h"
#include "runner/runner.h"

namespace slipway::api::testing {
namespace {

class AgentProtocolTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = MakeRepo();
    AddProject("hello", *repo_);
    registration_ = AddToken("reg", store::Role::kViewer, 0, store::TokenKind::kRegistration);
    StartDispatcher();
  }

  Reply Lease(const std::string& agent, int wait_ms) {
    return Call("POST", "/api/v1/agent/lease", json{{"wait_ms", wait_ms}}.dump(), agent);
  }

  Reply Attempt(const std::string& agent, const json& job, const std::string& what,
                const std::string& body = "", const std::string& query = "",
                std::optional<std::string> lease_token = std::nullopt) {
    http::Headers headers{
        {"X-Lease-Token", lease_token.value_or(job["lease_token"].get<std::string>())}};
    headers.Set("Content-Type", what == "log" ? "text/plain" : "application/json");
    return Call("POST",
                "/api/v1/agent/attempts/" + std::to_string(job["attempt_id"].get<int64_t>()) + "/" +
                    what + query,
                body, agent, headers);
  }

  static std::string Report(int attempt, runner::Outcome outcome) {
    runner::AttemptReport report;
    report.attempt = attempt;
    report.outcome = outcome;
    report.exit_code = outcome == runner::Outcome::kSuccess ? -1 : 2;
    return runner::AttemptReportToJson(report);
  }

  std::unique_ptr<Repo> repo_;
  std::string registration_;
};

TEST_F(AgentProtocolTest, RegistrationGivesAnAgentTokenOnce) {
  Reply reply =
      Call("POST", "/api/v1/agents/register",
           R"({"name":"builder-1","labels":["linux","x64"],"capacity":4})", registration_);
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string token = reply.doc["token"];
  EXPECT_TRUE(token.starts_with("slw_"));
  EXPECT_GT(reply.doc["agent_id"].get<int64_t>(), 0);
  Reply whoami = Call("GET", "/api/v1/whoami", "", token);
  EXPECT_EQ(whoami.doc["kind"], "agent");
  EXPECT_EQ(whoami.doc["agent_id"], reply.doc["agent_id"]);

  Reply agents = Admin("GET", "/api/v1/agents");
  ASSERT_EQ(agents.status, 200);
  ASSERT_EQ(agents.doc["agents"].size(), 1u);
  EXPECT_EQ(agents.doc["agents"][0]["name"], "builder-1");
  EXPECT_EQ(agents.doc["agents"][0]["labels"], (json{"linux", "x64"}));
  EXPECT_EQ(agents.doc["agents"][0]["capacity"], 4);
  EXPECT_EQ(agents.body.find(token), std::string::npos);

  auto trail = AuditTrail();
  EXPECT_EQ(trail.back().action, "agent.register");
  EXPECT_EQ(trail.back().actor, "reg");
  EXPECT_EQ(trail.back().target, "agent/builder-1");
  EXPECT_EQ(trail.back().details_json.find(token), std::string::npos);

  for (const std::string body : {R"({"name":"a b"})", R"({"name":"a","capacity":0})",
                                 R"({"name":"a","labels":"linux"})", R"({"name":"a","os":"x"})"}) {
    EXPECT_EQ(Call("POST", "/api/v1/agents/register", body, registration_).status, 400) << body;
  }
}

TEST_F(AgentProtocolTest, LongPollWakesWhenAJobIsQueued) {
  const std::string agent = RegisterAgent("a1");
  EXPECT_EQ(Lease(agent, 0).status, 204);  // nothing queued
  auto waiting = std::async(std::launch::async, [&] { return Lease(agent, 20000); });
  std::this_thread::sleep_for(200ms);  // the lease is waiting before the run exists
  Reply started = Admin("POST", "/api/v1/projects/hello/runs", "{}");
  ASSERT_EQ(started.status, 201) << started.body;
  ASSERT_EQ(waiting.wait_for(20s), std::future_status::ready);
  Reply leased = waiting.get();
  ASSERT_EQ(leased.status, 200) << leased.body;
  auto job = engine::JobAssignment::FromJson(leased.body);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->project, "hello");
  EXPECT_EQ(job->instance_id, "build");
  EXPECT_EQ(job->attempt, 1);
  EXPECT_EQ(job->commit, started.doc["commit"]);
  EXPECT_FALSE(job->lease_token.empty());
}

TEST_F(AgentProtocolTest, ALeaseWithNothingToDoEndsIn204) {
  const std::string agent = RegisterAgent("a1");
  EXPECT_EQ(Lease(agent, 300).status, 204);
  Reply too_long = Lease(agent, 60000);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_NE(too_long.ErrorMessage().find("field 'wait_ms' must be an integer from 0 to 30000"),
            std::string::npos);
}

TEST_F(AgentProtocolTest, LabelsDecideWhichAgentGetsAJob) {
  repo_->Write(".slipway.yml", R"(on: [manual]
jobs:
  gpu:
    runs-on: [gpu]
    steps: [{run: 'true'}]
)");
  repo_->Commit("gpu job");
  const std::string plain = RegisterAgent("plain");
  const std::string gpu = RegisterAgent("gpu-box", R"(["gpu","linux"])");
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  EXPECT_EQ(Lease(plain, 500).status, 204);
  Reply leased = Lease(gpu, 5000);
  ASSERT_EQ(leased.status, 200) << leased.body;
  EXPECT_EQ(leased.doc["instance_id"], "gpu");
}

TEST_F(AgentProtocolTest, HeartbeatLogAndFinishExactlyOnce) {
  const std::string agent = RegisterAgent("a1");
  const std::string intruder = RegisterAgent("a2");
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  Reply leased = Lease(agent, 10000);
  ASSERT_EQ(leased.status, 200) << leased.body;
  const json job = leased.doc;

  Reply beat = Attempt(agent, job, "heartbeat");
  ASSERT_EQ(beat.status, 200) << beat.body;
  EXPECT_EQ(beat.doc, json({{"cancel", false}}));

  // Log chunks: resending what arrived changes nothing; overlaps add only the new bytes; a
  // gap is refused.
  Reply first = Attempt(agent, job, "log", "hello\n", "?offset=0");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.doc["size"], 6);
  EXPECT_EQ(Attempt(agent, job, "log", "hello\n", "?offset=0").doc["size"], 6);
  EXPECT_EQ(Attempt(agent, job, "log", "lo\nworld\n", "?offset=3").doc["size"], 12);
  Reply gap = Attempt(agent, job, "log", "late\n", "?offset=100");
  EXPECT_EQ(gap.status, 412);
  EXPECT_EQ(Attempt(agent, job, "log", "x", "").status, 400);  // offset missing
  auto log = store_->ReadLog(job["attempt_id"], 0, 100);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->data, "hello\nworld\n");

  // Another agent cannot touch this attempt, even with the right lease token.
  Reply stolen_beat = Attempt(intruder, job, "heartbeat");
  EXPECT_EQ(stolen_beat.status, 403);
  EXPECT_NE(stolen_beat.ErrorMessage().find("another agent"), std::string::npos);
  EXPECT_EQ(Attempt(intruder, job, "log", "evil\n", "?offset=12").status, 403);
  EXPECT_EQ(Attempt(intruder, job, "finish", Report(1, runner::Outcome::kFailure)).status, 403);
  // The right agent with a wrong or missing lease token.
  EXPECT_EQ(Attempt(agent, job, "heartbeat", "", "", "wrong-token").status, 412);
  EXPECT_EQ(Attempt(agent, job, "heartbeat", "", "", "").status, 400);
  EXPECT_EQ(Attempt(agent, job, "finish", R"({"attempt":1})").status, 400);

  Reply finished = Attempt(agent, job, "finish", Report(1, runner::Outcome::kSuccess));
  ASSERT_EQ(finished.status, 200) << finished.body;
  Reply again = Attempt(agent, job, "finish", Report(1, runner::Outcome::kSuccess));
  EXPECT_EQ(again.status, 412);
  EXPECT_EQ(again.ErrorCode(), "failed_precondition");
  EXPECT_EQ(Attempt(agent, job, "heartbeat").status, 412);
  EXPECT_EQ(Attempt(agent, job, "log", "more\n", "?offset=12").status, 412);
  auto attempt = store_->GetAttempt(job["attempt_id"]);
  ASSERT_TRUE(attempt.ok());
  EXPECT_TRUE(attempt->finished);
  EXPECT_EQ(attempt->outcome, "success");

  // The dispatcher settles the job and queues the next one.
  Reply next = Lease(agent, 10000);
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(next.doc["instance_id"], "test");
  EXPECT_EQ(next.doc["needs"]["build"]["result"], "success");
}

TEST_F(AgentProtocolTest, CancelReachesTheAgentThroughItsHeartbeat) {
  const std::string agent = RegisterAgent("a1");
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  Reply leased = Lease(agent, 10000);
  ASSERT_EQ(leased.status, 200) << leased.body;
  EXPECT_EQ(Attempt(agent, leased.doc, "heartbeat").doc["cancel"], false);
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs/1/cancel").status, 202);
  Reply beat = Attempt(agent, leased.doc, "heartbeat");
  ASSERT_EQ(beat.status, 200) << beat.body;
  EXPECT_EQ(beat.doc["cancel"], true);
  ASSERT_EQ(Attempt(agent, leased.doc, "finish", Report(1, runner::Outcome::kCancelled)).status,
            200);
  for (int i = 0; i < 200 && Runs("hello")[0].status != store::RunStatus::kCancelled; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(Runs("hello")[0].status, store::RunStatus::kCancelled);
}

// Waiting agents hold no handler thread: with two handler threads and six agents waiting, the
// API still answers, and it answers before any of the waits is over.
TEST_F(AgentProtocolTest, WaitingAgentsDoNotStallTheApi) {
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(StartServer(/*handler_threads=*/2));
  const std::string agent = RegisterAgent("a1");
  std::atomic<int> done{0};
  std::vector<std::future<int>> waits;
  for (int i = 0; i < 6; ++i) {
    waits.push_back(std::async(std::launch::async, [&] {
      int status = Lease(agent, 4000).status;
      ++done;
      return status;
    }));
  }
  std::this_thread::sleep_for(300ms);
  Reply whoami = Admin("GET", "/api/v1/whoami");
  EXPECT_EQ(whoami.status, 200);
  EXPECT_EQ(done.load(), 0) << "the API answered only after the long-polls ended";
  for (auto& wait : waits) EXPECT_EQ(wait.get(), 204);
}

}  // namespace
}  // namespace slipway::api::testing
