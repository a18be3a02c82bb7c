// Runs: manual starts with inputs, the run list with keyset pagination, run detail, cancel.
#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

class RunsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = MakeRepo();
    head_ = repo_->Git({"rev-parse", "HEAD"});
    AddProject("hello", *repo_);
    developer_ = AddToken("dev", store::Role::kDeveloper);
  }
  Reply Start(const std::string& body = "{}") {
    return Call("POST", "/api/v1/projects/hello/runs", body, developer_);
  }

  std::unique_ptr<Repo> repo_;
  std::string head_, developer_;
};

TEST_F(RunsTest, ManualRunWithInputsAtTheBranchHead) {
  Reply started = Start(R"({"inputs":{"level":"high","count":"3"}})");
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.doc["number"], 1);
  EXPECT_EQ(started.doc["trigger"], "manual");
  EXPECT_EQ(started.doc["event"], "manual");
  EXPECT_EQ(started.doc["branch"], "main");
  EXPECT_EQ(started.doc["ref"], "refs/heads/main");
  EXPECT_EQ(started.doc["commit"], head_);
  EXPECT_EQ(started.doc["created_by"], "dev");
  EXPECT_EQ(started.Header("Location"), "http://slipway.example/api/v1/projects/hello/runs/1");

  Reply detail = Admin("GET", "/api/v1/projects/hello/runs/1");
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.doc["error"], "");
  EXPECT_EQ(detail.doc["inputs"], (json{{"level", "high"}, {"count", 3}}));
  ASSERT_EQ(detail.doc["jobs"].size(), 2u);
  const json& build = detail.doc["jobs"][0];
  EXPECT_EQ(build["instance"], "build");
  EXPECT_EQ(build["job"], "build");
  EXPECT_EQ(build["status"], "waiting");
  EXPECT_EQ(build["attempts"], 0);
  EXPECT_EQ(build["matrix"], json::object());
  EXPECT_EQ(build["runs_on"], json::array());
  EXPECT_EQ(build["started"], nullptr);

  auto trail = AuditTrail();
  ASSERT_FALSE(trail.empty());
  EXPECT_EQ(trail.back().action, "run.start");
  EXPECT_EQ(trail.back().actor, "dev");
  EXPECT_EQ(trail.back().target, "run/hello/1");
}

TEST_F(RunsTest, ManualRunAtAGivenCommitAndBranch) {
  repo_->Git({"checkout", "-q", "-b", "release/1"});
  repo_->Write("x.txt", "x\n");
  const std::string release = repo_->Commit("release");
  repo_->Git({"checkout", "-q", "main"});
  Reply on_branch = Start(R"({"branch":"release/1"})");
  ASSERT_EQ(on_branch.status, 201) << on_branch.body;
  EXPECT_EQ(on_branch.doc["commit"], release);
  Reply at_commit = Start(json{{"commit", head_}}.dump());
  ASSERT_EQ(at_commit.status, 201) << at_commit.body;
  EXPECT_EQ(at_commit.doc["commit"], head_);
}

TEST_F(RunsTest, BadStartsAre4xxNamingWhatIsWrongAndStartNothing) {
  const std::vector<std::tuple<std::string, int, std::string>> cases = {
      {R"({"inputs":{"level":"extreme"}})", 400, "input 'level' must be one of low, high"},
      {R"({"inputs":{"colour":"red"}})", 400, "unknown input 'colour'"},
      {R"({"inputs":{"count":"many"}})", 400, "input 'count' is a number"},
      {R"({"inputs":{"count":3}})", 400, "field 'inputs.count' must be a string"},
      {R"({"inputs":["level"]})", 400, "field 'inputs' must be an object of strings"},
      {R"({"brnach":"main"})", 400, "unknown field 'brnach' (did you mean 'branch'?)"},
      {R"({"commit":"abc123"})", 400, "field 'commit' must be a full commit id"},
      {R"({"commit":"HEAD~1"})", 400, "field 'commit' must be a full commit id"},
      {R"({"branch":"no-such-branch"})", 404, "branch 'no-such-branch' does not exist"},
      {json{{"commit", std::string(40, 'b')}}.dump(), 404, "is not in the repository"},
      {R"({"inputs":)", 400, "not valid JSON"},
  };
  for (const auto& [body, status, message] : cases) {
    Reply reply = Start(body);
    EXPECT_EQ(reply.status, status) << body << " → " << reply.body;
    EXPECT_NE(reply.ErrorMessage().find(message), std::string::npos)
        << body << " → " << reply.ErrorMessage();
  }
  EXPECT_TRUE(Runs("hello").empty());
  for (const auto& record : AuditTrail()) EXPECT_NE(record.action, "run.start");
}

