// SqlStore: the job queue, leases and attempts.
//
// Exactly-once completion: an attempt leaves "running" once, by FinishAttempt (finished) or
// ExpireLeases (lost), each a conditional update under a row lock (PostgreSQL) or the single
// writer (SQLite). Whichever commits first wins; the other sees the new state and is refused.
#include <algorithm>
#include <set>
#include <string>

#include "store/lease_token.h"
#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

std::string AttemptName(int64_t id) { return "attempt " + std::to_string(id); }

// The oldest queued job none of whose runs_on labels is missing from `labels` (and, with
// `required`, whose runs_on has the required label: one more parameter after the labels).
// PostgreSQL locks the row it returns and skips rows other leasers hold, so concurrent
// leasers take different jobs without waiting on each other.
std::string NextJobSql(const Dialect& dialect, size_t n_labels, bool required) {
  std::string sql =
      "SELECT id FROM jobs WHERE status = 'queued' AND NOT EXISTS "
      "(SELECT 1 FROM job_labels WHERE job_labels.job_id = jobs.id";
  if (n_labels > 0) sql += " AND job_labels.label NOT IN (" + Placeholders(n_labels) + ")";
  sql += ")";
  if (required) {
    sql +=
        " AND EXISTS (SELECT 1 FROM job_labels WHERE job_labels.job_id = jobs.id AND "
        "job_labels.label = ?)";
  }
  return sql + " ORDER BY queued, id LIMIT 1" + dialect.for_update_skip_locked;
}

// The lease columns of an attempt, locked for a read-modify-write, checked against `token`.
struct LeaseState {
  int64_t job_id = 0;
  int64_t lease_expires_ms = 0;
};

Result<LeaseState> CheckLease(SqlTx& tx, const Dialect& dialect, int64_t attempt_id,
                              std::string_view token) {
  SLIPWAY_ASSIGN_OR_RETURN(
      SqlRows rows,
      tx.Query(std::string("SELECT job_id, lease_token, lease_expires, finished, lost "
                           "FROM attempts WHERE id = ?") +
                   dialect.for_update,
               {attempt_id}));
  if (rows.empty()) return NotFound(AttemptName(attempt_id) + " not found");
  const SqlRow& row = rows.front();
  if (!TokensEqual(row.Text(1), token)) {
    return FailedPrecondition(AttemptName(attempt_id) + ": the lease token does not match");
  }
  if (row.Int(3) != 0) {
    return FailedPrecondition(AttemptName(attempt_id) + " already finished");
  }
  if (row.Int(4) != 0) {
    return FailedPrecondition(AttemptName(attempt_id) +
                              " lost its lease (it expired before a result came)");
  }
  return LeaseState{row.Int(0), row.Int(2)};
}

}  // namespace

Result<std::optional<Lease>> SqlStore::LeaseJob(const LeaseRequest& request) {
  if (request.lease.count() <= 0) return InvalidArgument("a lease must last longer than 0 ms");
  Time now = StoredTimeOrNow(request.now);
  std::set<std::string> labels(request.labels.begin(), request.labels.end());
  const bool required = !request.required_label.empty();
  std::string next_job_sql = NextJobSql(db_->dialect(), labels.size(), required);
  SqlParams label_params(labels.begin(), labels.end());
  if (required) label_params.push_back(request.required_label);
  SLIPWAY_ASSIGN_OR_RETURN(std::string token, NewLeaseToken());
  std::optional<Lease> lease;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    lease.reset();
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows next, tx.Query(next_job_sql, label_params));
    if (next.empty()) return Status::Ok();
    int64_t job_id = next.front().Int(0);
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows job_rows,
        tx.Query(std::string("UPDATE jobs SET status = 'running', attempts = attempts + 1, "
                             "started = COALESCE(started, ?) WHERE id = ? AND status = 'queued' "
                             "RETURNING ") +
                     kJobColumns,
                 {ToMillis(now), job_id}));
    // The row is locked (or the writer is alone), so it is still queued.
    if (job_rows.empty()) return Internal("queued job " + std::to_string(job_id) + " vanished");
    SLIPWAY_ASSIGN_OR_RETURN(Job job, JobFromRow(job_rows.front()));
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows attempt_rows,
        tx.Query(std::string("INSERT INTO attempts (job_id, run_id, number, agent_id, "
                             "lease_token, lease_expires, started) VALUES (?, ?, ?, ?, ?, ?, ?) "
                             "RETURNING ") +
                     kAttemptColumns,
                 {job.id, job.run_id, int64_t{job.attempts}, request.agent_id, token,
                  ToMillis(now + request.lease), ToMillis(now)}));
    if (attempt_rows.empty()) return Internal("INSERT … RETURNING returned no attempt");
    Attempt attempt = AttemptFromRow(attempt_rows.front());
    SLIPWAY_ASSIGN_OR_RETURN(
        Run run, QueryOne<Run>(tx, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?",
                               {job.run_id}, RunFromRow, "run " + std::to_string(job.run_id)));
    lease = Lease{std::move(job), std::move(run), std::move(attempt)};
    return Status::Ok();
  }));
  return lease;
}

