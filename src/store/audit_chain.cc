// The audit trail's hash chain: the canonical hash of a record and the checks that verify it.
#include <string>

#include "store/sql.h"
#include "store/store.h"
#include "util/sha256.h"

namespace slipway::store {
namespace {

constexpr int kVerifyPageSize = 500;

// Length-prefixed ("<decimal length>:<bytes>"), so that no two different field lists encode
// to the same bytes, whatever the fields contain.
void AddField(Sha256& hash, std::string_view field) {
  std::string prefix = std::to_string(field.size()) + ":";
  hash.Update(prefix);
  hash.Update(field);
}

}  // namespace

std::string AuditHash(const AuditRecord& record) {
  Sha256 hash;
  AddField(hash, "slipway-audit-v1");  // domain separation: a version for the encoding
  AddField(hash, record.prev_hash);
  AddField(hash, std::to_string(record.seq));
  AddField(hash, std::to_string(ToMillis(record.time)));
  AddField(hash, record.actor);
  AddField(hash, record.action);
  AddField(hash, record.target);
  AddField(hash, record.details_json);
  return HexEncode(hash.Final());
}

// A seq gap means deleted records; a prev_hash that is not the previous record's hash means
// records were reordered, inserted or replaced with recomputed hashes; a hash that does not
// match means the record was edited. Removing records from the end of the trail leaves a
// valid, shorter chain; that needs the head's hash kept elsewhere to detect.
Status AuditChainChecker::Check(const AuditRecord& record) {
  std::string at = "audit trail broken at seq " + std::to_string(record.seq) + ": ";
  if (record.seq != expected_seq_) {
    return FailedPrecondition("audit trail broken: seq gap after " +
                              std::to_string(expected_seq_ - 1) + " (the next record is seq " +
                              std::to_string(record.seq) + "): records deleted");
  }
  if (record.prev_hash != prev_hash_) {
    return FailedPrecondition(at + "prev_hash mismatch: it does not name the hash of seq " +
                              std::to_string(record.seq - 1) +
                              " (records reordered, inserted or replaced)");
  }
  if (AuditHash(record) != record.hash) {
    return FailedPrecondition(at + "hash mismatch: the record was edited");
  }
  prev_hash_ = record.hash;
  ++expected_seq_;
  return Status::Ok();
}

Status VerifyAuditChain(Store& store) {
  AuditChainChecker checker;
  for (;;) {
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<AuditRecord> page,
                             store.ListAudit(checker.checked(), kVerifyPageSize));
    if (page.empty()) return Status::Ok();
    for (const AuditRecord& record : page) SLIPWAY_RETURN_IF_ERROR(checker.Check(record));
  }
}

}  // namespace slipway::store
