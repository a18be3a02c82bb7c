// SqlStore: a run's status as the dispatcher and a cancel request change it. Both write from
// what they read a moment before, so each write is conditional on the stored row (see
// Store::UpdateRun and Store::RequestCancel for the rules and why).
#include <string>

#include "store/enum_names.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

std::string RunName(int64_t id) { return "run " + std::to_string(id); }

bool Finished(RunStatus status) {
  return status != RunStatus::kQueued && status != RunStatus::kRunning;
}

// The run's stored status and cancel flag, or kNotFound.
Result<std::pair<RunStatus, bool>> StoredState(SqlTx& tx, int64_t run_id) {
  SLIPWAY_ASSIGN_OR_RETURN(
      SqlRows rows, tx.Query("SELECT status, cancel_requested FROM runs WHERE id = ?", {run_id}));
  if (rows.empty()) return NotFound(RunName(run_id) + " not found");
  std::optional<RunStatus> status = ParseRunStatus(rows.front().Text(0));
  if (!status) return Internal(RunName(run_id) + " has an unknown status in the database");
  return std::make_pair(*status, rows.front().Int(1) != 0);
}

}  // namespace

Status SqlStore::UpdateRun(const Run& run) {
  // Finishing the run from a copy that did not see a cancel request is the one write the flag
  // guards: anything else (starting it, raising the flag) is right whatever came meanwhile.
  const bool knows_of_cancel = run.cancel_requested || !Finished(run.status);
  return Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        int64_t changed,
        tx.Exec("UPDATE runs SET status = ?, started = ?, finished = ?, error = ?, "
                "cancel_requested = CASE WHEN ? = 1 THEN 1 ELSE cancel_requested END "
                "WHERE id = ? AND status IN ('queued', 'running') "
                "AND (cancel_requested = 0 OR ? = 1)",
                {std::string(RunStatusText(run.status)), OptionalMillis(run.started),
                 OptionalMillis(run.finished), run.error, int64_t{run.cancel_requested}, run.id,
                 int64_t{knows_of_cancel}}));
    if (changed == 1) return Status::Ok();
    SLIPWAY_ASSIGN_OR_RETURN(auto stored, StoredState(tx, run.id));
    if (Finished(stored.first)) {
      return FailedPrecondition(RunName(run.id) + " already finished (" +
                                RunStatusText(stored.first) + ")");
    }
    return FailedPrecondition(RunName(run.id) +
                              ": a cancel was requested since it was read; read it again");
  });
}

Result<CancelOutcome> SqlStore::RequestCancel(int64_t run_id) {
  CancelOutcome outcome = CancelOutcome::kRequested;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(int64_t changed,
                             tx.Exec("UPDATE runs SET cancel_requested = 1 WHERE id = ? "
                                     "AND status IN ('queued', 'running') AND cancel_requested = 0",
                                     {run_id}));
    if (changed == 1) {
      outcome = CancelOutcome::kRequested;
      return Status::Ok();
    }
    SLIPWAY_ASSIGN_OR_RETURN(auto stored, StoredState(tx, run_id));
    outcome = Finished(stored.first) ? CancelOutcome::kFinished : CancelOutcome::kAlreadyRequested;
    return Status::Ok();
  }));
  return outcome;
}

}  // namespace slipway::store
