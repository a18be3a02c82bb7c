// SqlStore: projects.
#include <string>

#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

Status ValidateProjectName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 100 && name != "." && name != "..";
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-');
  }
  if (ok) return Status::Ok();
  return InvalidArgument("invalid project name \"" + std::string(name) +
                         "\": use 1 to 100 of A-Z a-z 0-9 _ . -");
}

std::string Quoted(std::string_view name) { return "project \"" + std::string(name) + "\""; }

}  // namespace

Result<Project> SqlStore::CreateProject(const Project& project) {
  SLIPWAY_RETURN_IF_ERROR(ValidateProjectName(project.name));
  if (project.poll_interval_seconds < 0) {
    return InvalidArgument(Quoted(project.name) + ": poll interval must not be negative");
  }
  Project p = project;
  if (p.default_branch.empty()) p.default_branch = "main";
  if (p.pipeline_file.empty()) p.pipeline_file = ".slipway.yml";
  p.created = StoredTimeOrNow(p.created);
  Status status = Write([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(
            "INSERT INTO projects (name, repo, default_branch, pipeline_file, "
            "poll_interval_seconds, webhook_secret, is_public, last_polled_commits, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {p.name, p.repo, p.default_branch, p.pipeline_file, p.poll_interval_seconds,
             p.webhook_secret, int64_t{p.is_public}, p.last_polled_commits, ToMillis(p.created)}));
    SLIPWAY_ASSIGN_OR_RETURN(p.id, ReturnedId(rows));
    return Status::Ok();
  });
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists(Quoted(p.name) + " already exists");
  }
  if (!status.ok()) return status;
  return p;
}

Result<Project> SqlStore::GetProject(std::string_view name) {
  std::optional<Project> project;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        project, QueryOne<Project>(
                     tx, std::string("SELECT ") + kProjectColumns + " FROM projects WHERE name = ?",
                     {std::string(name)}, ProjectFromRow, Quoted(name)));
    return Status::Ok();
  }));
  return std::move(*project);
}

Result<Project> SqlStore::GetProjectById(int64_t id) {
  std::optional<Project> project;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        project, QueryOne<Project>(
                     tx, std::string("SELECT ") + kProjectColumns + " FROM projects WHERE id = ?",
                     {id}, ProjectFromRow, "project " + std::to_string(id)));
    return Status::Ok();
  }));
  return std::move(*project);
}

Result<std::vector<Project>> SqlStore::ListProjects() {
  std::vector<Project> projects;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows,
        tx.Query(std::string("SELECT ") + kProjectColumns + " FROM projects ORDER BY name", {}));
    projects.clear();
    for (SqlRow& row : rows) projects.push_back(ProjectFromRow(row));
    return Status::Ok();
  }));
  return projects;
}

Status SqlStore::DeleteProject(std::string_view name) {
  // Runs, jobs, attempts, labels and log chunks go with it (ON DELETE CASCADE).
  return Write([&](SqlTx& tx) {
    return RequireChanged(tx.Exec("DELETE FROM projects WHERE name = ?", {std::string(name)}),
                          Quoted(name));
  });
}

Status SqlStore::SetPolledCommits(int64_t project_id, const std::string& commits_json) {
  return Write([&](SqlTx& tx) {
    return RequireChanged(tx.Exec("UPDATE projects SET last_polled_commits = ? WHERE id = ?",
                                  {commits_json, project_id}),
                          "project " + std::to_string(project_id));
  });
}

}  // namespace slipway::store
