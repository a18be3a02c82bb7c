#include "store/sqlite_connection.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace slipway::store {
namespace {

// Statements are cached by their text. Nearly all are constants; LeaseJob's text varies with
// the number of agent labels, so the cache is bounded and simply starts over when full.
constexpr size_t kMaxCachedStatements = 256;

// How long a connection waits for another process's lock before giving up with SQLITE_BUSY
// (kUnavailable). Inside one process the writer mutex already serialises writers.
constexpr int kBusyTimeoutMs = 5000;

// Resets a statement after use so that it releases its read snapshot and bindings, also when
// stepping failed.
class StatementReset {
 public:
  explicit StatementReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

int Bind(sqlite3_stmt* stmt, int index, const SqlValue& value) {
  if (const int64_t* n = std::get_if<int64_t>(&value)) {
    return sqlite3_bind_int64(stmt, index, *n);
  }
  // SQLITE_STATIC: the parameters outlive the statement's execution (Run holds them).
  if (const std::string* s = std::get_if<std::string>(&value)) {
    return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  if (const Blob* b = std::get_if<Blob>(&value)) {
    return sqlite3_bind_blob64(stmt, index, b->bytes.data(), b->bytes.size(), SQLITE_STATIC);
  }
  return sqlite3_bind_null(stmt, index);
}

SqlValue Column(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return std::string(text, sqlite3_column_bytes(stmt, i));
    }
    case SQLITE_BLOB: {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      int size = sqlite3_column_bytes(stmt, i);
      return Blob{data == nullptr ? std::string() : std::string(data, size)};
    }
    default:
      return SqlNull{};
  }
}

// The cause of an I/O error when it is a file that cannot be written: a read-only file
// system, an immutable or read-only file. SQLite does not keep the errno of a failed write, so
// the database and its write-ahead log are probed with access(2), which sees all three (also
// for root, whom file modes do not stop). OK when both can be written.
Status WriteRefused(const std::string& path, const std::string& where) {
  for (const std::string& file : {path, path + "-wal"}) {
    if (::access(file.c_str(), W_OK) == 0) continue;
    const int error = errno;
    if (error == ENOENT) continue;  // no write-ahead log yet
    return Unavailable(where + " is read-only: " + file + " cannot be written (" +
                       std::strerror(error) + "); reads still work");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 Role role) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (role == Role::kWriter) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // The handle exists (and must be closed) even when opening failed.
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(path, db));
  if (db == nullptr) return Unavailable("cannot open SQLite database " + path + ": out of memory");
  sqlite3_extended_result_codes(db, 1);
  if (rc != SQLITE_OK) return conn->Error(rc);
  SLIPWAY_RETURN_IF_ERROR(conn->Configure(role));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Configure(Role role) {
  SLIPWAY_RETURN_IF_ERROR(
      ExecScript("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs) + ";"));
  if (role == Role::kReader) return ExecScript("PRAGMA query_only = ON;");
  // WAL lets the readers go on while the writer writes. The mode is stored in the file, so on
  // a read-only file that is already in WAL mode this writes nothing.
  SLIPWAY_ASSIGN_OR_RETURN(SqlRows mode, Query("PRAGMA journal_mode = WAL", {}));
  // Durability: synchronous=NORMAL in WAL mode appends each commit to the WAL with write(2)
  // before COMMIT returns and fsyncs only at checkpoints. A crash of this process (kill -9)
  // therefore loses nothing that was acknowledged: the bytes are in the kernel's page cache
  // and reach the file. Only a power loss or kernel crash can lose the last transactions
  // (never corrupting the file). FULL would add an fsync to every commit, costing the
  // dispatcher milliseconds per job on ordinary disks; the promise the server makes (issue:
  // kill -9 loses nothing acknowledged) is kept by NORMAL.
  return ExecScript("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
}

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Result<sqlite3_stmt*> SqliteConnection::Prepare(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  if (statements_.size() >= kMaxCachedStatements) {
    for (auto& [text, stmt] : statements_) sqlite3_finalize(stmt);
    statements_.clear();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc).WithContext("preparing \"" + sql + "\"");
  statements_.emplace(sql, stmt);
  return stmt;
}

Status SqliteConnection::Run(const std::string& sql, const SqlParams& params, SqlRows* rows) {
  SLIPWAY_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  StatementReset reset(stmt);
  for (size_t i = 0; i < params.size(); ++i) {
    int rc = Bind(stmt, static_cast<int>(i + 1), params[i]);
    if (rc != SQLITE_OK) return Error(rc);
  }
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Error(rc);
    if (rows == nullptr) continue;
    int n = sqlite3_column_count(stmt);
    std::vector<SqlValue> values;
    values.reserve(n);
    for (int i = 0; i < n; ++i) values.push_back(Column(stmt, i));
    rows->emplace_back(std::move(values));
  }
}

Result<SqlRows> SqliteConnection::Query(const std::string& sql, const SqlParams& params) {
  SqlRows rows;
  SLIPWAY_RETURN_IF_ERROR(Run(sql, params, &rows));
  return rows;
}

Result<int64_t> SqliteConnection::Exec(const std::string& sql, const SqlParams& params) {
  SLIPWAY_RETURN_IF_ERROR(Run(sql, params, nullptr));
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Status SqliteConnection::ExecScript(const std::string& sql) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc);
}

Status SqliteConnection::Error(int rc) const {
  std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string where = "SQLite database " + path_;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists(detail);
      }
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return NotFound("a referenced row is missing");
      return InvalidArgument(detail);
    case SQLITE_FULL:
      return Unavailable(where + " cannot grow: the disk (or the database) is full (" + detail +
                         "); reads still work");
    case SQLITE_READONLY:
      return Unavailable(where + " is read-only (" + detail + "); reads still work");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(where + " is locked by another process (" + detail + ")");
    case SQLITE_IOERR:
      if (Status why = WriteRefused(path_, where); !why.ok()) return why;
      return Unavailable(where + ": " + detail);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
      return Unavailable(where + ": " + detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return FailedPrecondition(where + " is damaged or not a database: " + detail);
    default:
      return Internal(where + ": " + detail);
  }
}

}  // namespace slipway::store
