#include "store/migrations.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class MigrationsTest : public StoreTest {
 protected:
  int64_t CountRows(const std::string& table) {
    int64_t count = -1;
    Status s = sql_store().database().Transact(TxMode::kRead, [&](SqlTx& tx) -> Status {
      auto rows = tx.Query("SELECT COUNT(*) FROM " + table, {});
      if (!rows.ok()) return rows.status();
      count = rows->at(0).Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return count;
  }
};
SLIPWAY_STORE_TEST_SUITE(MigrationsTest);

TEST_P(MigrationsTest, ReopeningIsIdempotentAndKeepsData) {
  Project p = MakeProject("kept");
  MakeRun(p.id, {MakeJob(0)});
  ASSERT_EQ(CountRows("schema_migrations"), LatestSchemaVersion());
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(CountRows("schema_migrations"), LatestSchemaVersion());
  ASSERT_OK_AND_ASSIGN(Project again, store().GetProject("kept"));
  EXPECT_EQ(again.id, p.id);
  EXPECT_EQ(MakeRun(p.id).number, 2);
}

// Version 1 stored "{}" for a project never polled; version 2 makes it "" (never polled).
TEST_P(MigrationsTest, ProjectsNeverPolledReadAsNeverPolled) {
  MakeProject("never");
  Project polled = MakeProject("polled");
  ASSERT_OK(store().SetPolledCommits(polled.id, R"({"refs/heads/main":"abc"})"));
  // Back to a version 1 database: what later migrations created goes too.
  ASSERT_OK(
      ExecSql("UPDATE projects SET last_polled_commits = '{}' WHERE name = 'never'; "
              "DROP TABLE alerts; DROP TABLE incidents; DROP TABLE gate_decisions; "
              "DROP TABLE deploy_approvals; DROP TABLE gate_exemptions; "
              "DROP TABLE environments; DROP TABLE deploys; "
              "DELETE FROM schema_migrations WHERE version >= 2"));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK_AND_ASSIGN(Project never_after, store().GetProject("never"));
  EXPECT_EQ(never_after.last_polled_commits, "");
  ASSERT_OK_AND_ASSIGN(Project polled_after, store().GetProject("polled"));
  EXPECT_EQ(polled_after.last_polled_commits, R"({"refs/heads/main":"abc"})");
  EXPECT_EQ(CountRows("schema_migrations"), LatestSchemaVersion());
}

TEST_P(MigrationsTest, ANewerDatabaseIsRefused) {
  ASSERT_OK(ExecSql(
      "INSERT INTO schema_migrations (version, description, applied) VALUES (999, 'future', 0)"));
  store_.reset();
  auto reopened = Open({.url = url_});
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("999"), std::string::npos);
  EXPECT_NE(reopened.status().message().find("newer"), std::string::npos)
      << reopened.status().message();
}

TEST_P(MigrationsTest, ReadsProceedWhileAWriteIsInProgress) {
  Project p = MakeProject("p");
  std::mutex mu;
  std::condition_variable cv;
  bool writing = false, release = false;
  std::thread writer([&] {
    Status s = sql_store().database().Transact(TxMode::kWrite, [&](SqlTx& tx) -> Status {
      auto changed = tx.Exec("UPDATE projects SET repo = 'changed' WHERE id = ?", {p.id});
      if (!changed.ok()) return changed.status();
      std::unique_lock lock(mu);
      writing = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return writing; });
  }
  // The write holds its transaction open; a read must not wait for it (the bound only keeps a
  // broken implementation from hanging the test).
  auto read = std::async(std::launch::async, [&] { return store().GetProject("p"); });
  bool finished = read.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  writer.join();
  ASSERT_TRUE(finished) << "a read waited for the writer";
  auto project = read.get();
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  EXPECT_EQ(project->repo, p.repo);  // the uncommitted change is not visible
  ASSERT_OK_AND_ASSIGN(Project after, store().GetProject("p"));
  EXPECT_EQ(after.repo, "changed");
}

}  // namespace
}  // namespace slipway::store::testing
