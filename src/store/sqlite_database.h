// The SQLite backend's SqlDatabase: one writer connection behind a mutex and a small pool of
// reader connections, so reads go on (WAL snapshots) while a write is slow. WAL checkpoints
// (copying committed pages into the database file, with its fsyncs) run on a thread of their
// own about every second, instead of inside whichever commit crosses SQLite's threshold: a
// job's lease or result no longer waits for one.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sql.h"
#include "store/sqlite_connection.h"

namespace slipway::store {

class SqliteDatabase final : public SqlDatabase {
 public:
  // Opens (creating when missing) the database file at `path` with `readers` reader
  // connections.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path, int readers);
  ~SqliteDatabase() override;

  const Dialect& dialect() const override { return SqliteDialect(); }
  // kWrite: BEGIN IMMEDIATE on the writer; kRead: a deferred transaction on a free reader
  // (waits while all are busy).
  Status Transact(TxMode mode, const std::function<Status(SqlTx&)>& body) override;
  // One server per file: always the leader.
  Result<bool> HoldLeadership(std::string_view) override { return true; }

 private:
  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {}
  static Status RunTransaction(SqliteConnection& conn, const char* begin,
                               const std::function<Status(SqlTx&)>& body);
  // The checkpointer thread: a passive checkpoint (never blocks readers or the writer) every
  // kCheckpointInterval until the database closes. Errors (a read-only file) are ignored: the
  // pages stay in the WAL, where readers find them.
  void CheckpointLoop();

  std::string path_;
  std::mutex writer_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // guarded by writer_mu_
  std::mutex readers_mu_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;  // guarded by readers_mu_
  std::unique_ptr<SqliteConnection> checkpointer_;               // used by checkpoint_thread_ only
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_stop_;
  bool closing_ = false;  // guarded by checkpoint_mu_
  std::thread checkpoint_thread_;
};

}  // namespace slipway::store
