// Each returned struct's columns, in SELECT order, and its decoder from a row. A decoder fails
// (kInternal) only on a value this binary never writes, such as an unknown status name.
#pragma once

#include <string>
#include <vector>

#include "store/sql.h"
#include "store/store.h"

namespace slipway::store {

extern const char kProjectColumns[];
extern const char kRunColumns[];
extern const char kJobColumns[];
extern const char kAttemptColumns[];
extern const char kAgentColumns[];
extern const char kTokenColumns[];
extern const char kAuditColumns[];

Project ProjectFromRow(SqlRow& row);
Result<Run> RunFromRow(SqlRow& row);
Result<Job> JobFromRow(SqlRow& row);
Attempt AttemptFromRow(SqlRow& row);
Result<Agent> AgentFromRow(SqlRow& row);
Result<Token> TokenFromRow(SqlRow& row);
AuditRecord AuditFromRow(SqlRow& row);

// Decodes every row with `decode` (one of the above).
template <typename T, typename Decode>
Result<std::vector<T>> DecodeRows(SqlRows& rows, Decode decode) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (SqlRow& row : rows) {
    Result<T> item = decode(row);
    if (!item.ok()) return item.status();
    out.push_back(std::move(item).value());
  }
  return out;
}

// The strings of a JSON array of strings; kInvalidArgument naming `what` otherwise.
Result<std::vector<std::string>> ParseStringArray(const std::string& json, const std::string& what);
std::string StringArrayJson(const std::vector<std::string>& items);

}  // namespace slipway::store