Status SqlStore::RenewLease(int64_t attempt_id, std::string_view token, Time expires, Time now) {
  return Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(LeaseState state, CheckLease(tx, db_->dialect(), attempt_id, token));
    if (state.lease_expires_ms < ToMillis(now)) {
      return FailedPrecondition(AttemptName(attempt_id) +
                                ": the lease already expired; it cannot be renewed");
    }
    return tx
        .Exec("UPDATE attempts SET lease_expires = ? WHERE id = ?", {ToMillis(expires), attempt_id})
        .status();
  });
}

Status SqlStore::FinishAttempt(int64_t attempt_id, std::string_view token,
                               const AttemptResult& result) {
  // A result is late only once ExpireLeases has marked the attempt lost: up to then the
  // lease's holder may still report, and the two race for the attempt's row.
  Time ended = StoredTimeOrNow(result.ended);
  return Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(LeaseState state, CheckLease(tx, db_->dialect(), attempt_id, token));
    SLIPWAY_RETURN_IF_ERROR(
        tx.Exec("UPDATE attempts SET finished = 1, outcome = ?, exit_code = ?, reason = ?, "
                "report_json = ?, ended = ? WHERE id = ?",
                {result.outcome, int64_t{result.exit_code}, result.reason, result.report_json,
                 ToMillis(ended), attempt_id})
            .status());
    // A job the dispatcher already settled (cancelled, say) keeps its status.
    if (result.outcome == "success") {
      return tx
          .Exec(
              "UPDATE jobs SET status = 'settling', outputs_json = ? "
              "WHERE id = ? AND status = 'running'",
              {result.outputs_json, state.job_id})
          .status();
    }
    return tx
        .Exec("UPDATE jobs SET status = 'settling' WHERE id = ? AND status = 'running'",
              {state.job_id})
        .status();
  });
}

Result<std::vector<Attempt>> SqlStore::ExpireLeases(Time now) {
  int64_t now_ms = ToMillis(now);
  std::vector<Attempt> expired;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(std::string("UPDATE attempts SET lost = 1, ended = ?, reason = 'lease expired' "
                             "WHERE finished = 0 AND lost = 0 AND lease_expires < ? RETURNING ") +
                     kAttemptColumns,
                 {now_ms, now_ms}));
    expired.clear();
    for (SqlRow& row : rows) expired.push_back(AttemptFromRow(row));
    std::sort(expired.begin(), expired.end(),
              [](const Attempt& a, const Attempt& b) { return a.id < b.id; });
    for (const Attempt& attempt : expired) {
      SLIPWAY_RETURN_IF_ERROR(
          tx.Exec("UPDATE jobs SET status = 'settling' WHERE id = ? AND status = 'running'",
                  {attempt.job_id})
              .status());
    }
    return Status::Ok();
  }));
  return expired;
}

Result<std::vector<Attempt>> SqlStore::ListAttempts(int64_t job_id) {
  std::vector<Attempt> attempts;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows job, tx.Query("SELECT id FROM jobs WHERE id = ?", {job_id}));
    if (job.empty()) return NotFound("job " + std::to_string(job_id) + " not found");
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows,
                             tx.Query(std::string("SELECT ") + kAttemptColumns +
                                          " FROM attempts WHERE job_id = ? ORDER BY number",
                                      {job_id}));
    attempts.clear();
    for (SqlRow& row : rows) attempts.push_back(AttemptFromRow(row));
    return Status::Ok();
  }));
  return attempts;
}

Result<Attempt> SqlStore::GetAttempt(int64_t attempt_id) {
  std::optional<Attempt> attempt;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        attempt, QueryOne<Attempt>(
                     tx, std::string("SELECT ") + kAttemptColumns + " FROM attempts WHERE id = ?",
                     {attempt_id}, AttemptFromRow, AttemptName(attempt_id)));
    return Status::Ok();
  }));
  return std::move(*attempt);
}

}  // namespace slipway::store
