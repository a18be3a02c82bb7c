// Open: picks the backend from the URL, connects and migrates.
#include <memory>
#include <string>

#include "store/migrations.h"
#include "store/postgres_database.h"
#include "store/sql_store.h"
#include "store/sqlite_database.h"

namespace slipway::store {
namespace {

// Reader connections of an SQLite database: enough for the HTTP handlers' concurrent reads;
// each is a file descriptor and a page cache.
constexpr int kSqliteReaders = 4;

Result<std::unique_ptr<SqlDatabase>> Connect(const OpenOptions& options) {
  const std::string& url = options.url;
  if (url.empty()) return InvalidArgument("no database given");
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    SLIPWAY_ASSIGN_OR_RETURN(auto db, PostgresDatabase::Open(url, options.pool_size));
    return std::unique_ptr<SqlDatabase>(std::move(db));
  }
  std::string path = url;
  if (url.starts_with("sqlite://")) {
    path = url.substr(std::string_view("sqlite://").size());
  } else if (url.find("://") != std::string::npos) {
    return InvalidArgument("unsupported database URL \"" + url +
                           "\": use a file path, sqlite:///path or postgres://…");
  }
  if (path.empty()) return InvalidArgument("database URL \"" + url + "\" names no file");
  SLIPWAY_ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(path, kSqliteReaders));
  return std::unique_ptr<SqlDatabase>(std::move(db));
}

}  // namespace

Result<std::unique_ptr<Store>> Open(const OpenOptions& options) {
  SLIPWAY_ASSIGN_OR_RETURN(std::unique_ptr<SqlDatabase> db, Connect(options));
  SLIPWAY_RETURN_IF_ERROR(Migrate(*db));
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(db)));
}

}  // namespace slipway::store
