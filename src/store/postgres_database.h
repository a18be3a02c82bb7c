// The PostgreSQL backend's SqlDatabase: a pool of connections for transactions and one
// dedicated connection that holds the leadership advisory locks.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "store/postgres_connection.h"
#include "store/sql.h"

namespace slipway::store {

class PostgresDatabase final : public SqlDatabase {
 public:
  // Connects once (so a wrong URL fails here) and allows up to `pool_size` connections.
  static Result<std::unique_ptr<PostgresDatabase>> Open(const std::string& url, int pool_size);

  const Dialect& dialect() const override { return PostgresDialect(); }
  // kWrite: READ COMMITTED plus the explicit row locks in the SQL (FOR UPDATE, SKIP LOCKED,
  // advisory transaction locks); kRead: REPEATABLE READ, READ ONLY (one snapshot). Retries
  // deadlocks and serialization failures, and a transaction whose BEGIN found the pooled
  // connection dead (nothing ran yet, so running it again on a new connection is safe).
  Status Transact(TxMode mode, const std::function<Status(SqlTx&)>& body) override;
  // pg_try_advisory_lock on the dedicated connection. When that connection dies, every lock
  // it held is gone: the next call for each such name reports false once, then tries to
  // take the lock again on a new connection.
  Result<bool> HoldLeadership(std::string_view name) override;

 private:
  PostgresDatabase(std::string url, int pool_size) : url_(std::move(url)), pool_size_(pool_size) {}

  Result<std::unique_ptr<PgConnection>> Acquire();
  void Release(std::unique_ptr<PgConnection> conn);
  // `began` tells whether BEGIN succeeded (so whether any of `body` may have run).
  Status RunTransaction(PgConnection& conn, TxMode mode, const std::function<Status(SqlTx&)>& body,
                        bool* began);

  const std::string url_;
  const int pool_size_;

  std::mutex pool_mu_;
  std::condition_variable pool_changed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by pool_mu_
  int open_ = 0;  // connections existing, idle or in use; guarded by pool_mu_

  std::mutex leader_mu_;
  std::unique_ptr<PgConnection> leader_;     // guarded by leader_mu_
  std::set<std::string, std::less<>> held_;  // names whose lock leader_ holds
  std::set<std::string, std::less<>> lost_;  // held names whose connection died, not yet told
};

}  // namespace slipway::store
