// SQLite's side of the dialect differences (see Dialect in sql.h).
#include "store/sql.h"

namespace slipway::store {

const Dialect& SqliteDialect() {
  static const Dialect kDialect{
      .name = "sqlite",
      // AUTOINCREMENT: without it SQLite may hand out the id of a deleted last row again.
      .id_column = "INTEGER PRIMARY KEY AUTOINCREMENT",
      .int_type = "INTEGER",
      .blob_type = "BLOB",
      // One writer connection, behind a mutex, with BEGIN IMMEDIATE: transactions that write
      // never interleave, so no row locks are needed.
      .for_update = "",
      .for_update_skip_locked = "",
      .lock_audit_chain = "",
      .lock_migrations = "",
      .lock_alerts = "",
      .table_exists = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
  };
  return kDialect;
}

}  // namespace slipway::store
