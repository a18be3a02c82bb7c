#include "store/migrations.h"

#include <chrono>
#include <string>

#include "store/schema.h"

namespace slipway::store {
namespace {

std::string Render(std::string ddl, const Dialect& dialect) {
  const std::pair<std::string, const char*> substitutions[] = {
      {"{id}", dialect.id_column}, {"{int}", dialect.int_type}, {"{blob}", dialect.blob_type}};
  for (const auto& [from, to] : substitutions) {
    for (size_t at = ddl.find(from); at != std::string::npos; at = ddl.find(from, at)) {
      ddl.replace(at, from.size(), to);
    }
  }
  return ddl;
}

Result<int> CurrentVersion(SqlTx& tx, const Dialect& dialect) {
  SLIPWAY_ASSIGN_OR_RETURN(SqlRows exists,
                           tx.Query(dialect.table_exists, {std::string("schema_migrations")}));
  if (exists.empty() || exists[0].Int(0) == 0) return 0;
  SLIPWAY_ASSIGN_OR_RETURN(SqlRows max, tx.Query("SELECT MAX(version) FROM schema_migrations", {}));
  return max.empty() ? 0 : static_cast<int>(max[0].Int(0));
}

Status CheckKnown(int current) {
  if (current <= LatestSchemaVersion()) return Status::Ok();
  return FailedPrecondition("the database's schema is version " + std::to_string(current) +
                            ", newer than this slipway knows (version " +
                            std::to_string(LatestSchemaVersion()) +
                            "): run a slipway at least as new as the one that last opened it");
}

Status Apply(SqlDatabase& db, const Migration& migration) {
  const Dialect& dialect = db.dialect();
  Status status = db.Transact(TxMode::kWrite, [&](SqlTx& tx) -> Status {
    if (*dialect.lock_migrations != '\0') {
      SLIPWAY_RETURN_IF_ERROR(tx.Query(dialect.lock_migrations, {}).status());
    }
    SLIPWAY_RETURN_IF_ERROR(tx.ExecScript(
        Render("CREATE TABLE IF NOT EXISTS schema_migrations (version {int} PRIMARY KEY, "
               "description TEXT NOT NULL, applied {int} NOT NULL)",
               dialect)));
    // Another server may have applied it while we waited for the lock.
    SLIPWAY_ASSIGN_OR_RETURN(int current, CurrentVersion(tx, dialect));
    SLIPWAY_RETURN_IF_ERROR(CheckKnown(current));
    if (current >= migration.version) return Status::Ok();
    SLIPWAY_RETURN_IF_ERROR(tx.ExecScript(Render(migration.ddl, dialect)));
    return tx
        .Exec("INSERT INTO schema_migrations (version, description, applied) VALUES (?, ?, ?)",
              {int64_t{migration.version}, std::string(migration.description),
               ToMillis(std::chrono::system_clock::now())})
        .status();
  });
  return status.WithContext("schema migration " + std::to_string(migration.version) + " (" +
                            migration.description + ")");
}

}  // namespace

int LatestSchemaVersion() { return SchemaMigrations().back().version; }

Status Migrate(SqlDatabase& db) {
  int current = 0;
  SLIPWAY_RETURN_IF_ERROR(db.Transact(TxMode::kRead, [&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(current, CurrentVersion(tx, db.dialect()));
    return Status::Ok();
  }));
  SLIPWAY_RETURN_IF_ERROR(CheckKnown(current));
  for (const Migration& migration : SchemaMigrations()) {
    if (migration.version > current) SLIPWAY_RETURN_IF_ERROR(Apply(db, migration));
  }
  return Status::Ok();
}

}  // namespace slipway::store
