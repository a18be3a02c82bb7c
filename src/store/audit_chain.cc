// The audit trail's hash chain: the canonical hash of a record and the walk that verifies it.
#include <string>

#include "store/sql.h"
#include "store/store.h"
#include "util/sha256.h"

namespace slipway::store {
namespace {

constexpr int kVerifyPageSize = 500;
const std::string kGenesisHash(64, '0');

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

// Checks, per record in seq order: the seq follows (a gap means deleted records), prev_hash
// is the previous record's hash (a mismatch means records were reordered, inserted or
// replaced with recomputed hashes), and the record's own hash (a mismatch means it was
// edited). Removing records from the end of the trail leaves a valid, shorter chain; that
// needs the head's hash kept elsewhere to detect.
Status VerifyAuditChain(Store& store) {
  int64_t expected_seq = 1;
  std::string prev_hash = kGenesisHash;
  for (;;) {
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<AuditRecord> page,
                             store.ListAudit(expected_seq - 1, kVerifyPageSize));
    if (page.empty()) return Status::Ok();
    for (const AuditRecord& record : page) {
      std::string at = "audit trail broken at seq " + std::to_string(record.seq) + ": ";
      if (record.seq != expected_seq) {
        return FailedPrecondition("audit trail broken: seq gap after " +
                                  std::to_string(expected_seq - 1) + " (the next record is seq " +
                                  std::to_string(record.seq) + "): records deleted");
      }
      if (record.prev_hash != prev_hash) {
        return FailedPrecondition(at + "prev_hash mismatch: it does not name the hash of seq " +
                                  std::to_string(record.seq - 1) +
                                  " (records reordered, inserted or replaced)");
      }
      if (AuditHash(record) != record.hash) {
        return FailedPrecondition(at + "hash mismatch: the record was edited");
      }
      prev_hash = record.hash;
      ++expected_seq;
    }
  }
}

}  // namespace slipway::store
