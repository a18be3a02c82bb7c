// SqlStore: runs and their jobs.
#include <algorithm>
#include <set>
#include <string>

#include "store/enum_names.h"
#include "store/rows.h"
#include "store/sql_helpers.h"
#include "store/sql_store.h"

namespace slipway::store {
namespace {

constexpr int kDefaultRunPage = 50;
constexpr int kMaxRunPage = 500;

std::string RunName(int64_t id) { return "run " + std::to_string(id); }

// A queued job always has a queued time: the queue orders by it, and the two dialects sort
// NULLs differently.
void FillQueuedTime(Job& job) {
  if (job.status == JobStatus::kQueued && !job.queued) job.queued = StoredTimeOrNow(Time{});
}

// The jobs as CreateRun stores them, with their runs_on labels, or why they cannot be.
struct NewJob {
  Job job;
  std::set<std::string> labels;
};

Result<std::vector<NewJob>> PrepareJobs(std::vector<Job> jobs, Time created) {
  std::vector<NewJob> out;
  std::set<int> indexes;
  for (Job& job : jobs) {
    if (!indexes.insert(job.index).second) {
      return InvalidArgument("two jobs of the run have index " + std::to_string(job.index));
    }
    if (job.runs_on_json.empty()) job.runs_on_json = "[]";
    SLIPWAY_ASSIGN_OR_RETURN(
        std::vector<std::string> labels,
        ParseStringArray(job.runs_on_json, "runs_on_json of job \"" + job.instance_id + "\""));
    if (job.created == Time{}) job.created = created;
    job.created = StoredTimeOrNow(job.created);
    FillQueuedTime(job);
    out.push_back({std::move(job), std::set<std::string>(labels.begin(), labels.end())});
  }
  return out;
}

Status InsertJob(SqlTx& tx, int64_t run_id, NewJob& item) {
  Job& j = item.job;
  j.run_id = run_id;
  SLIPWAY_ASSIGN_OR_RETURN(
      SqlRows rows,
      tx.Query(
          "INSERT INTO jobs (run_id, idx, instance_id, job_name, matrix_json, runs_on_json, "
          "status, reason, attempts, outputs_json, cancel_requested, created, queued, started, "
          "finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {run_id, int64_t{j.index}, j.instance_id, j.job_name, j.matrix_json, j.runs_on_json,
           std::string(JobStatusText(j.status)), j.reason, int64_t{j.attempts}, j.outputs_json,
           int64_t{j.cancel_requested}, ToMillis(j.created), OptionalMillis(j.queued),
           OptionalMillis(j.started), OptionalMillis(j.finished)}));
  SLIPWAY_ASSIGN_OR_RETURN(j.id, ReturnedId(rows));
  for (const std::string& label : item.labels) {
    SLIPWAY_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO job_labels (job_id, label) VALUES (?, ?)", {j.id, label}).status());
  }
  return Status::Ok();
}

// Stores the run (assigning its number and id) and its jobs, in the caller's transaction.
Status InsertRun(SqlTx& tx, Run& run, std::vector<NewJob>& new_jobs) {
  // The project row is the per-project counter; updating it also serialises concurrent
  // CreateRuns of one project on PostgreSQL (a row lock until commit).
  SLIPWAY_ASSIGN_OR_RETURN(
      SqlRows numbers,
      tx.Query("UPDATE projects SET next_run_number = next_run_number + 1 WHERE id = ? "
               "RETURNING next_run_number - 1",
               {run.project_id}));
  if (numbers.empty()) return NotFound("project " + std::to_string(run.project_id) + " not found");
  run.number = numbers.front().Int(0);
  SLIPWAY_ASSIGN_OR_RETURN(
      SqlRows rows,
      tx.Query("INSERT INTO runs (project_id, number, status, trigger_kind, event, ref, branch, "
               "commit_sha, inputs_json, pipeline_yaml, concurrency_group, cancel_requested, "
               "created_by, error, delivery_id, created, started, finished) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
               {run.project_id, run.number, std::string(RunStatusText(run.status)), run.trigger,
                run.event, run.ref, run.branch, run.commit, run.inputs_json, run.pipeline_yaml,
                run.concurrency_group, int64_t{run.cancel_requested}, run.created_by, run.error,
                run.delivery_id, ToMillis(run.created), OptionalMillis(run.started),
                OptionalMillis(run.finished)}));
  SLIPWAY_ASSIGN_OR_RETURN(run.id, ReturnedId(rows));
  for (NewJob& job : new_jobs) SLIPWAY_RETURN_IF_ERROR(InsertJob(tx, run.id, job));
  return Status::Ok();
}

// The run as stored: defaults filled in, times truncated to what is stored.
Result<std::vector<NewJob>> PrepareRun(Run& run, std::vector<Job> jobs) {
  run.created = StoredTimeOrNow(run.created);
  if (run.inputs_json.empty()) run.inputs_json = "{}";
  return PrepareJobs(std::move(jobs), run.created);
}

}  // namespace

