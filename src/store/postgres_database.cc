#include "store/postgres_database.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace slipway::store {
namespace {

constexpr int kMaxTransactionAttempts = 4;

// Leadership locks are (kLeadershipLockSpace, hashtext(name)); see postgres_dialect.cc for
// the store's internal lock space.
constexpr const char* kTryLeadership = "SELECT pg_try_advisory_lock(1397511255, hashtext(?))";

}  // namespace

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const std::string& url,
                                                                 int pool_size) {
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(url, std::clamp(pool_size, 1, 100)));
  SLIPWAY_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(url, "slipway"));
  db->idle_.push_back(std::move(conn));
  db->open_ = 1;
  return db;
}

Result<std::unique_ptr<PgConnection>> PostgresDatabase::Acquire() {
  {
    std::unique_lock lock(pool_mu_);
    pool_changed_.wait(lock, [&] { return !idle_.empty() || open_ < pool_size_; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;  // reserve the slot, connect outside the lock
  }
  auto conn = PgConnection::Connect(url_, "slipway");
  if (!conn.ok()) {
    {
      std::lock_guard lock(pool_mu_);
      --open_;
    }
    pool_changed_.notify_one();
  }
  return conn;
}

void PostgresDatabase::Release(std::unique_ptr<PgConnection> conn) {
  {
    std::lock_guard lock(pool_mu_);
    if (conn->broken()) {
      --open_;  // dropped; the next Acquire connects anew
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  pool_changed_.notify_one();
}

Status PostgresDatabase::RunTransaction(PgConnection& conn, TxMode mode,
                                        const std::function<Status(SqlTx&)>& body, bool* began) {
  *began = false;
  SLIPWAY_RETURN_IF_ERROR(conn.ExecScript(
      mode == TxMode::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN"));
  *began = true;
  Status status;
  try {
    status = body(conn);
  } catch (const std::exception& e) {
    status = Internal(std::string("unexpected exception in a PostgreSQL transaction: ") + e.what());
  }
  if (status.ok()) return conn.Commit();
  if (!conn.broken()) (void)conn.ExecScript("ROLLBACK");
  return status;
}

Status PostgresDatabase::Transact(TxMode mode, const std::function<Status(SqlTx&)>& body) {
  Status status;
  for (int attempt = 1; attempt <= kMaxTransactionAttempts; ++attempt) {
    SLIPWAY_ASSIGN_OR_RETURN(auto conn, Acquire());
    bool began = false;
    status = RunTransaction(*conn, mode, body, &began);
    bool retry = !status.ok() && (conn->last_error_retryable() || (!began && conn->broken()));
    Release(std::move(conn));
    if (!retry) break;
  }
  return status;
}

Result<bool> PostgresDatabase::HoldLeadership(std::string_view name) {
  std::lock_guard lock(leader_mu_);
  auto forget_connection = [&] {
    leader_.reset();
    lost_.insert(held_.begin(), held_.end());
    held_.clear();
  };
  if (leader_ != nullptr && held_.contains(name)) {
    // Still ours exactly as long as the session that took the lock is alive.
    if (leader_->Query("SELECT 1", {}).ok()) return true;
    forget_connection();
  }
  if (auto it = lost_.find(name); it != lost_.end()) {
    lost_.erase(it);
    return false;
  }
  // A connection that died while idle shows only when used: then reconnect once and retry.
  for (int attempt = 1;; ++attempt) {
    if (leader_ == nullptr) {
      SLIPWAY_ASSIGN_OR_RETURN(leader_, PgConnection::Connect(url_, "slipway-leader"));
    }
    auto rows = leader_->Query(kTryLeadership, {std::string(name)});
    if (rows.ok()) {
      bool acquired = !rows->empty() && rows->front().Int(0) == 1;
      if (acquired) held_.emplace(name);
      return acquired;
    }
    if (!leader_->broken() || attempt == 2) return rows.status();
    forget_connection();
  }
}

}  // namespace slipway::store
