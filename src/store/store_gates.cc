// SqlStore: release gates — decisions, approvals of deploys, emergency exemptions.
#include <algorithm>

#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

constexpr char kDecisionColumns[] =
    "id, project, environment, deploy_id, run_id, decision, input_json, input_digest, "
    "result_json, exemption_id, decided_at, step";
constexpr char kApprovalColumns[] =
    "id, project, environment, deploy_id, approver, role, approved, comment, at";
constexpr char kExemptionColumns[] =
    "id, project, environment, requested_by, justification, created, expires, "
    "needs_second_approval, approved_by, approved_at";

Result<GateDecision> DecisionFromRow(SqlRow& row) {
  GateDecision d;
  d.id = row.Int(0);
  d.project = row.TakeText(1);
  d.environment = row.TakeText(2);
  d.deploy_id = row.Int(3);
  d.run_id = row.TakeText(4);
  d.decision = row.TakeText(5);
  d.input_json = row.TakeText(6);
  d.input_digest = row.TakeText(7);
  d.result_json = row.TakeText(8);
  d.exemption_id = row.Int(9);
  d.decided_at = FromMillis(row.Int(10));
  d.step = row.TakeText(11);
  return d;
}

Result<DeployApproval> ApprovalFromRow(SqlRow& row) {
  DeployApproval a;
  a.id = row.Int(0);
  a.project = row.TakeText(1);
  a.environment = row.TakeText(2);
  a.deploy_id = row.Int(3);
  a.approver = row.TakeText(4);
  a.role = row.TakeText(5);
  a.approved = row.Int(6) != 0;
  a.comment = row.TakeText(7);
  a.at = FromMillis(row.Int(8));
  return a;
}

Result<GateExemption> ExemptionFromRow(SqlRow& row) {
  GateExemption e;
  e.id = row.Int(0);
  e.project = row.TakeText(1);
  e.environment = row.TakeText(2);
  e.requested_by = row.TakeText(3);
  e.justification = row.TakeText(4);
  e.created = FromMillis(row.Int(5));
  e.expires = FromMillis(row.Int(6));
  e.needs_second_approval = row.Int(7) != 0;
  e.approved_by = row.TakeText(8);
  e.approved_at = OptionalTime(row, 9);
  return e;
}

Status CheckDecision(const GateDecision& d) {
  static const std::string kNames[] = {"allow", "deny", "exempted"};
  if (std::find(std::begin(kNames), std::end(kNames), d.decision) == std::end(kNames)) {
    return InvalidArgument("a gate decision is allow, deny or exempted, not '" + d.decision + "'");
  }
  if (d.step != "deploy" && d.step != "promote") {
    return InvalidArgument("a gate decision's step is deploy or promote, not '" + d.step + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<GateDecision> SqlStore::RecordGateDecision(const GateDecision& decision) {
  SLIPWAY_RETURN_IF_ERROR(CheckDecision(decision));
  GateDecision stored = decision;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(
            "INSERT INTO gate_decisions (project, environment, deploy_id, run_id, decision, "
            "input_json, input_digest, result_json, exemption_id, decided_at, step) VALUES "
            "(" +
                Placeholders(11) + ") RETURNING id",
            {decision.project, decision.environment, decision.deploy_id, decision.run_id,
             decision.decision, decision.input_json, decision.input_digest, decision.result_json,
             decision.exemption_id, ToMillis(decision.decided_at), decision.step}));
    SLIPWAY_ASSIGN_OR_RETURN(stored.id, ReturnedId(rows));
    return Status::Ok();
  }));
  return stored;
}

Result<std::vector<GateDecision>> SqlStore::ListGateDecisions(const std::string& project,
                                                              const std::string& environment,
                                                              int64_t deploy_id) {
  std::string sql = std::string("SELECT ") + kDecisionColumns +
                    " FROM gate_decisions WHERE project = ? AND environment = ?";
  SqlParams params{project, environment};
  if (deploy_id != 0) {
    sql += " AND deploy_id = ?";
    params.push_back(deploy_id);
  }
  sql += " ORDER BY id DESC LIMIT 1000";
  std::vector<GateDecision> decisions;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(sql, params));
    SLIPWAY_ASSIGN_OR_RETURN(decisions, DecodeRows<GateDecision>(rows, DecisionFromRow));
    return Status::Ok();
  }));
  return decisions;
}

