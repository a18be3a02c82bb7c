// Environments and deploys in the store: rows round-trip on both backends, a second put of a
// key replaces its row, and deleting an environment deletes its deploys.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

EnvironmentRow Environment(std::string project, std::string environment) {
  EnvironmentRow e;
  e.project = std::move(project);
  e.environment = std::move(environment);
  e.pipeline_file = ".slipway/pipeline.yaml";
  e.pipeline_yaml = "environments:\n  production:\n    target: {process: {}}\n";
  e.next_revision = 4;
  e.next_deploy = 7;
  e.stable_json = R"({"id":"r3","digest":"sha256:ab","instances":2})";
  e.updated_at = At(1700000000123);
  return e;
}

DeployRow Deploy(std::string environment, int64_t deploy_id, std::string outcome = "running") {
  DeployRow d;
  d.project = "shop";
  d.environment = std::move(environment);
  d.deploy_id = deploy_id;
  d.revision = "r" + std::to_string(deploy_id);
  d.digest = "sha256:" + std::string(64, 'c');
  d.outcome = std::move(outcome);
  d.triggered_by = "run 12";
  d.started = At(1000 * deploy_id);
  d.finished = d.started;
  d.record_json = R"({"id":)" + std::to_string(deploy_id) + "}";
  return d;
}

void ExpectSame(const EnvironmentRow& got, const EnvironmentRow& want) {
  EXPECT_EQ(got.project, want.project);
  EXPECT_EQ(got.environment, want.environment);
  EXPECT_EQ(got.pipeline_file, want.pipeline_file);
  EXPECT_EQ(got.pipeline_yaml, want.pipeline_yaml);
  EXPECT_EQ(got.next_revision, want.next_revision);
  EXPECT_EQ(got.next_deploy, want.next_deploy);
  EXPECT_EQ(got.stable_json, want.stable_json);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

void ExpectSame(const DeployRow& got, const DeployRow& want) {
  EXPECT_EQ(got.project, want.project);
  EXPECT_EQ(got.environment, want.environment);
  EXPECT_EQ(got.deploy_id, want.deploy_id);
  EXPECT_EQ(got.revision, want.revision);
  EXPECT_EQ(got.digest, want.digest);
  EXPECT_EQ(got.outcome, want.outcome);
  EXPECT_EQ(got.triggered_by, want.triggered_by);
  EXPECT_EQ(got.started, want.started);
  EXPECT_EQ(got.finished, want.finished);
  EXPECT_EQ(got.record_json, want.record_json);
}

class EnvironmentsTest : public StoreTest {};
SLIPWAY_STORE_TEST_SUITE(EnvironmentsTest);

TEST_P(EnvironmentsTest, AnEnvironmentRoundTrips) {
  EnvironmentRow production = Environment("shop", "production");
  ASSERT_OK(store().PutEnvironment(production));
  ASSERT_OK_AND_ASSIGN(EnvironmentRow got, store().GetEnvironment("shop", "production"));
  ExpectSame(got, production);
  // It survives a reopen (it is in the database, not a cache).
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK_AND_ASSIGN(EnvironmentRow reopened, store().GetEnvironment("shop", "production"));
  ExpectSame(reopened, production);
}

TEST_P(EnvironmentsTest, NoStableRevisionIsEmpty) {
  EnvironmentRow fresh = Environment("shop", "staging");
  fresh.stable_json.clear();
  fresh.pipeline_yaml.clear();
  fresh.next_revision = 1;
  fresh.next_deploy = 1;
  ASSERT_OK(store().PutEnvironment(fresh));
  ASSERT_OK_AND_ASSIGN(EnvironmentRow got, store().GetEnvironment("shop", "staging"));
  ExpectSame(got, fresh);
}

TEST_P(EnvironmentsTest, ASecondPutReplacesTheRow) {
  ASSERT_OK(store().PutEnvironment(Environment("shop", "production")));
  EnvironmentRow changed = Environment("shop", "production");
  changed.pipeline_file = "deploy.yaml";
  changed.pipeline_yaml = "changed: true\n";
  changed.next_revision = 5;
  changed.next_deploy = 8;
  changed.stable_json = R"({"id":"r4"})";
  changed.updated_at = At(1700000009999);
  ASSERT_OK(store().PutEnvironment(changed));
  ASSERT_OK_AND_ASSIGN(EnvironmentRow got, store().GetEnvironment("shop", "production"));
  ExpectSame(got, changed);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListEnvironments());
  EXPECT_EQ(all.size(), 1u);
}

TEST_P(EnvironmentsTest, AMissingEnvironmentIsNotFound) {
  ASSERT_OK(store().PutEnvironment(Environment("shop", "production")));
  EXPECT_EQ(store().GetEnvironment("shop", "staging").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetEnvironment("blog", "production").status().code(), StatusCode::kNotFound);
}

