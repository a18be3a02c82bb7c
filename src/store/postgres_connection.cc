#include "store/postgres_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace slipway::store {
namespace {

// Bounded like SQLite's cache: LeaseJob's text varies with the number of agent labels.
constexpr size_t kMaxPreparedStatements = 256;

// Type OIDs (pg_type.h) of the columns the store reads.
constexpr Oid kBoolOid = 16, kByteaOid = 17, kCharOid = 18, kNameOid = 19, kInt8Oid = 20,
              kInt2Oid = 21, kInt4Oid = 23, kTextOid = 25, kOidOid = 26, kBpcharOid = 1042,
              kVarcharOid = 1043, kVoidOid = 2278;

class ResultHolder {
 public:
  explicit ResultHolder(PGresult* result) : result_(result) {}
  ~ResultHolder() { PQclear(result_); }
  ResultHolder(const ResultHolder&) = delete;
  ResultHolder& operator=(const ResultHolder&) = delete;
  PGresult* get() const { return result_; }

 private:
  PGresult* result_;
};

uint64_t BigEndian(const char* bytes, int size) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

Result<SqlValue> Decode(const PGresult* result, int row, int col) {
  if (PQgetisnull(result, row, col)) return SqlValue(SqlNull{});
  const char* v = PQgetvalue(result, row, col);
  int size = PQgetlength(result, row, col);
  switch (PQftype(result, col)) {
    case kInt8Oid:
      return SqlValue(static_cast<int64_t>(BigEndian(v, 8)));
    case kInt4Oid:
      return SqlValue(static_cast<int64_t>(static_cast<int32_t>(BigEndian(v, 4))));
    case kInt2Oid:
      return SqlValue(static_cast<int64_t>(static_cast<int16_t>(BigEndian(v, 2))));
    case kOidOid:
      return SqlValue(static_cast<int64_t>(BigEndian(v, 4)));
    case kBoolOid:
      return SqlValue(static_cast<int64_t>(v[0] != 0 ? 1 : 0));
    case kByteaOid:
      return SqlValue(Blob{std::string(v, size)});
    case kTextOid:
    case kVarcharOid:
    case kNameOid:
    case kCharOid:
    case kBpcharOid:
      return SqlValue(std::string(v, size));
    case kVoidOid:
      return SqlValue(SqlNull{});
    default:
      return Internal("PostgreSQL column \"" + std::string(PQfname(result, col)) +
                      "\" has a type (oid " + std::to_string(PQftype(result, col)) +
                      ") the store does not read");
  }
}

std::string TrimmedMessage(const char* message) {
  std::string m = message != nullptr ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

std::string NumberPlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_quotes = false;
  for (char c : sql) {
    if (c == '\'') in_quotes = !in_quotes;
    if (c == '?' && !in_quotes) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url,
                                                            const std::string& application_name) {
  // Defaults first, then the URL (expand_dbname), whose settings win; the encoding last because
  // strings are sent and received as UTF-8 bytes.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                        nullptr};
  const char* values[] = {"10", application_name.c_str(), url.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Unavailable("cannot connect to PostgreSQL: out of memory");
  std::unique_ptr<PgConnection> c(new PgConnection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return Unavailable("cannot connect to PostgreSQL: " + TrimmedMessage(PQerrorMessage(conn)));
  }
  // NOTICEs ("relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return c;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<std::string> PgConnection::Prepare(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  if (statements_.size() >= kMaxPreparedStatements) {
    SLIPWAY_RETURN_IF_ERROR(ExecScript("DEALLOCATE ALL"));
    statements_.clear();
  }
  std::string name = "s" + std::to_string(next_statement_++);
  ResultHolder result(PQprepare(conn_, name.c_str(), NumberPlaceholders(sql).c_str(), 0, nullptr));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return Error(result.get());
  statements_.emplace(sql, name);
  return name;
}

Status PgConnection::Run(const std::string& sql, const SqlParams& params, SqlRows* rows,
                         int64_t* changed) {
  retryable_ = false;
  SLIPWAY_ASSIGN_OR_RETURN(std::string name, Prepare(sql));
  std::vector<std::string> numbers;  // text of integer parameters, kept alive for the call
  numbers.reserve(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size()), formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const SqlValue& p = params[i];
    if (const int64_t* n = std::get_if<int64_t>(&p)) {
      numbers.push_back(std::to_string(*n));
      values[i] = numbers.back().c_str();  // text format: NUL-terminated
    } else if (const std::string* s = std::get_if<std::string>(&p)) {
      values[i] = s->data(), lengths[i] = static_cast<int>(s->size()), formats[i] = 1;
    } else if (const Blob* b = std::get_if<Blob>(&p)) {
      values[i] = b->bytes.data(), lengths[i] = static_cast<int>(b->bytes.size()), formats[i] = 1;
    }
  }
  ResultHolder result(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                                     values.data(), lengths.data(), formats.data(),
                                     /*resultFormat=*/1));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return Error(result.get());
  if (changed != nullptr) {
    const char* tuples = PQcmdTuples(result.get());
    *changed = std::strtoll(tuples, nullptr, 10);  // "" (not a DML statement): 0
  }
  if (rows == nullptr) return Status::Ok();
  int n_rows = PQntuples(result.get()), n_cols = PQnfields(result.get());
  rows->reserve(n_rows);
  for (int r = 0; r < n_rows; ++r) {
    std::vector<SqlValue> row;
    row.reserve(n_cols);
    for (int c = 0; c < n_cols; ++c) {
      SLIPWAY_ASSIGN_OR_RETURN(SqlValue v, Decode(result.get(), r, c));
      row.push_back(std::move(v));
    }
    rows->emplace_back(std::move(row));
  }
  return Status::Ok();
}

