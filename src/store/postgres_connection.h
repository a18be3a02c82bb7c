// One PostgreSQL connection (libpq) with its named prepared statements. While the owner holds
// a transaction open on it, the connection is that transaction's SqlTx.
//
// Parameters go as text (integers) or binary (strings, bytes); results come back in binary
// format and are decoded by column type, so bytes need no escaping either way.
//
// Thread-safety: none; PostgresDatabase hands a connection to one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

struct pg_conn;
struct pg_result;

namespace slipway::store {

class PgConnection final : public SqlTx {
 public:
  // `url`: a libpq connection URI or key=value string. `application_name` shows in
  // pg_stat_activity (URL settings win).
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url,
                                                       const std::string& application_name);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Result<SqlRows> Query(const std::string& sql, const SqlParams& params) override;
  Result<int64_t> Exec(const std::string& sql, const SqlParams& params) override;
  // Simple-query protocol: several statements, no parameters, also outside a transaction
  // (CREATE DATABASE).
  Status ExecScript(const std::string& sql) override;
  // COMMIT, failing when the server rolled back instead (an earlier statement failed).
  Status Commit();

  // The connection failed (server gone, backend terminated): it must be replaced.
  bool broken() const { return broken_; }
  // The last error was a deadlock or serialization failure: the transaction may be retried.
  bool last_error_retryable() const { return retryable_; }

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}

  Result<std::string> Prepare(const std::string& sql);
  Status Run(const std::string& sql, const SqlParams& params, SqlRows* rows, int64_t* changed);
  // The Status for a failed result (or none: the connection broke), per store.h's contract.
  Status Error(pg_result* result);

  pg_conn* conn_;
  std::unordered_map<std::string, std::string> statements_;  // SQL text → statement name
  int64_t next_statement_ = 0;
  bool broken_ = false;
  bool retryable_ = false;
};

// `sql` with each `?` outside quotes replaced by $1, $2, …
std::string NumberPlaceholders(const std::string& sql);

}  // namespace slipway::store