Result<Run> SqlStore::CreateRun(Run run, std::vector<Job> jobs) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<NewJob> new_jobs, PrepareRun(run, std::move(jobs)));
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) { return InsertRun(tx, run, new_jobs); }));
  return run;
}

Result<Run> SqlStore::CreateDeliveredRun(const Delivery& delivery, Run run, std::vector<Job> jobs) {
  if (delivery.provider.empty() || delivery.id.empty()) {
    return InvalidArgument("a webhook delivery needs a provider and a delivery id");
  }
  run.delivery_id = delivery.id;
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<NewJob> new_jobs, PrepareRun(run, std::move(jobs)));
  SLIPWAY_RETURN_IF_ERROR(Write([&](SqlTx& tx) -> Status {
    // First, so that a concurrent copy of the delivery waits here (PostgreSQL: on the primary
    // key until this transaction ends) and then finds it recorded, or records it itself if
    // this transaction rolled back. ON CONFLICT rather than catching the unique violation:
    // on PostgreSQL an error aborts the whole transaction.
    SLIPWAY_ASSIGN_OR_RETURN(
        int64_t inserted,
        tx.Exec("INSERT INTO deliveries (provider, delivery_id, received) VALUES (?, ?, ?) "
                "ON CONFLICT (provider, delivery_id) DO NOTHING",
                {delivery.provider, delivery.id, ToMillis(StoredTimeOrNow(delivery.received))}));
    if (inserted == 0) {
      return AlreadyExists("delivery " + delivery.id + " from " + delivery.provider +
                           " was received before");
    }
    return InsertRun(tx, run, new_jobs);
  }));
  return run;
}

Result<Run> SqlStore::GetRun(int64_t run_id) {
  std::optional<Run> run;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        run, QueryOne<Run>(tx, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?",
                           {run_id}, RunFromRow, RunName(run_id)));
    return Status::Ok();
  }));
  return std::move(*run);
}

Result<Run> SqlStore::GetRunByNumber(int64_t project_id, int64_t number) {
  std::optional<Run> run;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        run,
        QueryOne<Run>(
            tx,
            std::string("SELECT ") + kRunColumns + " FROM runs WHERE project_id = ? AND number = ?",
            {project_id, number}, RunFromRow,
            "run #" + std::to_string(number) + " of project " + std::to_string(project_id)));
    return Status::Ok();
  }));
  return std::move(*run);
}

Result<std::vector<Run>> SqlStore::ListRuns(const RunFilter& filter) {
  // Keyset pagination: each page is an index range scan (runs_by_project, runs_by_status,
  // runs_by_project_status or the primary key) from before_id downwards, however many runs
  // there are.
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs";
  std::vector<std::string> conditions;
  SqlParams params;
  if (filter.project_id != 0) {
    conditions.push_back("project_id = ?");
    params.emplace_back(filter.project_id);
  }
  if (filter.status) {
    conditions.push_back("status = ?");
    params.emplace_back(std::in_place_type<std::string>, RunStatusText(*filter.status));
  }
  if (filter.before_id > 0) {
    conditions.push_back("id < ?");
    params.emplace_back(filter.before_id);
  }
  for (size_t i = 0; i < conditions.size(); ++i)
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(
      int64_t{filter.limit <= 0 ? kDefaultRunPage : std::min(filter.limit, kMaxRunPage)});
  std::vector<Run> runs;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(sql, params));
    SLIPWAY_ASSIGN_OR_RETURN(runs, DecodeRows<Run>(rows, RunFromRow));
    return Status::Ok();
  }));
  return runs;
}

