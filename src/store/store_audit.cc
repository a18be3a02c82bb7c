// SqlStore: appending to and listing the audit trail (the chain itself: audit_chain.cc).
#include <algorithm>
#include <string>

#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

constexpr int kMaxAuditPage = 1000;

}  // namespace

Result<AuditRecord> SqlStore::AppendAudit(const AuditRecord& record) {
  AuditRecord r = record;
  r.time = StoredTimeOrNow(r.time);
  if (r.details_json.empty()) r.details_json = "{}";
  const Dialect& dialect = db_->dialect();
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    // Appenders take turns from here to commit, so each one reads the committed last record
    // and the chain stays linear.
    if (*dialect.lock_audit_chain != '\0') {
      SLIPWAY_RETURN_IF_ERROR(tx.Query(dialect.lock_audit_chain, {}).status());
    }
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows last,
                             tx.Query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", {}));
    r.seq = last.empty() ? 1 : last.front().Int(0) + 1;
    r.prev_hash = last.empty() ? std::string(64, '0') : last.front().Text(1);
    r.hash = AuditHash(r);
    return tx
        .Exec(
            "INSERT INTO audit (seq, time_ms, actor, action, target, details_json, prev_hash, "
            "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {r.seq, ToMillis(r.time), r.actor, r.action, r.target, r.details_json, r.prev_hash,
             r.hash})
        .status();
  }));
  return r;
}

Result<std::vector<AuditRecord>> SqlStore::ListAudit(int64_t after_seq, int limit) {
  limit = std::clamp(limit, 1, kMaxAuditPage);
  std::vector<AuditRecord> records;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows,
                             tx.Query(std::string("SELECT ") + kAuditColumns +
                                          " FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
                                      {after_seq, int64_t{limit}}));
    records.clear();
    for (SqlRow& row : rows) records.push_back(AuditFromRow(row));
    return Status::Ok();
  }));
  return records;
}

}  // namespace slipway::store
