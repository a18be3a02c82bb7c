#include <gtest/gtest.h>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class ProjectsTest : public StoreTest {};
SLIPWAY_STORE_TEST_SUITE(ProjectsTest);

TEST_P(ProjectsTest, CreateGetListWithDefaults) {
  Project p;
  p.name = "hello";
  p.repo = "/src/hello";
  p.webhook_secret = "s3cret";
  p.is_public = true;
  p.poll_interval_seconds = 0;
  ASSERT_OK_AND_ASSIGN(Project created, store().CreateProject(p));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.default_branch, "main");
  EXPECT_EQ(created.pipeline_file, ".slipway.yml");
  EXPECT_EQ(created.last_polled_commits, "");  // never polled (not "{}": polled, no refs)
  EXPECT_NE(created.created, Time{});

  ASSERT_OK_AND_ASSIGN(Project by_name, store().GetProject("hello"));
  EXPECT_EQ(by_name.id, created.id);
  EXPECT_EQ(by_name.repo, "/src/hello");
  EXPECT_EQ(by_name.webhook_secret, "s3cret");
  EXPECT_TRUE(by_name.is_public);
  EXPECT_EQ(by_name.poll_interval_seconds, 0);
  EXPECT_EQ(by_name.created, created.created);
  ASSERT_OK_AND_ASSIGN(Project by_id, store().GetProjectById(created.id));
  EXPECT_EQ(by_id.name, "hello");

  MakeProject("another");
  ASSERT_OK_AND_ASSIGN(auto all, store().ListProjects());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "another");  // by name
  EXPECT_EQ(all[1].name, "hello");
}

TEST_P(ProjectsTest, ErrorsNameTheProject) {
  MakeProject("hello");
  Project dup;
  dup.name = "hello";
  auto again = store().CreateProject(dup);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("\"hello\""), std::string::npos);

  for (const std::string& bad :
       std::vector<std::string>{"", "has space", "slash/y", "..", std::string(101, 'a')}) {
    Project p;
    p.name = bad;
    EXPECT_EQ(store().CreateProject(p).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  Project negative;
  negative.name = "neg";
  negative.poll_interval_seconds = -1;
  EXPECT_EQ(store().CreateProject(negative).status().code(), StatusCode::kInvalidArgument);

  auto missing = store().GetProject("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("\"nope\""), std::string::npos);
  EXPECT_EQ(store().GetProjectById(999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().DeleteProject("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(store().SetPolledCommits(999, "{}").code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListProjects());
  EXPECT_EQ(all.size(), 1u);  // nothing stored by the failures
}

TEST_P(ProjectsTest, SetPolledCommits) {
  Project p = MakeProject("hello");
  std::string commits = R"({"refs/heads/main": "abc"})";
  ASSERT_OK(store().SetPolledCommits(p.id, commits));
  ASSERT_OK_AND_ASSIGN(Project got, store().GetProject("hello"));
  EXPECT_EQ(got.last_polled_commits, commits);
}

TEST_P(ProjectsTest, DeleteTakesRunsJobsAttemptsAndLogsAlong) {
  Project p = MakeProject("doomed");
  Project kept = MakeProject("kept");
  store::Run run = MakeRun(p.id, {MakeJob(0)});
  store::Run other = MakeRun(kept.id, {MakeJob(0, JobStatus::kWaiting)});
  ASSERT_OK_AND_ASSIGN(auto lease, store().LeaseJob(LeaseFor(1, {}, At(1000))));
  ASSERT_TRUE(lease.has_value());
  ASSERT_OK(store().AppendLog(lease->attempt.id, 0, "some log\n"));

  ASSERT_OK(store().DeleteProject("doomed"));
  EXPECT_EQ(store().GetProject("doomed").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetRun(run.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetJob(lease->job.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetAttempt(lease->attempt.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().ReadLog(lease->attempt.id, 0, 100).status().code(), StatusCode::kNotFound);
  EXPECT_OK(store().GetRun(other.id).status());

  // Ids are never reused: a new project after the delete gets a fresh id.
  Project next = MakeProject("doomed");
  EXPECT_GT(next.id, kept.id);
}

}  // namespace
}  // namespace slipway::store::testing
