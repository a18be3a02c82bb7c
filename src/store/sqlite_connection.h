// One SQLite connection with its cache of prepared statements. While the owner holds a
// transaction open on it, the connection is that transaction's SqlTx.
//
// Thread-safety: none; SqliteDatabase hands a connection to one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace slipway::store {

class SqliteConnection final : public SqlTx {
 public:
  enum class Role {
    kWriter,  // creates the file, switches it to WAL, enforces foreign keys
    kReader,  // PRAGMA query_only: a bug that writes through a reader fails loudly
  };

  // Opens `path` (kWriter creates it when missing). A file the OS lets us only read opens
  // read-only: reads work and writes fail with kUnavailable.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, Role role);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<SqlRows> Query(const std::string& sql, const SqlParams& params) override;
  Result<int64_t> Exec(const std::string& sql, const SqlParams& params) override;
  Status ExecScript(const std::string& sql) override;

  // True while a transaction is open (after a failed COMMIT SQLite may or may not have
  // rolled back by itself).
  bool InTransaction() const;

 private:
  SqliteConnection(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  Status Configure(Role role);
  Result<sqlite3_stmt*> Prepare(const std::string& sql);
  Status Run(const std::string& sql, const SqlParams& params, SqlRows* rows);
  // The Status for SQLite result code `rc` (see store.h's error contract).
  Status Error(int rc) const;

  std::string path_;
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace slipway::store
