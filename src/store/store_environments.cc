// SqlStore: environments deployed to and their deploys. The deploy module owns what the JSON
// texts hold; rows are stored as they come, each replacing the row with its key.
#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

constexpr char kEnvironmentColumns[] =
    "project, environment, pipeline_file, pipeline_yaml, next_revision, next_deploy, "
    "stable_json, updated_at";
constexpr char kDeployColumns[] =
    "project, environment, deploy_id, revision, digest, outcome, triggered_by, started_at, "
    "finished_at, record_json";

Result<EnvironmentRow> EnvironmentFromRow(SqlRow& row) {
  EnvironmentRow e;
  e.project = row.TakeText(0);
  e.environment = row.TakeText(1);
  e.pipeline_file = row.TakeText(2);
  e.pipeline_yaml = row.TakeText(3);
  e.next_revision = row.Int(4);
  e.next_deploy = row.Int(5);
  e.stable_json = row.TakeText(6);
  e.updated_at = FromMillis(row.Int(7));
  return e;
}

Result<DeployRow> DeployFromRow(SqlRow& row) {
  DeployRow d;
  d.project = row.TakeText(0);
  d.environment = row.TakeText(1);
  d.deploy_id = row.Int(2);
  d.revision = row.TakeText(3);
  d.digest = row.TakeText(4);
  d.outcome = row.TakeText(5);
  d.triggered_by = row.TakeText(6);
  d.started = FromMillis(row.Int(7));
  d.finished = FromMillis(row.Int(8));
  d.record_json = row.TakeText(9);
  return d;
}

std::string EnvironmentName(const std::string& project, const std::string& environment) {
  return "environment " + environment + " of project " + project;
}

}  // namespace

Status SqlStore::PutEnvironment(const EnvironmentRow& row) {
  return Write([&](SqlTx& tx) -> Status {
    return tx
        .Exec(std::string("INSERT INTO environments (") + kEnvironmentColumns + ") VALUES (" +
                  Placeholders(8) +
                  ") ON CONFLICT (project, environment) DO UPDATE SET "
                  "pipeline_file = excluded.pipeline_file, pipeline_yaml = excluded.pipeline_yaml, "
                  "next_revision = excluded.next_revision, next_deploy = excluded.next_deploy, "
                  "stable_json = excluded.stable_json, updated_at = excluded.updated_at",
              {row.project, row.environment, row.pipeline_file, row.pipeline_yaml,
               row.next_revision, row.next_deploy, row.stable_json, ToMillis(row.updated_at)})
        .status();
  });
}

Result<EnvironmentRow> SqlStore::GetEnvironment(const std::string& project,
                                                const std::string& environment) {
  EnvironmentRow found;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        found, QueryOne<EnvironmentRow>(
                   tx,
                   std::string("SELECT ") + kEnvironmentColumns +
                       " FROM environments WHERE project = ? AND environment = ?",
                   {project, environment}, [](SqlRow& row) { return EnvironmentFromRow(row); },
                   EnvironmentName(project, environment)));
    return Status::Ok();
  }));
  return found;
}

Result<std::vector<EnvironmentRow>> SqlStore::ListEnvironments() {
  std::vector<EnvironmentRow> environments;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows,
                             tx.Query(std::string("SELECT ") + kEnvironmentColumns +
                                          " FROM environments ORDER BY project, environment",
                                      {}));
    SLIPWAY_ASSIGN_OR_RETURN(environments, DecodeRows<EnvironmentRow>(rows, EnvironmentFromRow));
    return Status::Ok();
  }));
  return environments;
}

// The deploys go too, also those of an environment whose row was never stored (the deploy
// module may write a deploy first); kNotFound is about the environment's row alone.
Status SqlStore::DeleteEnvironment(const std::string& project, const std::string& environment) {
  int64_t deleted = 0;
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    SLIPWAY_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM deploys WHERE project = ? AND environment = ?", {project, environment})
            .status());
    SLIPWAY_ASSIGN_OR_RETURN(
        deleted, tx.Exec("DELETE FROM environments WHERE project = ? AND environment = ?",
                         {project, environment}));
    return Status::Ok();
  }));
  if (deleted == 0) return NotFound(EnvironmentName(project, environment) + " not found");
  return Status::Ok();
}

Status SqlStore::PutDeploy(const DeployRow& row) {
  return Write([&](SqlTx& tx) -> Status {
    return tx
        .Exec(std::string("INSERT INTO deploys (") + kDeployColumns + ") VALUES (" +
                  Placeholders(10) +
                  ") ON CONFLICT (project, environment, deploy_id) DO UPDATE SET "
                  "revision = excluded.revision, digest = excluded.digest, "
                  "outcome = excluded.outcome, triggered_by = excluded.triggered_by, "
                  "started_at = excluded.started_at, finished_at = excluded.finished_at, "
                  "record_json = excluded.record_json",
              {row.project, row.environment, row.deploy_id, row.revision, row.digest, row.outcome,
               row.triggered_by, ToMillis(row.started), ToMillis(row.finished), row.record_json})
        .status();
  });
}

Result<std::vector<DeployRow>> SqlStore::ListDeploys(const std::string& project,
                                                     const std::string& environment) {
  std::vector<DeployRow> deploys;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows,
                             tx.Query(std::string("SELECT ") + kDeployColumns +
                                          " FROM deploys WHERE project = ? AND environment = ? "
                                          "ORDER BY deploy_id",
                                      {project, environment}));
    SLIPWAY_ASSIGN_OR_RETURN(deploys, DecodeRows<DeployRow>(rows, DeployFromRow));
    return Status::Ok();
  }));
  return deploys;
}

}  // namespace slipway::store