Result<DeployApproval> SqlStore::AddApproval(const DeployApproval& approval) {
  DeployApproval stored = approval;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query("INSERT INTO deploy_approvals (project, environment, deploy_id, approver, role, "
                 "approved, comment, at) VALUES (" +
                     Placeholders(8) + ") RETURNING id",
                 {approval.project, approval.environment, approval.deploy_id, approval.approver,
                  approval.role, int64_t{approval.approved ? 1 : 0}, approval.comment,
                  ToMillis(approval.at)}));
    SLIPWAY_ASSIGN_OR_RETURN(stored.id, ReturnedId(rows));
    return Status::Ok();
  }));
  return stored;
}

Result<std::vector<DeployApproval>> SqlStore::ListApprovals(const std::string& project,
                                                            const std::string& environment,
                                                            int64_t deploy_id) {
  std::vector<DeployApproval> approvals;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(std::string("SELECT ") + kApprovalColumns +
                     " FROM deploy_approvals WHERE project = ? AND environment = ? AND "
                     "deploy_id = ? ORDER BY id",
                 {project, environment, deploy_id}));
    SLIPWAY_ASSIGN_OR_RETURN(approvals, DecodeRows<DeployApproval>(rows, ApprovalFromRow));
    return Status::Ok();
  }));
  return approvals;
}

Result<GateExemption> SqlStore::CreateExemption(const GateExemption& exemption) {
  GateExemption stored = exemption;
  stored.approved_by.clear();
  stored.approved_at.reset();
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query("INSERT INTO gate_exemptions (project, environment, requested_by, justification, "
                 "created, expires, needs_second_approval, approved_by, approved_at) VALUES (" +
                     Placeholders(7) + ", '', NULL) RETURNING id",
                 {exemption.project, exemption.environment, exemption.requested_by,
                  exemption.justification, ToMillis(exemption.created), ToMillis(exemption.expires),
                  int64_t{exemption.needs_second_approval ? 1 : 0}}));
    SLIPWAY_ASSIGN_OR_RETURN(stored.id, ReturnedId(rows));
    return Status::Ok();
  }));
  return stored;
}

Result<GateExemption> SqlStore::GetExemption(int64_t id) {
  GateExemption exemption;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        exemption,
        QueryOne<GateExemption>(
            tx, std::string("SELECT ") + kExemptionColumns + " FROM gate_exemptions WHERE id = ?",
            {id}, [](SqlRow& row) { return ExemptionFromRow(row); },
            "exemption " + std::to_string(id)));
    return Status::Ok();
  }));
  return exemption;
}

Result<GateExemption> SqlStore::ApproveExemption(int64_t id, const std::string& approver, Time at) {
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(int64_t changed,
                             tx.Exec("UPDATE gate_exemptions SET approved_by = ?, approved_at = ? "
                                     "WHERE id = ? AND approved_by = ''",
                                     {approver, ToMillis(at), id}));
    if (changed != 0) return Status::Ok();
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows, tx.Query("SELECT approved_by FROM gate_exemptions WHERE id = ?", {id}));
    if (rows.empty()) return NotFound("exemption " + std::to_string(id) + " not found");
    return FailedPrecondition("exemption " + std::to_string(id) + " was already approved by " +
                              rows.front().Text(0));
  }));
  return GetExemption(id);
}

Result<std::vector<GateExemption>> SqlStore::ListExemptions(const std::string& project,
                                                            const std::string& environment) {
  std::string sql =
      std::string("SELECT ") + kExemptionColumns + " FROM gate_exemptions WHERE project = ?";
  SqlParams params{project};
  if (!environment.empty()) {
    sql += " AND environment = ?";
    params.push_back(environment);
  }
  sql += " ORDER BY id DESC LIMIT 1000";
  std::vector<GateExemption> exemptions;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(sql, params));
    SLIPWAY_ASSIGN_OR_RETURN(exemptions, DecodeRows<GateExemption>(rows, ExemptionFromRow));
    return Status::Ok();
  }));
  return exemptions;
}

Result<GateStats> SqlStore::GetGateStats() {
  GateStats stats;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    stats = GateStats{};
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query("SELECT decision, COUNT(*) FROM gate_decisions GROUP BY decision ORDER BY "
                 "decision",
                 {}));
    for (SqlRow& row : rows) stats.decisions.emplace_back(row.TakeText(0), row.Int(1));
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows granted, tx.Query("SELECT COUNT(*) FROM gate_exemptions", {}));
    stats.exemptions = granted.empty() ? 0 : granted.front().Int(0);
    return Status::Ok();
  }));
  return stats;
}

}  // namespace slipway::store
