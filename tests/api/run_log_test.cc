// GET …/runs/{number}/logs: a run's own log. A pipeline file that does not validate makes a
// failed run without jobs; its log lists the problems as file:line:col, like `slipway validate`.
#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

constexpr const char* kBroken = "on: {manual: {}}\njobs:\n  build:\n    stepz: []\n";

class RunLogTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = MakeRepo("repo", kBroken);
    AddProject("hello", *repo_);
  }
  std::unique_ptr<Repo> repo_;
};

TEST_F(RunLogTest, AnInvalidPipelineFailsTheRunAndItsLogSaysWhereAndWhy) {
  Reply started = Admin("POST", "/api/v1/projects/hello/runs", "{}");
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.doc["status"], "failure");

  Reply log = Admin("GET", "/api/v1/projects/hello/runs/1/logs");
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_EQ(log.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(log.body.find(".slipway.yml:4:5: unknown key 'stepz'"), std::string::npos) << log.body;
  EXPECT_TRUE(log.body.ends_with("\n")) << log.body;
  EXPECT_EQ(log.Header("X-Log-Offset"), "0");
  EXPECT_EQ(log.Header("X-Log-Size"), std::to_string(log.body.size()));
  EXPECT_EQ(log.Header("X-Log-Complete"), "true");
  // The run's `error` keeps saying the same (the log ends with a newline).
  std::string error = Admin("GET", "/api/v1/projects/hello/runs/1").doc["error"];
  if (!error.ends_with("\n")) error += "\n";
  EXPECT_EQ(log.body, error);

  // Ranges, as for job logs.
  Reply part = Admin("GET", "/api/v1/projects/hello/runs/1/logs?offset=2&limit=10");
  EXPECT_EQ(part.body, log.body.substr(2, 10));
  EXPECT_EQ(part.Header("X-Log-Offset"), "2");
  Reply past = Admin("GET", "/api/v1/projects/hello/runs/1/logs?offset=100000");
  EXPECT_EQ(past.status, 400) << past.body;

  // Asking for a job of that run points at the run's log.
  Reply job = Admin("GET", "/api/v1/projects/hello/runs/1/jobs/build/logs");
  EXPECT_EQ(job.status, 404);
  EXPECT_NE(job.ErrorMessage().find("/api/v1/projects/hello/runs/1/logs"), std::string::npos)
      << job.body;
}

TEST_F(RunLogTest, ARunWhosePipelineLoadsHasAnEmptyOwnLog) {
  repo_->Write(".slipway.yml", "on: {manual: {}}\njobs:\n  build:\n    steps: [{run: 'true'}]\n");
  repo_->Commit("fixed");
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  Reply log = Admin("GET", "/api/v1/projects/hello/runs/1/logs");
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_EQ(log.body, "");
  EXPECT_EQ(log.Header("X-Log-Size"), "0");
  EXPECT_EQ(log.Header("X-Log-Complete"), "false");  // queued: nothing ran yet
}

TEST_F(RunLogTest, BadRunLogRequestsSayWhatIsWrong) {
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  Reply follow = Admin("GET", "/api/v1/projects/hello/runs/1/logs?follow=1");
  EXPECT_EQ(follow.status, 400);
  EXPECT_NE(follow.ErrorMessage().find("cannot be followed"), std::string::npos);
  Reply missing = Admin("GET", "/api/v1/projects/hello/runs/7/logs");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorMessage(), "run hello/7 does not exist");
  Reply anonymous = Call("GET", "/api/v1/projects/hello/runs/1/logs");
  EXPECT_EQ(anonymous.status, 401);
}

}  // namespace
}  // namespace slipway::api::testing
