// PostgreSQL-only behaviour: a killed server, leadership, several servers on one database.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PostgresEnvironment::Server();
    ASSERT_NE(server_, nullptr) << PostgresEnvironment::error();
    auto url = server_->CreateDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
  }

  std::unique_ptr<Store> MustOpen() {
    auto store = Open({.url = url_});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  PostgresServer* server_ = nullptr;
  std::string url_;
};

TEST_F(PostgresStoreTest, KilledServerGivesUnavailableThenRecovers) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  Project p;
  p.name = "p";
  ASSERT_OK(store->CreateProject(p).status());

  ASSERT_OK(server_->Kill());
  auto read = store->GetProject("p");
  EXPECT_EQ(read.status().code(), StatusCode::kUnavailable) << read.status().ToString();
  EXPECT_NE(read.status().message().find("PostgreSQL"), std::string::npos);
  p.name = "q";
  EXPECT_EQ(store->CreateProject(p).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store->LeaseJob(LeaseFor(1, {}, At(1))).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store->AppendAudit(AuditRecord{}).status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store->HoldLeadership("cron").ok());
  auto reopen = Open({.url = url_});
  EXPECT_EQ(reopen.status().code(), StatusCode::kUnavailable);

  ASSERT_OK(server_->Restart());
  // Dead pooled connections are replaced: the next call works.
  ASSERT_OK_AND_ASSIGN(Project got, store->GetProject("p"));
  EXPECT_EQ(got.name, "p");
  ASSERT_OK(store->CreateProject(p).status());
  ASSERT_OK_AND_ASSIGN(bool leader, store->HoldLeadership("cron"));
  EXPECT_TRUE(leader);
}

TEST_F(PostgresStoreTest, LeadershipIsExclusiveAndLostWithItsConnection) {
  auto a = MustOpen();
  auto b = MustOpen();
  ASSERT_TRUE(a && b);
  ASSERT_OK_AND_ASSIGN(bool a_leads, a->HoldLeadership("cron"));
  EXPECT_TRUE(a_leads);
  ASSERT_OK_AND_ASSIGN(bool b_leads, b->HoldLeadership("cron"));
  EXPECT_FALSE(b_leads);
  ASSERT_OK_AND_ASSIGN(a_leads, a->HoldLeadership("cron"));
  EXPECT_TRUE(a_leads);
  ASSERT_OK_AND_ASSIGN(bool b_polls, b->HoldLeadership("poller"));  // another name
  EXPECT_TRUE(b_polls);

  // A's leadership connection dies (network, server restart, an operator).
  ASSERT_OK(server_->AdminExec(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND classid = 1397511255 AND pid IN (SELECT pid FROM pg_locks l2 WHERE l2.locktype = "
      "'advisory' AND l2.objid::bigint = (hashtext('cron')::bigint & 4294967295))"));
  ASSERT_OK_AND_ASSIGN(a_leads, a->HoldLeadership("cron"));
  EXPECT_FALSE(a_leads);
  bool b_took_over = false;
  for (int i = 0; i < 200 && !b_took_over; ++i) {  // the terminated backend exits soon
    ASSERT_OK_AND_ASSIGN(b_took_over, b->HoldLeadership("cron"));
    if (!b_took_over) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(b_took_over);
  ASSERT_OK_AND_ASSIGN(a_leads, a->HoldLeadership("cron"));
  EXPECT_FALSE(a_leads);
  ASSERT_OK_AND_ASSIGN(b_polls, b->HoldLeadership("poller"));
  EXPECT_TRUE(b_polls);

  b.reset();  // B's process ends: its locks go with its connection
  bool a_again = false;
  for (int i = 0; i < 200 && !a_again; ++i) {
    ASSERT_OK_AND_ASSIGN(a_again, a->HoldLeadership("cron"));
    if (!a_again) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(a_again);
}

TEST_F(PostgresStoreTest, ServersOpeningAtOnceMigrateOnceAndNeverDoubleLease) {
  constexpr int kServers = 3, kThreadsEach = 3, kJobs = 90;
  std::vector<std::unique_ptr<Store>> servers(kServers);
  {
    std::vector<std::thread> opening;
    for (int s = 0; s < kServers; ++s) {
      opening.emplace_back([&, s] {
        auto store = Open({.url = url_, .pool_size = 3});
        EXPECT_TRUE(store.ok()) << store.status().ToString();
        if (store.ok()) servers[s] = std::move(store).value();
      });
    }
    for (auto& t : opening) t.join();
  }
  for (const auto& s : servers) ASSERT_NE(s, nullptr);
  Project p;
  p.name = "p";
  ASSERT_OK_AND_ASSIGN(p, servers[0]->CreateProject(p));
  std::vector<Job> jobs;
  for (int i = 0; i < kJobs; ++i) {
    Job j;
    j.index = i;
    j.status = JobStatus::kQueued;
    jobs.push_back(j);
  }
  store::Run run;
  run.project_id = p.id;
  ASSERT_OK(servers[1]->CreateRun(run, jobs).status());

  std::mutex mu;
  std::map<int64_t, int> leased;
  std::vector<std::thread> threads;
  for (int s = 0; s < kServers; ++s) {
    for (int t = 0; t < kThreadsEach; ++t) {
      threads.emplace_back([&, s] {
        for (;;) {
          auto lease = servers[s]->LeaseJob(LeaseFor(s + 1, {}, At(1000)));
          EXPECT_TRUE(lease.ok()) << lease.status().ToString();
          if (!lease.ok() || !lease->has_value()) return;
          std::lock_guard lock(mu);
          ++leased[(*lease)->job.id];
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(leased.size(), size_t{kJobs});
  for (const auto& [job, n] : leased) EXPECT_EQ(n, 1) << "job " << job;
}

}  // namespace
}  // namespace slipway::store::testing
