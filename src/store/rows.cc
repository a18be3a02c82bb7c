#include "store/rows.h"

#include <nlohmann/json.hpp>

#include "store/enum_names.h"

namespace slipway::store {

const char kProjectColumns[] =
    "id, name, repo, default_branch, pipeline_file, poll_interval_seconds, webhook_secret, "
    "is_public, last_polled_commits, created";
const char kRunColumns[] =
    "id, project_id, number, status, trigger_kind, event, ref, branch, commit_sha, inputs_json, "
    "pipeline_yaml, concurrency_group, cancel_requested, created_by, error, delivery_id, created, "
    "started, finished";
const char kJobColumns[] =
    "id, run_id, idx, instance_id, job_name, matrix_json, runs_on_json, status, reason, "
    "attempts, outputs_json, cancel_requested, created, queued, started, finished";
const char kAttemptColumns[] =
    "id, job_id, run_id, number, agent_id, lease_token, lease_expires, finished, lost, outcome, "
    "exit_code, reason, report_json, started, ended";
const char kAgentColumns[] = "id, name, labels_json, capacity, registered, last_seen";
const char kTokenColumns[] =
    "id, name, kind, role, project_id, agent_id, hash, created, expires, last_used, revoked";
const char kAuditColumns[] = "seq, time_ms, actor, action, target, details_json, prev_hash, hash";

Project ProjectFromRow(SqlRow& row) {
  Project p;
  p.id = row.Int(0);
  p.name = row.TakeText(1);
  p.repo = row.TakeText(2);
  p.default_branch = row.TakeText(3);
  p.pipeline_file = row.TakeText(4);
  p.poll_interval_seconds = row.Int(5);
  p.webhook_secret = row.TakeText(6);
  p.is_public = row.Int(7) != 0;
  p.last_polled_commits = row.TakeText(8);
  p.created = FromMillis(row.Int(9));
  return p;
}

Result<Run> RunFromRow(SqlRow& row) {
  Run r;
  r.id = row.Int(0);
  r.project_id = row.Int(1);
  r.number = row.Int(2);
  std::optional<RunStatus> status = ParseRunStatus(row.Text(3));
  if (!status) {
    return Internal("run " + std::to_string(r.id) + " has an unknown status \"" + row.Text(3) +
                    "\" in the database");
  }
  r.status = *status;
  r.trigger = row.TakeText(4);
  r.event = row.TakeText(5);
  r.ref = row.TakeText(6);
  r.branch = row.TakeText(7);
  r.commit = row.TakeText(8);
  r.inputs_json = row.TakeText(9);
  r.pipeline_yaml = row.TakeText(10);
  r.concurrency_group = row.TakeText(11);
  r.cancel_requested = row.Int(12) != 0;
  r.created_by = row.TakeText(13);
  r.error = row.TakeText(14);
  r.delivery_id = row.TakeText(15);
  r.created = FromMillis(row.Int(16));
  r.started = OptionalTime(row, 17);
  r.finished = OptionalTime(row, 18);
  return r;
}

Result<Job> JobFromRow(SqlRow& row) {
  Job j;
  j.id = row.Int(0);
  j.run_id = row.Int(1);
  j.index = static_cast<int>(row.Int(2));
  j.instance_id = row.TakeText(3);
  j.job_name = row.TakeText(4);
  j.matrix_json = row.TakeText(5);
  j.runs_on_json = row.TakeText(6);
  std::optional<JobStatus> status = ParseJobStatus(row.Text(7));
  if (!status) {
    return Internal("job " + std::to_string(j.id) + " has an unknown status \"" + row.Text(7) +
                    "\" in the database");
  }
  j.status = *status;
  j.reason = row.TakeText(8);
  j.attempts = static_cast<int>(row.Int(9));
  j.outputs_json = row.TakeText(10);
  j.cancel_requested = row.Int(11) != 0;
  j.created = FromMillis(row.Int(12));
  j.queued = OptionalTime(row, 13);
  j.started = OptionalTime(row, 14);
  j.finished = OptionalTime(row, 15);
  return j;
}

Attempt AttemptFromRow(SqlRow& row) {
  Attempt a;
  a.id = row.Int(0);
  a.job_id = row.Int(1);
  a.run_id = row.Int(2);
  a.number = static_cast<int>(row.Int(3));
  a.agent_id = row.Int(4);
  a.lease_token = row.TakeText(5);
  a.lease_expires = FromMillis(row.Int(6));
  a.finished = row.Int(7) != 0;
  a.lost = row.Int(8) != 0;
  a.outcome = row.TakeText(9);
  a.exit_code = static_cast<int>(row.Int(10));
  a.reason = row.TakeText(11);
  a.report_json = row.TakeText(12);
  a.started = FromMillis(row.Int(13));
  a.ended = OptionalTime(row, 14);
  return a;
}

Result<Agent> AgentFromRow(SqlRow& row) {
  Agent a;
  a.id = row.Int(0);
  a.name = row.TakeText(1);
  SLIPWAY_ASSIGN_OR_RETURN(a.labels, ParseStringArray(row.Text(2), "labels of agent " + a.name));
  a.capacity = static_cast<int>(row.Int(3));
  a.registered = FromMillis(row.Int(4));
  a.last_seen = FromMillis(row.Int(5));
  return a;
}

Result<Token> TokenFromRow(SqlRow& row) {
  Token t;
  t.id = row.Int(0);
  t.name = row.TakeText(1);
  std::optional<TokenKind> kind = ParseTokenKind(row.Text(2));
  std::optional<Role> role = ParseRole(row.Text(3));
  if (!kind || !role) {
    return Internal("token " + std::to_string(t.id) + " has an unknown kind \"" + row.Text(2) +
                    "\" or role \"" + row.Text(3) + "\" in the database");
  }
  t.kind = *kind;
  t.role = *role;
  t.project_id = row.Int(4);
  t.agent_id = row.Int(5);
  t.hash = row.TakeText(6);
  t.created = FromMillis(row.Int(7));
  t.expires = OptionalTime(row, 8);
  t.last_used = OptionalTime(row, 9);
  t.revoked = row.Int(10) != 0;
  return t;
}

AuditRecord AuditFromRow(SqlRow& row) {
  AuditRecord r;
  r.seq = row.Int(0);
  r.time = FromMillis(row.Int(1));
  r.actor = row.TakeText(2);
  r.action = row.TakeText(3);
  r.target = row.TakeText(4);
  r.details_json = row.TakeText(5);
  r.prev_hash = row.TakeText(6);
  r.hash = row.TakeText(7);
  return r;
}

Result<std::vector<std::string>> ParseStringArray(const std::string& json,
                                                  const std::string& what) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return InvalidArgument(what + " is not a JSON array: " + json);
  std::vector<std::string> items;
  for (const auto& item : parsed) {
    if (!item.is_string()) return InvalidArgument(what + " holds a non-string: " + json);
    items.push_back(item.get<std::string>());
  }
  return items;
}

std::string StringArrayJson(const std::vector<std::string>& items) {
  // dump() throws only on invalid UTF-8; replace it rather than fail.
  return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace slipway::store
