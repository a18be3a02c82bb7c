#include "api/watched_store.h"

namespace slipway::api {

using store::Time;

std::optional<std::string> WatchedStore::write_problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

Status WatchedStore::Wrote(Status status) {
  std::lock_guard lock(mutex_);
  if (status.ok()) {
    problem_.reset();
  } else if (status.code() == StatusCode::kUnavailable) {
    problem_ = status.message();
  }
  return status;
}

// Writes.
Result<store::Project> WatchedStore::CreateProject(const store::Project& p) {
  return Wrote(base_->CreateProject(p));
}
Status WatchedStore::DeleteProject(std::string_view name) {
  return Wrote(base_->DeleteProject(name));
}
Status WatchedStore::SetPolledCommits(int64_t id, const std::string& json) {
  return Wrote(base_->SetPolledCommits(id, json));
}
Result<store::Run> WatchedStore::CreateRun(store::Run run, std::vector<store::Job> jobs) {
  return Wrote(base_->CreateRun(std::move(run), std::move(jobs)));
}
Result<store::Run> WatchedStore::CreateDeliveredRun(const store::Delivery& delivery, store::Run run,
                                                    std::vector<store::Job> jobs) {
  return Wrote(base_->CreateDeliveredRun(delivery, std::move(run), std::move(jobs)));
}
Status WatchedStore::UpdateRun(const store::Run& run) { return Wrote(base_->UpdateRun(run)); }
Result<store::CancelOutcome> WatchedStore::RequestCancel(int64_t run_id) {
  return Wrote(base_->RequestCancel(run_id));
}
Status WatchedStore::UpdateJobs(const std::vector<store::Job>& jobs) {
  return Wrote(base_->UpdateJobs(jobs));
}

Result<int> WatchedStore::UpdateJobsIf(const std::vector<store::Store::JobUpdate>& updates) {
  return Wrote(base_->UpdateJobsIf(updates));
}
Result<std::optional<store::Lease>> WatchedStore::LeaseJob(const store::LeaseRequest& r) {
  return Wrote(base_->LeaseJob(r));
}
Status WatchedStore::RenewLease(int64_t id, std::string_view token, Time expires, Time now) {
  return Wrote(base_->RenewLease(id, token, expires, now));
}
Status WatchedStore::FinishAttempt(int64_t id, std::string_view token,
                                   const store::AttemptResult& result) {
  return Wrote(base_->FinishAttempt(id, token, result));
}
Result<std::vector<store::Attempt>> WatchedStore::ExpireLeases(Time now) {
  return Wrote(base_->ExpireLeases(now));
}
Status WatchedStore::AppendLog(int64_t id, int64_t offset, std::string_view data) {
  return Wrote(base_->AppendLog(id, offset, data));
}
Status WatchedStore::AppendLogNote(int64_t id, std::string_view data) {
  return Wrote(base_->AppendLogNote(id, data));
}
Status WatchedStore::CloseLog(int64_t id) { return Wrote(base_->CloseLog(id)); }
Result<store::Agent> WatchedStore::RegisterAgent(const store::Agent& agent) {
  return Wrote(base_->RegisterAgent(agent));
}
Result<store::AgentRegistration> WatchedStore::RegisterAgentWithToken(const store::Agent& agent,
                                                                      const store::Token& token) {
  return Wrote(base_->RegisterAgentWithToken(agent, token));
}
Status WatchedStore::TouchAgent(int64_t id, Time now) { return Wrote(base_->TouchAgent(id, now)); }
Result<store::Token> WatchedStore::CreateToken(const store::Token& token) {
  return Wrote(base_->CreateToken(token));
}
Status WatchedStore::RevokeToken(int64_t id) { return Wrote(base_->RevokeToken(id)); }
Status WatchedStore::TouchToken(int64_t id, Time now) { return Wrote(base_->TouchToken(id, now)); }
Result<store::AuditRecord> WatchedStore::AppendAudit(const store::AuditRecord& record) {
  return Wrote(base_->AppendAudit(record));
}

// Reads.
Result<store::Project> WatchedStore::GetProject(std::string_view name) {
  return base_->GetProject(name);
}
Result<store::Project> WatchedStore::GetProjectById(int64_t id) {
  return base_->GetProjectById(id);
}
Result<std::vector<store::Project>> WatchedStore::ListProjects() { return base_->ListProjects(); }
Result<store::Run> WatchedStore::GetRun(int64_t id) { return base_->GetRun(id); }
Result<store::Run> WatchedStore::GetRunByNumber(int64_t project_id, int64_t number) {
  return base_->GetRunByNumber(project_id, number);
}
Result<std::vector<store::Run>> WatchedStore::ListRuns(const store::RunFilter& filter) {
  return base_->ListRuns(filter);
}
Result<std::vector<store::Run>> WatchedStore::ListUnfinishedRuns() {
  return base_->ListUnfinishedRuns();
}
Result<std::vector<store::Job>> WatchedStore::ListJobs(int64_t run_id) {
  return base_->ListJobs(run_id);
}
Result<store::Job> WatchedStore::GetJob(int64_t id) { return base_->GetJob(id); }
Result<std::vector<store::Attempt>> WatchedStore::ListAttempts(int64_t job_id) {
  return base_->ListAttempts(job_id);
}
Result<store::Attempt> WatchedStore::GetAttempt(int64_t id) { return base_->GetAttempt(id); }
Result<store::LogSlice> WatchedStore::ReadLog(int64_t id, int64_t offset, int64_t max_bytes) {
  return base_->ReadLog(id, offset, max_bytes);
}
Result<std::vector<store::Agent>> WatchedStore::ListAgents() { return base_->ListAgents(); }
Result<store::Token> WatchedStore::FindToken(std::string_view hash) {
  return base_->FindToken(hash);
}
Result<std::vector<store::Token>> WatchedStore::ListTokens() { return base_->ListTokens(); }
Result<std::vector<store::AuditRecord>> WatchedStore::ListAudit(int64_t after, int limit) {
  return base_->ListAudit(after, limit);
}
Result<store::AlertBatchResult> WatchedStore::RecordAlerts(
    const std::vector<store::Alert>& alerts) {
  return Wrote(base_->RecordAlerts(alerts));
}
Result<std::vector<store::Alert>> WatchedStore::ListAlerts(const store::AlertFilter& filter) {
  return base_->ListAlerts(filter);
}
Result<std::vector<store::Incident>> WatchedStore::ListIncidents(
    const store::IncidentFilter& filter) {
  return base_->ListIncidents(filter);
}
Result<store::AlertStats> WatchedStore::GetAlertStats() { return base_->GetAlertStats(); }
Result<store::GateDecision> WatchedStore::RecordGateDecision(const store::GateDecision& decision) {
  return Wrote(base_->RecordGateDecision(decision));
}
Result<std::vector<store::GateDecision>> WatchedStore::ListGateDecisions(
    const std::string& project, const std::string& environment, int64_t deploy_id) {
  return base_->ListGateDecisions(project, environment, deploy_id);
}
Result<store::DeployApproval> WatchedStore::AddApproval(const store::DeployApproval& approval) {
  return Wrote(base_->AddApproval(approval));
}
Result<std::vector<store::DeployApproval>> WatchedStore::ListApprovals(
    const std::string& project, const std::string& environment, int64_t deploy_id) {
  return base_->ListApprovals(project, environment, deploy_id);
}
Result<store::GateExemption> WatchedStore::CreateExemption(const store::GateExemption& exemption) {
  return Wrote(base_->CreateExemption(exemption));
}
Result<store::GateExemption> WatchedStore::GetExemption(int64_t id) {
  return base_->GetExemption(id);
}
Result<store::GateExemption> WatchedStore::ApproveExemption(int64_t id, const std::string& approver,
                                                            store::Time at) {
  return Wrote(base_->ApproveExemption(id, approver, at));
}
Result<std::vector<store::GateExemption>> WatchedStore::ListExemptions(
    const std::string& project, const std::string& environment) {
  return base_->ListExemptions(project, environment);
}
Result<store::GateStats> WatchedStore::GetGateStats() { return base_->GetGateStats(); }
Status WatchedStore::PutEnvironment(const store::EnvironmentRow& row) {
  return Wrote(base_->PutEnvironment(row));
}
Result<store::EnvironmentRow> WatchedStore::GetEnvironment(const std::string& project,
                                                           const std::string& environment) {
  return base_->GetEnvironment(project, environment);
}
Result<std::vector<store::EnvironmentRow>> WatchedStore::ListEnvironments() {
  return base_->ListEnvironments();
}
Status WatchedStore::DeleteEnvironment(const std::string& project, const std::string& environment) {
  return Wrote(base_->DeleteEnvironment(project, environment));
}
Status WatchedStore::PutDeploy(const store::DeployRow& row) { return Wrote(base_->PutDeploy(row)); }
Result<std::vector<store::DeployRow>> WatchedStore::ListDeploys(const std::string& project,
                                                                const std::string& environment) {
  return base_->ListDeploys(project, environment);
}
Result<bool> WatchedStore::HoldLeadership(std::string_view name) {
  return base_->HoldLeadership(name);
}

}  // namespace slipway::api