TEST_P(EnvironmentsTest, ListedByProjectThenEnvironment) {
  ASSERT_OK_AND_ASSIGN(auto none, store().ListEnvironments());
  EXPECT_TRUE(none.empty());
  ASSERT_OK(store().PutEnvironment(Environment("shop", "staging")));
  ASSERT_OK(store().PutEnvironment(Environment("blog", "production")));
  ASSERT_OK(store().PutEnvironment(Environment("shop", "production")));
  ASSERT_OK(store().PutEnvironment(Environment("blog", "canary")));
  ASSERT_OK_AND_ASSIGN(auto all, store().ListEnvironments());
  std::vector<std::pair<std::string, std::string>> keys;
  for (const EnvironmentRow& e : all) keys.emplace_back(e.project, e.environment);
  EXPECT_EQ(keys, (std::vector<std::pair<std::string, std::string>>{{"blog", "canary"},
                                                                    {"blog", "production"},
                                                                    {"shop", "production"},
                                                                    {"shop", "staging"}}));
  ExpectSame(all[2], Environment("shop", "production"));
}

TEST_P(EnvironmentsTest, ADeployIsWrittenWhenItStartsAndReplacedWhenItEnds) {
  DeployRow running = Deploy("production", 1);
  ASSERT_OK(store().PutDeploy(running));
  ASSERT_OK_AND_ASSIGN(auto started, store().ListDeploys("shop", "production"));
  ASSERT_EQ(started.size(), 1u);
  ExpectSame(started[0], running);

  DeployRow succeeded = running;
  succeeded.outcome = "succeeded";
  succeeded.finished = At(1000 + 45000);
  succeeded.record_json = R"({"id":1,"outcome":"succeeded"})";
  ASSERT_OK(store().PutDeploy(succeeded));
  ASSERT_OK_AND_ASSIGN(auto ended, store().ListDeploys("shop", "production"));
  ASSERT_EQ(ended.size(), 1u);
  ExpectSame(ended[0], succeeded);
}

TEST_P(EnvironmentsTest, DeploysAreListedByIdPerEnvironment) {
  ASSERT_OK(store().PutDeploy(Deploy("production", 3, "failed")));
  ASSERT_OK(store().PutDeploy(Deploy("production", 1, "succeeded")));
  ASSERT_OK(store().PutDeploy(Deploy("staging", 2, "succeeded")));
  ASSERT_OK(store().PutDeploy(Deploy("production", 10)));
  ASSERT_OK(store().PutDeploy(Deploy("production", 2, "succeeded")));
  DeployRow other_project = Deploy("production", 4);
  other_project.project = "blog";
  ASSERT_OK(store().PutDeploy(other_project));

  ASSERT_OK_AND_ASSIGN(auto production, store().ListDeploys("shop", "production"));
  std::vector<int64_t> ids;
  for (const DeployRow& d : production) ids.push_back(d.deploy_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3, 10}));
  ExpectSame(production[2], Deploy("production", 3, "failed"));

  ASSERT_OK_AND_ASSIGN(auto staging, store().ListDeploys("shop", "staging"));
  ASSERT_EQ(staging.size(), 1u);
  EXPECT_EQ(staging[0].deploy_id, 2);
  ASSERT_OK_AND_ASSIGN(auto none, store().ListDeploys("shop", "qa"));
  EXPECT_TRUE(none.empty());
}

TEST_P(EnvironmentsTest, DeletingAnEnvironmentDeletesItsDeploys) {
  ASSERT_OK(store().PutEnvironment(Environment("shop", "production")));
  ASSERT_OK(store().PutEnvironment(Environment("shop", "staging")));
  ASSERT_OK(store().PutDeploy(Deploy("production", 1, "succeeded")));
  ASSERT_OK(store().PutDeploy(Deploy("production", 2)));
  ASSERT_OK(store().PutDeploy(Deploy("staging", 1, "succeeded")));

  ASSERT_OK(store().DeleteEnvironment("shop", "production"));
  EXPECT_EQ(store().GetEnvironment("shop", "production").status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto gone, store().ListDeploys("shop", "production"));
  EXPECT_TRUE(gone.empty());
  // The other environment keeps its row and its deploys.
  ASSERT_OK_AND_ASSIGN(EnvironmentRow staging, store().GetEnvironment("shop", "staging"));
  ExpectSame(staging, Environment("shop", "staging"));
  ASSERT_OK_AND_ASSIGN(auto kept, store().ListDeploys("shop", "staging"));
  EXPECT_EQ(kept.size(), 1u);

  EXPECT_EQ(store().DeleteEnvironment("shop", "production").code(), StatusCode::kNotFound);
  EXPECT_EQ(store().DeleteEnvironment("blog", "staging").code(), StatusCode::kNotFound);

  // A deleted environment can be deployed to again, from deploy 1.
  ASSERT_OK(store().PutEnvironment(Environment("shop", "production")));
  ASSERT_OK(store().PutDeploy(Deploy("production", 1)));
  ASSERT_OK_AND_ASSIGN(auto again, store().ListDeploys("shop", "production"));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].outcome, "running");
}

// The deploy module may store a deploy before its environment's row: deleting the environment
// removes such deploys too, and still says there was no environment.
TEST_P(EnvironmentsTest, DeletingAnEnvironmentWithoutItsRowRemovesItsDeploys) {
  ASSERT_OK(store().PutDeploy(Deploy("production", 1)));
  EXPECT_EQ(store().DeleteEnvironment("shop", "production").code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto gone, store().ListDeploys("shop", "production"));
  EXPECT_TRUE(gone.empty());
}

}  // namespace
}  // namespace slipway::store::testing
