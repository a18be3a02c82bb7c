// SqlStore: appending to and listing the audit trail (the chain itself: audit_chain.cc).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

constexpr int kMaxAuditPage = 1000;

// The one text a record's details are stored and hashed as: compact, keys sorted (nlohmann's
// object is ordered), strings as UTF-8. Clients re-verify the hash from the stored text the API
// returns; storing one form also means equal details always hash alike.
Result<std::string> CanonicalDetails(const std::string& details_json) {
  if (details_json.empty()) return std::string("{}");
  const nlohmann::json doc = nlohmann::json::parse(details_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgument("audit details must be a JSON object: " + details_json.substr(0, 80));
  }
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<AuditRecord> SqlStore::AppendAudit(const AuditRecord& record) {
  AuditRecord r = record;
  r.time = StoredTimeOrNow(r.time);
  SLIPWAY_ASSIGN_OR_RETURN(r.details_json, CanonicalDetails(record.details_json));
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
