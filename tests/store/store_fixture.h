// The store test fixture: every TEST_P runs once against SQLite and once against PostgreSQL
// (a fresh file or a fresh database per test), so the suite is the contract both backends
// meet.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/sql_store.h"
#include "store/store.h"
#include "support/postgres_server.h"
#include "util/fs.h"

namespace slipway::store::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// Asserts a Result is OK and yields its value.
#define ASSERT_OK_AND_ASSIGN(decl, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(SLIPWAY_CONCAT(store_result_, __LINE__), decl, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, decl, expr)  \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  decl = std::move(tmp).value()
#define ASSERT_OK(expr)                                          \
  do {                                                           \
    ::slipway::Status store_status_ = (expr);                    \
    ASSERT_TRUE(store_status_.ok()) << store_status_.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                          \
  do {                                                           \
    ::slipway::Status store_status_ = (expr);                    \
    EXPECT_TRUE(store_status_.ok()) << store_status_.ToString(); \
  } while (0)

inline Time At(int64_t ms) { return Time(std::chrono::milliseconds(ms)); }

// (testing::Test::Run hides store::Run inside fixtures: they say store::Run.)
inline LeaseRequest LeaseFor(int64_t agent_id, std::vector<std::string> labels, Time now,
                             std::chrono::milliseconds lease = std::chrono::seconds(30)) {
  LeaseRequest r;
  r.agent_id = agent_id;
  r.labels = std::move(labels);
  r.now = now;
  r.lease = lease;
  return r;
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      auto dir = MakeTempDir("store_test.");
      ASSERT_TRUE(dir.ok()) << dir.status().ToString();
      dir_ = *dir;
      url_ = "sqlite://" + (dir_ / "slipway.db").string();
    } else {
      PostgresServer* server = PostgresEnvironment::Server();
      ASSERT_NE(server, nullptr) << PostgresEnvironment::error();
      auto url = server->CreateDatabase();
      ASSERT_TRUE(url.ok()) << url.status().ToString();
      url_ = *url;
    }
    ASSERT_NO_FATAL_FAILURE(Reopen());
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) {
      EXPECT_TRUE(RemoveTree(dir_).ok());
    }
  }

  void Reopen() {
    store_.reset();
    auto store = Open({.url = url_});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  bool IsPostgres() const { return GetParam() == Backend::kPostgres; }
  Store& store() { return *store_; }
  SqlStore& sql_store() { return dynamic_cast<SqlStore&>(*store_); }

  // Runs SQL directly on the database, the way someone tampering with it would.
  Status ExecSql(const std::string& sql) {
    return sql_store().database().Transact(TxMode::kWrite,
                                           [&](SqlTx& tx) { return tx.ExecScript(sql); });
  }

  Project MakeProject(const std::string& name) {
    Project p;
    p.name = name;
    p.repo = "https://example.com/" + name + ".git";
    auto created = store_->CreateProject(p);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : p;
  }

  static Job MakeJob(int index, JobStatus status = JobStatus::kQueued,
                     std::string runs_on_json = "[]") {
    Job j;
    j.index = index;
    j.instance_id = "job" + std::to_string(index);
    j.job_name = j.instance_id;
    j.status = status;
    j.runs_on_json = std::move(runs_on_json);
    return j;
  }

  store::Run MakeRun(int64_t project_id, std::vector<Job> jobs = {}) {
    store::Run r;
    r.project_id = project_id;
    r.trigger = "manual";
    r.event = "manual";
    r.ref = "refs/heads/main";
    r.branch = "main";
    r.commit = std::string(40, 'a');
    auto created = store_->CreateRun(r, std::move(jobs));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : r;
  }

  std::string url_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

// Runs the TEST_Ps of `suite` (a subclass of StoreTest) on both backends.
#define SLIPWAY_STORE_TEST_SUITE(suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                  \
                           ::testing::Values(::slipway::store::testing::Backend::kSqlite,    \
                                             ::slipway::store::testing::Backend::kPostgres), \
                           ::slipway::store::testing::BackendName)

}  // namespace slipway::store::testing