Result<std::vector<Run>> SqlStore::ListUnfinishedRuns() {
  std::vector<Run> runs;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        SqlRows rows, tx.Query(std::string("SELECT ") + kRunColumns +
                                   " FROM runs WHERE status IN ('queued', 'running') ORDER BY id",
                               {}));
    SLIPWAY_ASSIGN_OR_RETURN(runs, DecodeRows<Run>(rows, RunFromRow));
    return Status::Ok();
  }));
  return runs;
}

Result<std::vector<Job>> SqlStore::ListJobs(int64_t run_id) {
  std::vector<Job> jobs;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows run, tx.Query("SELECT id FROM runs WHERE id = ?", {run_id}));
    if (run.empty()) return NotFound(RunName(run_id) + " not found");
    SLIPWAY_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(std::string("SELECT ") + kJobColumns +
                                                        " FROM jobs WHERE run_id = ? ORDER BY idx",
                                                    {run_id}));
    SLIPWAY_ASSIGN_OR_RETURN(jobs, DecodeRows<Job>(rows, JobFromRow));
    return Status::Ok();
  }));
  return jobs;
}

Result<Job> SqlStore::GetJob(int64_t job_id) {
  std::optional<Job> job;
  SLIPWAY_RETURN_IF_ERROR(Read([&](SqlTx& tx) -> Status {
    SLIPWAY_ASSIGN_OR_RETURN(
        job, QueryOne<Job>(tx, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?",
                           {job_id}, JobFromRow, "job " + std::to_string(job_id)));
    return Status::Ok();
  }));
  return std::move(*job);
}

Status SqlStore::UpdateJobs(const std::vector<Job>& jobs) {
  std::vector<JobUpdate> updates;
  for (const Job& job : jobs) updates.push_back({std::nullopt, job});
  return UpdateJobsIf(updates).status();
}

Result<int> SqlStore::UpdateJobsIf(const std::vector<JobUpdate>& updates) {
  if (updates.empty()) return 0;
  std::vector<JobUpdate> sorted = updates;
  for (const JobUpdate& update : sorted) {
    if (update.job.run_id != sorted.front().job.run_id) {
      return InvalidArgument("UpdateJobs got jobs of more than one run (" +
                             std::to_string(sorted.front().job.run_id) + " and " +
                             std::to_string(update.job.run_id) + ")");
    }
  }
  // One lock order for every writer of several jobs, so two cannot deadlock on PostgreSQL.
  std::sort(sorted.begin(), sorted.end(),
            [](const JobUpdate& a, const JobUpdate& b) { return a.job.id < b.job.id; });
  for (JobUpdate& update : sorted) FillQueuedTime(update.job);
  int skipped = 0;
  Status status = Write([&](SqlTx& tx) -> Status {
    skipped = 0;
    for (const JobUpdate& update : sorted) {
      const Job& j = update.job;
      const std::string what = "job " + std::to_string(j.id) + " of " + RunName(j.run_id);
      const std::string set =
          "UPDATE jobs SET status = ?, reason = ?, outputs_json = ?, cancel_requested = ?, "
          "queued = ?, started = ?, finished = ? WHERE id = ? AND run_id = ?";
      std::vector<SqlValue> values = {std::string(JobStatusText(j.status)),
                                      j.reason,
                                      j.outputs_json,
                                      int64_t{j.cancel_requested},
                                      OptionalMillis(j.queued),
                                      OptionalMillis(j.started),
                                      OptionalMillis(j.finished),
                                      j.id,
                                      j.run_id};
      if (!update.expected) {
        SLIPWAY_RETURN_IF_ERROR(RequireChanged(tx.Exec(set, values), what));
        continue;
      }
      values.push_back(std::string(JobStatusText(*update.expected)));
      SLIPWAY_ASSIGN_OR_RETURN(int64_t changed, tx.Exec(set + " AND status = ?", values));
      if (changed == 0) ++skipped;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return skipped;
}

}  // namespace slipway::store
