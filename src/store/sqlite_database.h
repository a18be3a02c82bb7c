// The SQLite backend's SqlDatabase: one writer connection behind a mutex and a small pool of
// reader connections, so reads go on (WAL snapshots) while a write is slow.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sql.h"
#include "store/sqlite_connection.h"

namespace slipway::store {

class SqliteDatabase final : public SqlDatabase {
 public:
  // Opens (creating when missing) the database file at `path` with `readers` reader
  // connections.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path, int readers);

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

  std::string path_;
  std::mutex writer_mu_;
  std::unique_ptr<SqliteConnection> writer_;  // guarded by writer_mu_
  std::mutex readers_mu_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;  // guarded by readers_mu_
};

}  // namespace slipway::store
