// The logical schema, as the DDL of each migration. Written once for both backends: {id},
// {int} and {blob} stand for the dialect's types (Dialect in sql.h).
#pragma once

#include <span>

namespace slipway::store {

struct Migration {
  int version;  // 1, 2, 3… in order, never renumbered once released
  const char* description;
  const char* ddl;  // `;`-separated statements
};

std::span<const Migration> SchemaMigrations();

}  // namespace slipway::store