TEST_F(RunsTest, PipelineWithoutManualTriggerRefusesManualRuns) {
  repo_->Write(".slipway.yml", "on: push\njobs:\n  a:\n    steps: [{run: 'true'}]\n");
  repo_->Commit("push only");
  Reply reply = Start();
  EXPECT_EQ(reply.status, 412) << reply.body;
  EXPECT_NE(reply.ErrorMessage().find("does not allow manual runs"), std::string::npos);
  EXPECT_TRUE(Runs("hello").empty());
}

TEST_F(RunsTest, MissingPipelineFileIs404) {
  repo_->Git({"rm", "-q", ".slipway.yml"});
  repo_->Commit("no pipeline");
  Reply reply = Start();
  EXPECT_EQ(reply.status, 404) << reply.body;
  EXPECT_NE(reply.ErrorMessage().find("'.slipway.yml' does not exist at commit"),
            std::string::npos);
}

TEST_F(RunsTest, ListIsNewestFirstWithKeysetPagination) {
  for (int i = 0; i < 7; ++i) ASSERT_EQ(Start().status, 201);
  std::vector<int64_t> numbers;
  std::string path = "/api/v1/projects/hello/runs?limit=3";
  int pages = 0;
  while (true) {
    Reply page = Admin("GET", path);
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    for (const auto& run : page.doc["runs"]) numbers.push_back(run["number"]);
    if (page.doc["next_before"].is_null()) break;
    path = "/api/v1/projects/hello/runs?limit=3&before=" +
           std::to_string(page.doc["next_before"].get<int64_t>());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(numbers, (std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1}));

  Reply exact = Admin("GET", "/api/v1/projects/hello/runs?limit=7");
  EXPECT_EQ(exact.doc["runs"].size(), 7u);
  EXPECT_TRUE(exact.doc["next_before"].is_null());  // no empty last page
  Reply defaults = Admin("GET", "/api/v1/projects/hello/runs");
  EXPECT_EQ(defaults.doc["runs"].size(), 7u);
  Reply queued = Admin("GET", "/api/v1/projects/hello/runs?status=queued");
  EXPECT_EQ(queued.doc["runs"].size(), 7u);
  Reply failed = Admin("GET", "/api/v1/projects/hello/runs?status=failure");
  EXPECT_EQ(failed.doc["runs"].size(), 0u);

  for (const std::string query : {"limit=0", "limit=501", "limit=x", "before=-1", "status=ok"}) {
    Reply bad = Admin("GET", "/api/v1/projects/hello/runs?" + query);
    EXPECT_EQ(bad.status, 400) << query;
    EXPECT_NE(bad.ErrorMessage().find("query parameter '" + query.substr(0, query.find('=')) + "'"),
              std::string::npos)
        << bad.ErrorMessage();
  }
}

TEST_F(RunsTest, UnknownRunIs404AndBadNumberIs400) {
  Reply missing = Admin("GET", "/api/v1/projects/hello/runs/42");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorMessage(), "run hello/42 does not exist");
  EXPECT_EQ(Admin("GET", "/api/v1/projects/hello/runs/first").status, 400);
  EXPECT_EQ(Admin("POST", "/api/v1/projects/hello/runs/42/cancel").status, 404);
}

TEST_F(RunsTest, CancelIsAcceptedOnceAndRefusedAfterTheRunFinished) {
  ASSERT_EQ(Start().status, 201);
  const uint64_t wakeups = dispatch_.generation();
  Reply cancelled = Call("POST", "/api/v1/projects/hello/runs/1/cancel", "", developer_);
  ASSERT_EQ(cancelled.status, 202) << cancelled.body;
  EXPECT_EQ(cancelled.doc["cancel_requested"], true);
  EXPECT_GT(dispatch_.generation(), wakeups);  // the dispatcher was woken
  EXPECT_TRUE(Runs("hello")[0].cancel_requested);
  EXPECT_EQ(Call("POST", "/api/v1/projects/hello/runs/1/cancel", "", developer_).status, 202);
  int cancels = 0;
  for (const auto& record : AuditTrail()) cancels += record.action == "run.cancel";
  EXPECT_EQ(cancels, 1);

  // The dispatcher finishes the cancelled run; cancelling it again is 412.
  StartDispatcher();
  for (int i = 0; i < 200 && Runs("hello")[0].status != store::RunStatus::kCancelled; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(Runs("hello")[0].status, store::RunStatus::kCancelled);
  Reply late = Call("POST", "/api/v1/projects/hello/runs/1/cancel", "", developer_);
  EXPECT_EQ(late.status, 412);
  EXPECT_EQ(late.ErrorCode(), "failed_precondition");
  EXPECT_NE(late.ErrorMessage().find("already finished (cancelled)"), std::string::npos);
  EXPECT_EQ(
      Call("POST", "/api/v1/projects/hello/runs/1/cancel", "", AddToken("v", store::Role::kViewer))
          .status,
      403);
}

}  // namespace
}  // namespace slipway::api::testing
