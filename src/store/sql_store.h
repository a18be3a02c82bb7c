// SqlStore: the Store, written once over SqlDatabase (sql.h). Open (open.cc) builds it over a
// SqliteDatabase or a PostgresDatabase.
//
// The methods are spread over store_*.cc by concern: projects, runs and jobs, a run's status
// (store_run_status.cc), the queue and leases, logs, agents and tokens, the audit trail, alerts
// and incidents, release gates, environments and deploys.
#pragma once

#include <atomic>
#include <memory>

#include "store/log_compression.h"
#include "store/sql.h"
#include "store/store.h"

namespace slipway::store {

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  Result<Project> CreateProject(const Project& project) override;
  Result<Project> GetProject(std::string_view name) override;
  Result<Project> GetProjectById(int64_t id) override;
  Result<std::vector<Project>> ListProjects() override;
  Status DeleteProject(std::string_view name) override;
  Status SetPolledCommits(int64_t project_id, const std::string& commits_json) override;

  Result<Run> CreateRun(Run run, std::vector<Job> jobs) override;
  Result<Run> CreateDeliveredRun(const Delivery& delivery, Run run, std::vector<Job> jobs) override;
  Result<Run> GetRun(int64_t run_id) override;
  Result<Run> GetRunByNumber(int64_t project_id, int64_t number) override;
  Result<std::vector<Run>> ListRuns(const RunFilter& filter) override;
  Result<std::vector<Run>> ListUnfinishedRuns() override;
  Status UpdateRun(const Run& run) override;
  Result<CancelOutcome> RequestCancel(int64_t run_id) override;
  Result<std::vector<Job>> ListJobs(int64_t run_id) override;
  Result<Job> GetJob(int64_t job_id) override;
  Status UpdateJobs(const std::vector<Job>& jobs) override;
  Result<int> UpdateJobsIf(const std::vector<JobUpdate>& updates) override;

  Result<std::optional<Lease>> LeaseJob(const LeaseRequest& request) override;
  Status RenewLease(int64_t attempt_id, std::string_view token, Time expires, Time now) override;
  Status FinishAttempt(int64_t attempt_id, std::string_view token,
                       const AttemptResult& result) override;
  Result<std::vector<Attempt>> ExpireLeases(Time now) override;
  Result<std::vector<Attempt>> ListAttempts(int64_t job_id) override;
  Result<Attempt> GetAttempt(int64_t attempt_id) override;

  Status AppendLog(int64_t attempt_id, int64_t offset, std::string_view data) override;
  Status AppendLogNote(int64_t attempt_id, std::string_view data) override;
  Status CloseLog(int64_t attempt_id) override;
  Result<LogSlice> ReadLog(int64_t attempt_id, int64_t offset, int64_t max_bytes) override;

  Result<Agent> RegisterAgent(const Agent& agent) override;
  Result<AgentRegistration> RegisterAgentWithToken(const Agent& agent, const Token& token) override;
  Result<std::vector<Agent>> ListAgents() override;
  Status TouchAgent(int64_t agent_id, Time now) override;

  Result<Token> CreateToken(const Token& token) override;
  Result<Token> FindToken(std::string_view hash) override;
  Result<std::vector<Token>> ListTokens() override;
  Status RevokeToken(int64_t token_id) override;
  Status TouchToken(int64_t token_id, Time now) override;

  Result<AuditRecord> AppendAudit(const AuditRecord& record) override;
  Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq, int limit) override;

  Result<AlertBatchResult> RecordAlerts(const std::vector<Alert>& alerts) override;
  Result<std::vector<Alert>> ListAlerts(const AlertFilter& filter) override;
  Result<std::vector<Incident>> ListIncidents(const IncidentFilter& filter) override;
  Result<AlertStats> GetAlertStats() override;

  Result<GateDecision> RecordGateDecision(const GateDecision& decision) override;
  Result<std::vector<GateDecision>> ListGateDecisions(const std::string& project,
                                                      const std::string& environment,
                                                      int64_t deploy_id) override;
  Result<DeployApproval> AddApproval(const DeployApproval& approval) override;
  Result<std::vector<DeployApproval>> ListApprovals(const std::string& project,
                                                    const std::string& environment,
                                                    int64_t deploy_id) override;
  Result<GateExemption> CreateExemption(const GateExemption& exemption) override;
  Result<GateExemption> GetExemption(int64_t id) override;
  Result<GateExemption> ApproveExemption(int64_t id, const std::string& approver, Time at) override;
  Result<std::vector<GateExemption>> ListExemptions(const std::string& project,
                                                    const std::string& environment) override;
  Result<GateStats> GetGateStats() override;

  Status PutEnvironment(const EnvironmentRow& row) override;
  Result<EnvironmentRow> GetEnvironment(const std::string& project,
                                        const std::string& environment) override;
  Result<std::vector<EnvironmentRow>> ListEnvironments() override;
  Status DeleteEnvironment(const std::string& project, const std::string& environment) override;
  Status PutDeploy(const DeployRow& row) override;
  Result<std::vector<DeployRow>> ListDeploys(const std::string& project,
                                             const std::string& environment) override;

  Result<bool> HoldLeadership(std::string_view name) override { return db_->HoldLeadership(name); }

  // For tests: how many log chunks ReadLog has decompressed since Open (a range read of a
  // large log must touch only the chunks that cover the range).
  int64_t log_chunks_decoded() const { return log_chunks_decoded_.load(); }
  // For tests that tamper with the database directly.
  SqlDatabase& database() { return *db_; }

 private:
  // A log chunk at `at` (idempotent by offset, refused once closed), or a server note at the
  // end (`at` nullopt; closed or not).
  Status Append(int64_t attempt_id, std::optional<int64_t> at, std::string_view data);
  Status Read(const std::function<Status(SqlTx&)>& body) {
    return db_->Transact(TxMode::kRead, body);
  }
  Status Write(const std::function<Status(SqlTx&)>& body) {
    return db_->Transact(TxMode::kWrite, body);
  }

  std::unique_ptr<SqlDatabase> db_;
  LogCodec log_codec_;
  std::atomic<int64_t> log_chunks_decoded_{0};
};

}  // namespace slipway::store
