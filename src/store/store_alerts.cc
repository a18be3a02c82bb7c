// SqlStore: alerts and the incidents they open and resolve (see Store::RecordAlerts).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

constexpr int kMaxListPage = 1000;

constexpr char kAlertColumns[] =
    "id, fingerprint, deploy_id, status, alertname, severity, labels_json, annotations_json, "
    "starts_at, ends_at, received_at, received_count, project, environment, incident_id";
constexpr char kIncidentColumns[] =
    "id, project, environment, title, severity, status, started_at, detected_at, resolved_at, "
    "deploy_id";

Result<Alert> AlertFromRow(SqlRow& row) {
  Alert a;
  a.id = row.Int(0);
  a.fingerprint = row.TakeText(1);
  a.deploy_id = row.Int(2);
  std::optional<AlertStatus> status = ParseAlertStatus(row.Text(3));
  if (!status) return Internal("alert " + std::to_string(a.id) + " has status " + row.Text(3));
  a.status = *status;
  a.alertname = row.TakeText(4);
  a.severity = row.TakeText(5);
  a.labels_json = row.TakeText(6);
  a.annotations_json = row.TakeText(7);
  a.starts_at = FromMillis(row.Int(8));
  a.ends_at = OptionalTime(row, 9);
  a.received_at = FromMillis(row.Int(10));
  a.received_count = static_cast<int>(row.Int(11));
  a.project = row.TakeText(12);
  a.environment = row.TakeText(13);
  a.incident_id = row.Int(14);
  return a;
}

Result<Incident> IncidentFromRow(SqlRow& row) {
  Incident i;
  i.id = row.Int(0);
  i.project = row.TakeText(1);
  i.environment = row.TakeText(2);
  i.title = row.TakeText(3);
  i.severity = row.TakeText(4);
  std::optional<IncidentStatus> status = ParseIncidentStatus(row.Text(5));
  if (!status) return Internal("incident " + std::to_string(i.id) + " has status " + row.Text(5));
  i.status = *status;
  i.started_at = FromMillis(row.Int(6));
  i.detected_at = FromMillis(row.Int(7));
  i.resolved_at = OptionalTime(row, 8);
  i.deploy_id = row.Int(9);
  return i;
}

// critical > error > warning > info > anything else.
int SeverityRank(std::string_view severity) {
  static constexpr std::string_view kOrder[] = {"info", "warning", "error", "critical"};
  for (int i = 0; i < 4; ++i) {
    if (severity == kOrder[i]) return i + 1;
  }
  return 0;
}

std::string IncidentTitle(const Alert& alert) {
  const nlohmann::json annotations = nlohmann::json::parse(alert.annotations_json, nullptr, false);
  std::string title = alert.alertname;
  if (annotations.is_object()) {
    auto summary = annotations.find("summary");
    if (summary != annotations.end() && summary->is_string() && !summary->empty()) {
      title += ": " + summary->get<std::string>();
    }
  }
  return title;
}

// One batch inside its transaction.
class BatchWriter {
 public:
  BatchWriter(SqlTx& tx, const Dialect& dialect, AlertBatchResult& result)
      : tx_(tx), dialect_(dialect), result_(result) {}

  Status Record(Alert alert) {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows existing,
        tx_.Query(std::string("SELECT id, incident_id, received_count FROM alerts WHERE "
                              "fingerprint = ? AND deploy_id = ?") +
                      dialect_.for_update,
                  {alert.fingerprint, alert.deploy_id}));
    alert.id = existing.empty() ? 0 : existing.front().Int(0);
    alert.incident_id = existing.empty() ? 0 : existing.front().Int(1);
    alert.received_count = existing.empty() ? 1 : static_cast<int>(existing.front().Int(2)) + 1;
    if (alert.status == AlertStatus::kFiring && !alert.project.empty()) {
      SLIPWAY_ASSIGN_OR_RETURN(alert.incident_id, IncidentFor(alert));
    }
    SLIPWAY_RETURN_IF_ERROR(existing.empty() ? Insert(alert) : Update(alert));
    if (alert.incident_id != 0) touched_.insert(alert.incident_id);
    result_.alerts.push_back(std::move(alert));
    return Status::Ok();
  }

  // Resolves the incidents the batch touched whose alerts are all resolved now.
  Status ResolveFinished() {
    for (int64_t incident : touched_) {
      SLIPWAY_ASSIGN_OR_RETURN(
          SqlRows rows,
          tx_.Query("SELECT COUNT(CASE WHEN status = 'firing' THEN 1 END), "
                    "MAX(COALESCE(ends_at, received_at)) FROM alerts WHERE incident_id = ?",
                    {incident}));
      if (rows.empty() || rows.front().Int(0) != 0) continue;
      SLIPWAY_ASSIGN_OR_RETURN(int64_t changed,
                               tx_.Exec("UPDATE incidents SET status = 'resolved', resolved_at = "
                                        "? WHERE id = ? AND status = 'open'",
                                        {rows.front().Int(1), incident}));
      if (changed != 0) result_.incidents_resolved.push_back(incident);
    }
    return Status::Ok();
  }

 private:
  // The open incident a firing alert belongs to: the one it is attached to while that is open,
  // else its environment's open one, else a new one.
  Result<int64_t> IncidentFor(const Alert& alert) {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows open,
        tx_.Query("SELECT id, severity FROM incidents WHERE project = ? AND environment = ? AND "
                  "status = 'open'",
                  {alert.project, alert.environment}));
    if (open.empty()) {
      SLIPWAY_ASSIGN_OR_RETURN(
          SqlRows created,
          tx_.Query("INSERT INTO incidents (project, environment, title, severity, status, "
                    "started_at, detected_at, resolved_at, deploy_id) VALUES (?, ?, ?, ?, "
                    "'open', ?, ?, NULL, ?) RETURNING id",
                    {alert.project, alert.environment, IncidentTitle(alert), alert.severity,
                     ToMillis(alert.starts_at), ToMillis(alert.received_at), alert.deploy_id}));
      SLIPWAY_ASSIGN_OR_RETURN(int64_t id, ReturnedId(created));
      result_.incidents_opened.push_back(id);
      return id;
    }
    const int64_t id = open.front().Int(0);
    if (SeverityRank(alert.severity) > SeverityRank(open.front().Text(1))) {
      SLIPWAY_RETURN_IF_ERROR(
          tx_.Exec("UPDATE incidents SET severity = ? WHERE id = ?", {alert.severity, id})
              .status());
    }
    return id;
  }

  SqlParams Values(const Alert& a) {
    return {std::string(AlertStatusName(a.status)),
            a.alertname,
            a.severity,
            a.labels_json,
            a.annotations_json,
            ToMillis(a.starts_at),
            OptionalMillis(a.ends_at),
            ToMillis(a.received_at),
            int64_t{a.received_count},
            a.project,
            a.environment,
            a.incident_id};
  }

  Status Insert(Alert& alert) {
    SqlParams params = Values(alert);
    params.push_back(alert.fingerprint);
    params.push_back(alert.deploy_id);
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx_.Query("INSERT INTO alerts (status, alertname, severity, labels_json, "
                  "annotations_json, starts_at, ends_at, received_at, received_count, project, "
                  "environment, incident_id, fingerprint, deploy_id) VALUES (" +
                      Placeholders(14) + ") RETURNING id",
                  params));
    SLIPWAY_ASSIGN_OR_RETURN(alert.id, ReturnedId(rows));
    ++result_.stored;
    return Status::Ok();
  }

  Status Update(const Alert& alert) {
    SqlParams params = Values(alert);
    params.push_back(alert.id);
    SLIPWAY_RETURN_IF_ERROR(
        tx_.Exec("UPDATE alerts SET status = ?, alertname = ?, severity = ?, labels_json = ?, "
                 "annotations_json = ?, starts_at = ?, ends_at = ?, received_at = ?, "
                 "received_count = ?, project = ?, environment = ?, incident_id = ? WHERE id = ?",
                 params)
            .status());
    ++result_.deduplicated;
    return Status::Ok();
  }

  SqlTx& tx_;
  const Dialect& dialect_;
  AlertBatchResult& result_;
  std::set<int64_t> touched_;
};

}  // namespace

