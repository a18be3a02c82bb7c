#include "store/sqlite_database.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace slipway::store {

namespace {
constexpr auto kCheckpointInterval = std::chrono::seconds(1);
}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path, int readers) {
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(path));
  // The writer first: it creates the file and switches it to WAL before readers attach.
  SLIPWAY_ASSIGN_OR_RETURN(db->writer_,
                           SqliteConnection::Open(path, SqliteConnection::Role::kWriter));
  // Commits no longer checkpoint; CheckpointLoop does. (A per-connection setting.)
  SLIPWAY_RETURN_IF_ERROR(db->writer_->ExecScript("PRAGMA wal_autocheckpoint = 0;"));
  for (int i = 0; i < std::max(readers, 1); ++i) {
    SLIPWAY_ASSIGN_OR_RETURN(auto reader,
                             SqliteConnection::Open(path, SqliteConnection::Role::kReader));
    db->idle_readers_.push_back(std::move(reader));
  }
  SLIPWAY_ASSIGN_OR_RETURN(db->checkpointer_,
                           SqliteConnection::Open(path, SqliteConnection::Role::kWriter));
  db->checkpoint_thread_ = std::thread([raw = db.get()] { raw->CheckpointLoop(); });
  return db;
}

SqliteDatabase::~SqliteDatabase() {
  {
    std::lock_guard lock(checkpoint_mu_);
    closing_ = true;
  }
  checkpoint_stop_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
}

void SqliteDatabase::CheckpointLoop() {
  std::unique_lock lock(checkpoint_mu_);
  while (!checkpoint_stop_.wait_for(lock, kCheckpointInterval, [this] { return closing_; })) {
    lock.unlock();
    (void)checkpointer_->ExecScript("PRAGMA wal_checkpoint(PASSIVE);");
    lock.lock();
  }
}

Status SqliteDatabase::RunTransaction(SqliteConnection& conn, const char* begin,
                                      const std::function<Status(SqlTx&)>& body) {
  SLIPWAY_RETURN_IF_ERROR(conn.ExecScript(begin));
  Status status;
  try {
    status = body(conn);
  } catch (const std::exception& e) {
    status = Internal(std::string("unexpected exception in a SQLite transaction: ") + e.what());
  }
  if (status.ok()) status = conn.ExecScript("COMMIT;");
  // Also after a failed COMMIT: SQLite keeps the transaction open on SQLITE_BUSY and after
  // some I/O errors, and the connection must not carry it into the next caller's work.
  if (conn.InTransaction()) (void)conn.ExecScript("ROLLBACK;");
  return status;
}

Status SqliteDatabase::Transact(TxMode mode, const std::function<Status(SqlTx&)>& body) {
  if (mode == TxMode::kWrite) {
    std::lock_guard lock(writer_mu_);
    // IMMEDIATE takes the write lock up front, so a read-modify-write transaction never fails
    // half-way because another process wrote in between.
    return RunTransaction(*writer_, "BEGIN IMMEDIATE;", body);
  }
  std::unique_ptr<SqliteConnection> reader;
  {
    std::unique_lock lock(readers_mu_);
    reader_returned_.wait(lock, [&] { return !idle_readers_.empty(); });
    reader = std::move(idle_readers_.back());
    idle_readers_.pop_back();
  }
  Status status = RunTransaction(*reader, "BEGIN;", body);
  {
    std::lock_guard lock(readers_mu_);
    idle_readers_.push_back(std::move(reader));
  }
  reader_returned_.notify_one();
  return status;
}

}  // namespace slipway::store
