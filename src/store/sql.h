// The narrow SQL seam under SqlStore: values, rows, a transaction and a database. SQLite and
// PostgreSQL each implement SqlTx and SqlDatabase; everything above this seam (the Store
// methods, migrations) is written once against it.
//
// Statements use `?` placeholders in both backends (PostgreSQL's are rewritten to $n). Booleans
// are stored as integers 0/1 and times as milliseconds since the Unix epoch, so one SQL text
// serves both dialects; what cannot be shared lives in Dialect.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace slipway::store {

// Bytes stored as a BLOB / BYTEA (a std::string parameter is TEXT).
struct Blob {
  std::string bytes;
};

using SqlNull = std::monostate;
using SqlValue = std::variant<SqlNull, int64_t, std::string, Blob>;
using SqlParams = std::vector<SqlValue>;

// One result row. Accessors are lenient about NULL (0 / "") because the schema marks every
// column the code reads without a default NOT NULL; OptionalInt is for the nullable ones.
class SqlRow {
 public:
  explicit SqlRow(std::vector<SqlValue> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<SqlNull>(values_.at(i)); }
  int64_t Int(size_t i) const;
  std::optional<int64_t> OptionalInt(size_t i) const;
  // Text or blob bytes; "" for NULL.
  const std::string& Text(size_t i) const;
  std::string TakeText(size_t i);

 private:
  std::vector<SqlValue> values_;
};

using SqlRows = std::vector<SqlRow>;

// One open transaction. Not thread-safe: used by the thread that runs the transaction body.
class SqlTx {
 public:
  virtual ~SqlTx() = default;
  // Runs one statement and returns its rows (for SELECT and … RETURNING).
  virtual Result<SqlRows> Query(const std::string& sql, const SqlParams& params) = 0;
  // Runs one statement and returns how many rows it inserted, updated or deleted.
  virtual Result<int64_t> Exec(const std::string& sql, const SqlParams& params) = 0;
  // Runs several `;`-separated statements without parameters (DDL of migrations).
  virtual Status ExecScript(const std::string& sql) = 0;
};

// What differs between the dialects. One instance per backend (sqlite_dialect.cc,
// postgres_dialect.cc); the shared SQL splices these in.
struct Dialect {
  const char* name;  // "sqlite" | "postgres"
  // DDL: replaces {id}, {int} and {blob} in migrations.
  const char* id_column;  // an auto-assigned 64-bit primary key that never reuses a value
  const char* int_type;   // a 64-bit integer
  const char* blob_type;  // bytes
  // Appended to a SELECT in a read-modify-write transaction to lock the rows it returns.
  // PostgreSQL runs writers concurrently; SQLite has one writer at a time, so "" there.
  const char* for_update;
  // Appended to the queue's SELECT … LIMIT 1 so concurrent leasers skip each other's rows.
  const char* for_update_skip_locked;
  // Run first in a transaction that appends to the audit chain / applies migrations, so that
  // concurrent transactions from several servers queue up ("" when the single writer does).
  const char* lock_audit_chain;
  const char* lock_migrations;
  const char* lock_alerts;  // RecordAlerts: one batch at a time decides about incidents
  // SELECT returning one count: whether the table named by the only parameter exists.
  const char* table_exists;
};

const Dialect& SqliteDialect();
const Dialect& PostgresDialect();

enum class TxMode { kRead, kWrite };

// A database: connections, transactions and leadership. Thread-safe.
class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  virtual const Dialect& dialect() const = 0;
  // Runs `body` in one transaction, committed when it returns OK and rolled back otherwise.
  // kRead transactions see one consistent snapshot and must not write. The body may run more
  // than once when the database asks for a retry (a PostgreSQL deadlock or serialization
  // failure), so it must not have effects outside the transaction besides its result.
  virtual Status Transact(TxMode mode, const std::function<Status(SqlTx&)>& body) = 0;
  // See Store::HoldLeadership.
  virtual Result<bool> HoldLeadership(std::string_view name) = 0;
};

// Times as stored: milliseconds since the Unix epoch.
int64_t ToMillis(Time time);
Time FromMillis(int64_t millis);
SqlValue OptionalMillis(const std::optional<Time>& time);
std::optional<Time> OptionalTime(const SqlRow& row, size_t i);

// `time` when set, else now; truncated to what is stored (milliseconds).
Time StoredTimeOrNow(Time time);

}  // namespace slipway::store