Result<AlertBatchResult> SqlStore::RecordAlerts(const std::vector<Alert>& alerts) {
  AlertBatchResult result;
  const Dialect& dialect = db_->dialect();
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    result = AlertBatchResult{};  // the body may run again (a retried transaction)
    if (*dialect.lock_alerts != '\0') {
      SLIPWAY_RETURN_IF_ERROR(tx.Query(dialect.lock_alerts, {}).status());
    }
    BatchWriter writer(tx, dialect, result);
    for (Alert alert : alerts) {
      alert.starts_at = StoredTimeOrNow(alert.starts_at);
      alert.received_at = StoredTimeOrNow(alert.received_at);
      if (alert.ends_at) alert.ends_at = StoredTimeOrNow(*alert.ends_at);
      SLIPWAY_RETURN_IF_ERROR(writer.Record(std::move(alert)));
    }
    return writer.ResolveFinished();
  }));
  return result;
}

Result<std::vector<Alert>> SqlStore::ListAlerts(const AlertFilter& filter) {
  std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE 1 = 1";
  SqlParams params;
  if (filter.project) {
    sql += " AND project = ?";
    params.push_back(*filter.project);
  }
  if (filter.environment) {
    sql += " AND environment = ?";
    params.push_back(*filter.environment);
  }
  sql += " ORDER BY received_at DESC, id DESC LIMIT ?";
  params.push_back(int64_t{std::clamp(filter.limit, 1, kMaxListPage)});
  std::vector<Alert> alerts;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(sql, params));
    SLIPWAY_ASSIGN_OR_RETURN(alerts, DecodeRows<Alert>(rows, AlertFromRow));
    return Status::Ok();
  }));
  return alerts;
}

Result<std::vector<Incident>> SqlStore::ListIncidents(const IncidentFilter& filter) {
  std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE 1 = 1";
  SqlParams params;
  if (filter.project) {
    sql += " AND project = ?";
    params.push_back(*filter.project);
  }
  if (filter.status) {
    sql += " AND status = ?";
    params.push_back(std::string(IncidentStatusName(*filter.status)));
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{std::clamp(filter.limit, 1, kMaxListPage)});
  std::vector<Incident> incidents;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(sql, params));
    SLIPWAY_ASSIGN_OR_RETURN(incidents, DecodeRows<Incident>(rows, IncidentFromRow));
    return Status::Ok();
  }));
  return incidents;
}

Result<AlertStats> SqlStore::GetAlertStats() {
  AlertStats stats;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    stats = AlertStats{};
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows received,
        tx.Query("SELECT CAST(COALESCE(SUM(received_count), 0) AS BIGINT) FROM alerts", {}));
    stats.alerts_received = received.empty() ? 0 : received.front().Int(0);
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query("SELECT project, environment, COUNT(CASE WHEN status = 'open' THEN 1 END), "
                 "COUNT(*) FROM incidents GROUP BY project, environment "
                 "ORDER BY project, environment",
                 {}));
    for (SqlRow& row : rows) {
      stats.incidents.push_back({row.TakeText(0), row.TakeText(1), row.Int(2), row.Int(3)});
    }
    return Status::Ok();
  }));
  return stats;
}

}  // namespace slipway::store
