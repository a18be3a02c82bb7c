// Small helpers the store_*.cc files share for the common shapes of a statement's result.
#pragma once

#include <string>

#include "store/sql.h"

namespace slipway::store {

// The single row `sql` returns decoded with `decode`, or kNotFound("<what> not found").
template <typename T, typename Decode>
Result<T> QueryOne(SqlTx& tx, const std::string& sql, const SqlParams& params, Decode decode,
                   const std::string& what) {
  SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(sql, params));
  if (rows.empty()) return NotFound(what + " not found");
  return Result<T>(decode(rows.front()));
}

// The id an INSERT … RETURNING id produced.
inline Result<int64_t> ReturnedId(const SqlRows& rows) {
  if (rows.empty()) return Internal("INSERT … RETURNING returned no row");
  return rows.front().Int(0);
}

// kNotFound("<what> not found") when an UPDATE or DELETE changed no row.
inline Status RequireChanged(const Result<int64_t>& changed, const std::string& what) {
  if (!changed.ok()) return changed.status();
  if (*changed == 0) return NotFound(what + " not found");
  return Status::Ok();
}

// "a, b, c" → "?, ?, ?" for `n` placeholders.
inline std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

}  // namespace slipway::store
