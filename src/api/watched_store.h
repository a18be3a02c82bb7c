// A forwarding store::Store that remembers whether the database takes writes: a full disk or a
// read-only file makes writes fail with kUnavailable while reads go on, and /healthz reports
// the server as degraded until a write succeeds again.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "store/store.h"

namespace slipway::api {

class WatchedStore final : public store::Store {
 public:
  explicit WatchedStore(store::Store* base) : base_(base) {}

  // The message of the last write that failed with kUnavailable, unless a write succeeded
  // since.
  std::optional<std::string> write_problem() const;

  Result<store::Project> CreateProject(const store::Project& project) override;
  Result<store::Project> GetProject(std::string_view name) override;
  Result<store::Project> GetProjectById(int64_t id) override;
  Result<std::vector<store::Project>> ListProjects() override;
  Status DeleteProject(std::string_view name) override;
  Status SetPolledCommits(int64_t project_id, const std::string& commits_json) override;
  Result<store::Run> CreateRun(store::Run run, std::vector<store::Job> jobs) override;
  Result<store::Run> CreateDeliveredRun(const store::Delivery& delivery, store::Run run,
                                        std::vector<store::Job> jobs) override;
  Result<store::Run> GetRun(int64_t run_id) override;
  Result<store::Run> GetRunByNumber(int64_t project_id, int64_t number) override;
  Result<std::vector<store::Run>> ListRuns(const store::RunFilter& filter) override;
  Result<std::vector<store::Run>> ListUnfinishedRuns() override;
  Status UpdateRun(const store::Run& run) override;
  Result<store::CancelOutcome> RequestCancel(int64_t run_id) override;
  Result<std::vector<store::Job>> ListJobs(int64_t run_id) override;
  Result<store::Job> GetJob(int64_t job_id) override;
  Status UpdateJobs(const std::vector<store::Job>& jobs) override;
  Result<int> UpdateJobsIf(const std::vector<store::Store::JobUpdate>& updates) override;
  Result<std::optional<store::Lease>> LeaseJob(const store::LeaseRequest& request) override;
  Status RenewLease(int64_t attempt_id, std::string_view token, store::Time expires,
                    store::Time now) override;
  Status FinishAttempt(int64_t attempt_id, std::string_view token,
                       const store::AttemptResult& result) override;
  Result<std::vector<store::Attempt>> ExpireLeases(store::Time now) override;
  Result<std::vector<store::Attempt>> ListAttempts(int64_t job_id) override;
  Result<store::Attempt> GetAttempt(int64_t attempt_id) override;
  Status AppendLog(int64_t attempt_id, int64_t offset, std::string_view data) override;
  Status AppendLogNote(int64_t attempt_id, std::string_view data) override;
  Status CloseLog(int64_t attempt_id) override;
  Result<store::LogSlice> ReadLog(int64_t attempt_id, int64_t offset, int64_t max_bytes) override;
  Result<store::Agent> RegisterAgent(const store::Agent& agent) override;
  Result<store::AgentRegistration> RegisterAgentWithToken(const store::Agent& agent,
                                                          const store::Token& token) override;
  Result<std::vector<store::Agent>> ListAgents() override;
  Status TouchAgent(int64_t agent_id, store::Time now) override;
  Result<store::Token> CreateToken(const store::Token& token) override;
  Result<store::Token> FindToken(std::string_view hash) override;
  Result<std::vector<store::Token>> ListTokens() override;
  Status RevokeToken(int64_t token_id) override;
  Status TouchToken(int64_t token_id, store::Time now) override;
  Result<store::AuditRecord> AppendAudit(const store::AuditRecord& record) override;
  Result<std::vector<store::AuditRecord>> ListAudit(int64_t after_seq, int limit) override;
  Result<store::AlertBatchResult> RecordAlerts(const std::vector<store::Alert>& alerts) override;
  Result<std::vector<store::Alert>> ListAlerts(const store::AlertFilter& filter) override;
  Result<std::vector<store::Incident>> ListIncidents(const store::IncidentFilter& filter) override;
  Result<store::AlertStats> GetAlertStats() override;
  Result<store::GateDecision> RecordGateDecision(const store::GateDecision& decision) override;
  Result<std::vector<store::GateDecision>> ListGateDecisions(const std::string& project,
                                                             const std::string& environment,
                                                             int64_t deploy_id) override;
  Result<store::DeployApproval> AddApproval(const store::DeployApproval& approval) override;
  Result<std::vector<store::DeployApproval>> ListApprovals(const std::string& project,
                                                           const std::string& environment,
                                                           int64_t deploy_id) override;
  Result<store::GateExemption> CreateExemption(const store::GateExemption& exemption) override;
  Result<store::GateExemption> GetExemption(int64_t id) override;
  Result<store::GateExemption> ApproveExemption(int64_t id, const std::string& approver,
                                                store::Time at) override;
  Result<std::vector<store::GateExemption>> ListExemptions(const std::string& project,
                                                           const std::string& environment) override;
  Result<store::GateStats> GetGateStats() override;
  Status PutEnvironment(const store::EnvironmentRow& row) override;
  Result<store::EnvironmentRow> GetEnvironment(const std::string& project,
                                               const std::string& environment) override;
  Result<std::vector<store::EnvironmentRow>> ListEnvironments() override;
  Status DeleteEnvironment(const std::string& project, const std::string& environment) override;
  Status PutDeploy(const store::DeployRow& row) override;
  Result<std::vector<store::DeployRow>> ListDeploys(const std::string& project,
                                                    const std::string& environment) override;
  Result<bool> HoldLeadership(std::string_view name) override;

 private:
  // Notes the outcome of a write and passes it on.
  Status Wrote(Status status);
  template <typename T>
  Result<T> Wrote(Result<T> result) {
    (void)Wrote(result.status());
    return result;
  }

  store::Store* base_;
  mutable std::mutex mutex_;
  std::optional<std::string> problem_;
};

}  // namespace slipway::api
