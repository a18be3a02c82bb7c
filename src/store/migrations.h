// Versioned schema migrations, shared by both backends.
//
// The schema_migrations table records each applied version. Open runs the pending ones in
// order, each in its own transaction together with its row in schema_migrations, so a crash
// leaves the schema at a version boundary. Several servers opening one PostgreSQL database at
// once take turns (an advisory lock). A database whose newest version is unknown to this
// binary is refused, since writing to it could corrupt data a newer slipway relies on.
#pragma once

#include "store/sql.h"

namespace slipway::store {

// The newest schema version this binary knows.
int LatestSchemaVersion();

// Brings the database to LatestSchemaVersion(). A database that is already current is only
// read (so a read-only SQLite file opens). kFailedPrecondition when the database is newer.
Status Migrate(SqlDatabase& db);

}  // namespace slipway::store