Result<SqlRows> PgConnection::Query(const std::string& sql, const SqlParams& params) {
  SqlRows rows;
  SLIPWAY_RETURN_IF_ERROR(Run(sql, params, &rows, nullptr));
  return rows;
}

Result<int64_t> PgConnection::Exec(const std::string& sql, const SqlParams& params) {
  int64_t changed = 0;
  SLIPWAY_RETURN_IF_ERROR(Run(sql, params, nullptr, &changed));
  return changed;
}

Status PgConnection::ExecScript(const std::string& sql) {
  retryable_ = false;
  ResultHolder result(PQexec(conn_, sql.c_str()));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return Error(result.get());
  return Status::Ok();
}

Status PgConnection::Commit() {
  retryable_ = false;
  ResultHolder result(PQexec(conn_, "COMMIT"));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return Error(result.get());
  if (std::strcmp(PQcmdStatus(result.get()), "COMMIT") != 0) {
    return Internal("PostgreSQL rolled the transaction back instead of committing it");
  }
  return Status::Ok();
}

Status PgConnection::Error(pg_result* result) {
  std::string message = TrimmedMessage(result != nullptr ? PQresultErrorMessage(result) : "");
  if (message.empty()) message = TrimmedMessage(PQerrorMessage(conn_));
  const char* field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = field != nullptr ? field : "";
  // Errors libpq makes up itself carry no SQLSTATE: the connection broke ("server closed the
  // connection unexpectedly", "no connection to the server"), though PQstatus may not say so
  // until the next call.
  if (PQstatus(conn_) == CONNECTION_BAD || state.empty()) {
    broken_ = true;
    return Unavailable("lost the connection to PostgreSQL: " + message);
  }
  std::string cls = state.substr(0, 2);
  if (state == "23505") return AlreadyExists(message);
  if (state == "23503") return NotFound("a referenced row is missing");
  if (state == "40001" || state == "40P01") {
    retryable_ = true;
    return Unavailable("PostgreSQL: " + message);
  }
  // Connection exceptions; the server shutting down or terminating this backend.
  if (cls == "08" || state.starts_with("57P")) {
    broken_ = true;
    return Unavailable("PostgreSQL connection failed: " + message);
  }
  if (state == "25006") return Unavailable("the PostgreSQL database is read-only: " + message);
  if (cls == "53" || cls == "58") return Unavailable("PostgreSQL: " + message);  // disk full, I/O
  if (cls == "22" || cls == "23") return InvalidArgument("PostgreSQL: " + message);
  return Internal("PostgreSQL: " + message + " (SQLSTATE " + state + ")");
}

}  // namespace slipway::store
