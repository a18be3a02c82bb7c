// SQLite-only behaviour: URLs, a read-only file, a full disk, background WAL checkpoints.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "store/sqlite_database.h"
#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("store_sqlite_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = *dir;
    path_ = (dir_ / "slipway.db").string();
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(dir_).ok()); }

  std::filesystem::path dir_;
  std::string path_;
};

// As root, file permissions do not stop writes: act as `nobody` (effective uid only, so the
// test can switch back) while the store opens and uses the file.
class AsUnprivilegedUser {
 public:
  AsUnprivilegedUser() {
    if (geteuid() == 0) active_ = seteuid(65534) == 0;
  }
  ~AsUnprivilegedUser() {
    if (active_) {
      EXPECT_EQ(seteuid(0), 0);
    }
  }
  AsUnprivilegedUser(const AsUnprivilegedUser&) = delete;
  AsUnprivilegedUser& operator=(const AsUnprivilegedUser&) = delete;

 private:
  bool active_ = false;
};

// Committed pages reach the database file from the checkpointer thread within about a second.
// SQLite's own automatic checkpoint would wait for 1,000 pages in the WAL and then run inside
// a commit; 200 pages stay below that, so only the background checkpoint moves them.
TEST_F(SqliteStoreTest, CommittedPagesReachTheDatabaseFileInTheBackground) {
  auto db = SqliteDatabase::Open(path_, 1);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Status wrote = (*db)->Transact(TxMode::kWrite, [](SqlTx& tx) -> Status {
    SLIPWAY_RETURN_IF_ERROR(tx.ExecScript("CREATE TABLE filler (bytes BLOB);"));
    for (int i = 0; i < 200; ++i) {
      SLIPWAY_RETURN_IF_ERROR(tx.Exec("INSERT INTO filler VALUES (randomblob(4000))", {}).status());
    }
    return Status::Ok();
  });
  ASSERT_TRUE(wrote.ok()) << wrote.ToString();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::filesystem::file_size(path_) < 200 * 4000 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(std::filesystem::file_size(path_), 200u * 4000u)
      << "the database file did not grow: the WAL was not checkpointed";
  db->reset();  // closing while idle: the checkpointer thread stops at once
}

TEST_F(SqliteStoreTest, UrlForms) {
  ASSERT_OK(Open({.url = path_}).status());
  ASSERT_OK(Open({.url = "sqlite://" + path_}).status());
  EXPECT_EQ(Open({.url = ""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Open({.url = "sqlite://"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Open({.url = "mysql://host/db"}).status().code(), StatusCode::kInvalidArgument);
  auto missing_dir = Open({.url = (dir_ / "no" / "such" / "dir.db").string()});
  EXPECT_EQ(missing_dir.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(missing_dir.status().message().find("dir.db"), std::string::npos);
}

TEST_F(SqliteStoreTest, LeadershipIsAlwaysHeld) {
  ASSERT_OK_AND_ASSIGN(auto store, Open({.url = path_}));
  ASSERT_OK_AND_ASSIGN(bool leader, store->HoldLeadership("cron"));
  EXPECT_TRUE(leader);
}

TEST_F(SqliteStoreTest, ReadOnlyFileServesReadsAndRefusesWrites) {
  {
    ASSERT_OK_AND_ASSIGN(auto store, Open({.url = path_}));
    Project p;
    p.name = "hello";
    ASSERT_OK(store->CreateProject(p).status());
    AuditRecord r;
    r.action = "project.add";
    ASSERT_OK(store->AppendAudit(r).status());
  }  // closed: the WAL is checkpointed into the file
  ASSERT_EQ(chmod(path_.c_str(), 0444), 0);
  ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);  // SQLite may still create its -shm beside it
  AsUnprivilegedUser unprivileged;
  ASSERT_OK_AND_ASSIGN(auto store, Open({.url = path_}));
  ASSERT_OK_AND_ASSIGN(Project got, store->GetProject("hello"));
  EXPECT_EQ(got.name, "hello");
  ASSERT_OK(VerifyAuditChain(*store));
  Project p;
  p.name = "new";
  Status write = store->CreateProject(p).status();
  EXPECT_EQ(write.code(), StatusCode::kUnavailable);
  EXPECT_NE(write.message().find("read-only"), std::string::npos) << write.message();
  EXPECT_NE(write.message().find(path_), std::string::npos) << write.message();
  EXPECT_EQ(store->AppendAudit(AuditRecord{}).status().code(), StatusCode::kUnavailable);
  ASSERT_OK_AND_ASSIGN(auto projects, store->ListProjects());  // reads still work
  EXPECT_EQ(projects.size(), 1u);
}

TEST_F(SqliteStoreTest, FullDiskGivesUnavailableAndReadsGoOn) {
  ASSERT_OK_AND_ASSIGN(auto store, Open({.url = path_}));
  Project project;
  project.name = "p";
  ASSERT_OK_AND_ASSIGN(project, store->CreateProject(project));
  store::Run run;
  run.project_id = project.id;
  Job job;
  job.status = JobStatus::kQueued;
  ASSERT_OK(store->CreateRun(run, {job}).status());
  ASSERT_OK_AND_ASSIGN(auto lease, store->LeaseJob(LeaseFor(1, {}, At(1000))));
  ASSERT_TRUE(lease.has_value());
  auto& db = dynamic_cast<SqlStore&>(*store).database();
  // The database may not grow past its current size: as good as a full disk to SQLite.
  ASSERT_OK(db.Transact(TxMode::kWrite,
                        [](SqlTx& tx) { return tx.ExecScript("PRAGMA max_page_count = 1"); }));
  std::string incompressible(1 << 20, '\0');
  std::mt19937_64 random(42);
  for (char& c : incompressible) c = static_cast<char>(random());
  Status full = store->AppendLog(lease->attempt.id, 0, incompressible);
  EXPECT_EQ(full.code(), StatusCode::kUnavailable);
  EXPECT_NE(full.message().find("full"), std::string::npos) << full.message();
  ASSERT_OK_AND_ASSIGN(LogSlice slice, store->ReadLog(lease->attempt.id, 0, 10));
  EXPECT_EQ(slice.size, 0);  // nothing half-written
  ASSERT_OK(store->GetProject("p").status());
  // Space again: the store writes again.
  ASSERT_OK(db.Transact(
      TxMode::kWrite, [](SqlTx& tx) { return tx.ExecScript("PRAGMA max_page_count = 1000000"); }));
  ASSERT_OK(store->AppendLog(lease->attempt.id, 0, incompressible));
}

// synchronous=NORMAL: what a write acknowledged survives the process dying at once after.
TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveKill9) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // no gtest assertions here: exit codes say what failed
    close(ready[0]);
    auto store = Open({.url = path_});
    if (!store.ok()) _exit(2);
    Project p;
    p.name = "acked";
    if (!(*store)->CreateProject(p).ok()) _exit(3);
    AuditRecord r;
    r.action = "project.add";
    if (!(*store)->AppendAudit(r).ok()) _exit(4);
    if (write(ready[1], "k", 1) != 1) _exit(5);  // acknowledged
    kill(getpid(), SIGKILL);                     // no close, no checkpoint
    _exit(6);
  }
  close(ready[1]);
  char ack = 0;
  EXPECT_EQ(read(ready[0], &ack, 1), 1);
  close(ready[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with " << WEXITSTATUS(status);
  ASSERT_OK_AND_ASSIGN(auto store, Open({.url = path_}));
  ASSERT_OK(store->GetProject("acked").status());
  ASSERT_OK_AND_ASSIGN(auto audit, store->ListAudit(0, 10));
  EXPECT_EQ(audit.size(), 1u);
}

}  // namespace
}  // namespace slipway::store::testing
