// A forwarding store::Store that fails every write with kUnavailable while `fail_writes` is
// set, the way a full disk or a read-only database file does; reads always go through. Hooks
// let a test fail one kind of write alone, or make another writer act at an exact point (the
// races of cancel_test.cc).
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "api_fixture.h"
#include "store/store.h"

namespace slipway::api::testing {

class FaultStore final : public store::Store {
 public:
  explicit FaultStore(store::Store* base) : base_(base) {}
  std::atomic<bool> fail_writes{false};
  // CreateRun and CreateDeliveredRun alone fail, as on a full disk.
  std::atomic<bool> fail_create_run{false};
  // Set before the calls they watch can happen (they are read without a lock).
  std::function<void(const store::Run&)> after_get_run;      // GetRunByNumber read this run
  std::function<void(const store::Run&)> before_update_run;  // UpdateRun is about to write

  using Time = store::Time;
  Result<store::Project> CreateProject(const store::Project& p) override {
    return Write([&] { return base_->CreateProject(p); });
  }
  Result<store::Project> GetProject(std::string_view name) override {
    return base_->GetProject(name);
  }
  Result<store::Project> GetProjectById(int64_t id) override { return base_->GetProjectById(id); }
  Result<std::vector<store::Project>> ListProjects() override { return base_->ListProjects(); }
  Status DeleteProject(std::string_view name) override {
    return Write([&] { return base_->DeleteProject(name); });
  }
  Status SetPolledCommits(int64_t id, const std::string& json) override {
    return Write([&] { return base_->SetPolledCommits(id, json); });
  }
  Result<store::Run> CreateRun(store::Run run, std::vector<store::Job> jobs) override {
    if (fail_create_run) return Unavailable("database or disk is full (injected)");
    return Write([&] { return base_->CreateRun(std::move(run), std::move(jobs)); });
  }
  Result<store::Run> CreateDeliveredRun(const store::Delivery& delivery, store::Run run,
                                        std::vector<store::Job> jobs) override {
    if (fail_create_run) return Unavailable("database or disk is full (injected)");
    return Write(
        [&] { return base_->CreateDeliveredRun(delivery, std::move(run), std::move(jobs)); });
  }
  Result<store::Run> GetRun(int64_t id) override { return base_->GetRun(id); }
  Result<store::Run> GetRunByNumber(int64_t project, int64_t number) override {
    auto run = base_->GetRunByNumber(project, number);
    if (run.ok() && after_get_run) after_get_run(*run);
    return run;
  }
  Result<std::vector<store::Run>> ListRuns(const store::RunFilter& filter) override {
    return base_->ListRuns(filter);
  }
  Result<std::vector<store::Run>> ListUnfinishedRuns() override {
    return base_->ListUnfinishedRuns();
  }
  Status UpdateRun(const store::Run& run) override {
    if (before_update_run) before_update_run(run);
    return Write([&] { return base_->UpdateRun(run); });
  }
  Result<store::CancelOutcome> RequestCancel(int64_t run_id) override {
    return Write([&] { return base_->RequestCancel(run_id); });
  }
  Result<std::vector<store::Job>> ListJobs(int64_t run_id) override {
    return base_->ListJobs(run_id);
  }
  Result<store::Job> GetJob(int64_t id) override { return base_->GetJob(id); }
  Status UpdateJobs(const std::vector<store::Job>& jobs) override {
    return Write([&] { return base_->UpdateJobs(jobs); });
  }
  Result<int> UpdateJobsIf(const std::vector<store::Store::JobUpdate>& updates) override {
    return Write([&] { return base_->UpdateJobsIf(updates); });
  }
  Result<std::optional<store::Lease>> LeaseJob(const store::LeaseRequest& r) override {
    return Write([&] { return base_->LeaseJob(r); });
  }
  Status RenewLease(int64_t id, std::string_view token, Time expires, Time now) override {
    return Write([&] { return base_->RenewLease(id, token, expires, now); });
  }
  Status FinishAttempt(int64_t id, std::string_view token,
                       const store::AttemptResult& result) override {
    return Write([&] { return base_->FinishAttempt(id, token, result); });
  }
  Result<std::vector<store::Attempt>> ExpireLeases(Time now) override {
    return Write([&] { return base_->ExpireLeases(now); });
  }
  Result<std::vector<store::Attempt>> ListAttempts(int64_t job_id) override {
    return base_->ListAttempts(job_id);
  }
  Result<store::Attempt> GetAttempt(int64_t id) override { return base_->GetAttempt(id); }
  Status AppendLog(int64_t id, int64_t offset, std::string_view data) override {
    return Write([&] { return base_->AppendLog(id, offset, data); });
  }
  Status AppendLogNote(int64_t id, std::string_view data) override {
    return Write([&] { return base_->AppendLogNote(id, data); });
  }
  Status CloseLog(int64_t id) override {
    return Write([&] { return base_->CloseLog(id); });
  }
  Result<store::LogSlice> ReadLog(int64_t id, int64_t offset, int64_t max) override {
    return base_->ReadLog(id, offset, max);
  }
  Result<store::Agent> RegisterAgent(const store::Agent& agent) override {
    return Write([&] { return base_->RegisterAgent(agent); });
  }
  Result<store::AgentRegistration> RegisterAgentWithToken(const store::Agent& agent,
                                                          const store::Token& token) override {
    return Write([&] { return base_->RegisterAgentWithToken(agent, token); });
  }
  Result<std::vector<store::Agent>> ListAgents() override { return base_->ListAgents(); }
  Status TouchAgent(int64_t id, Time now) override {
    return Write([&] { return base_->TouchAgent(id, now); });
  }
  Result<store::Token> CreateToken(const store::Token& token) override {
    return Write([&] { return base_->CreateToken(token); });
  }
  Result<store::Token> FindToken(std::string_view hash) override { return base_->FindToken(hash); }
  Result<std::vector<store::Token>> ListTokens() override { return base_->ListTokens(); }
  Status RevokeToken(int64_t id) override {
    return Write([&] { return base_->RevokeToken(id); });
  }
  Status TouchToken(int64_t id, Time now) override {
    return Write([&] { return base_->TouchToken(id, now); });
  }
  Result<store::AuditRecord> AppendAudit(const store::AuditRecord& record) override {
    return Write([&] { return base_->AppendAudit(record); });
  }
  Result<std::vector<store::AuditRecord>> ListAudit(int64_t after, int limit) override {
    return base_->ListAudit(after, limit);
  }
  Result<store::AlertBatchResult> RecordAlerts(const std::vector<store::Alert>& alerts) override {
    return Write([&] { return base_->RecordAlerts(alerts); });
  }
  Result<std::vector<store::Alert>> ListAlerts(const store::AlertFilter& filter) override {
    return base_->ListAlerts(filter);
  }
  Result<std::vector<store::Incident>> ListIncidents(const store::IncidentFilter& filter) override {
    return base_->ListIncidents(filter);
  }
  Result<store::AlertStats> GetAlertStats() override { return base_->GetAlertStats(); }
  Result<store::GateDecision> RecordGateDecision(const store::GateDecision& decision) override {
    return Write([&] { return base_->RecordGateDecision(decision); });
  }
  Result<std::vector<store::GateDecision>> ListGateDecisions(const std::string& project,
                                                             const std::string& environment,
                                                             int64_t deploy_id) override {
    return base_->ListGateDecisions(project, environment, deploy_id);
  }
  Result<store::DeployApproval> AddApproval(const store::DeployApproval& approval) override {
    return Write([&] { return base_->AddApproval(approval); });
  }
  Result<std::vector<store::DeployApproval>> ListApprovals(const std::string& project,
                                                           const std::string& environment,
                                                           int64_t deploy_id) override {
    return base_->ListApprovals(project, environment, deploy_id);
  }
  Result<store::GateExemption> CreateExemption(const store::GateExemption& exemption) override {
    return Write([&] { return base_->CreateExemption(exemption); });
  }
  Result<store::GateExemption> GetExemption(int64_t id) override { return base_->GetExemption(id); }
  Result<store::GateExemption> ApproveExemption(int64_t id, const std::string& approver,
                                                Time at) override {
    return Write([&] { return base_->ApproveExemption(id, approver, at); });
  }
  Result<std::vector<store::GateExemption>> ListExemptions(
      const std::string& project, const std::string& environment) override {
    return base_->ListExemptions(project, environment);
  }
  Result<store::GateStats> GetGateStats() override { return base_->GetGateStats(); }
  Status PutEnvironment(const store::EnvironmentRow& row) override {
    return Write([&] { return base_->PutEnvironment(row); });
  }
  Result<store::EnvironmentRow> GetEnvironment(const std::string& project,
                                               const std::string& environment) override {
    return base_->GetEnvironment(project, environment);
  }
  Result<std::vector<store::EnvironmentRow>> ListEnvironments() override {
    return base_->ListEnvironments();
  }
  Status DeleteEnvironment(const std::string& project, const std::string& environment) override {
    return Write([&] { return base_->DeleteEnvironment(project, environment); });
  }
  Status PutDeploy(const store::DeployRow& row) override {
    return Write([&] { return base_->PutDeploy(row); });
  }
  Result<std::vector<store::DeployRow>> ListDeploys(const std::string& project,
                                                    const std::string& environment) override {
    return base_->ListDeploys(project, environment);
  }
  Result<bool> HoldLeadership(std::string_view name) override {
    return base_->HoldLeadership(name);
  }

 private:
  template <typename Call>
  auto Write(Call call) -> decltype(call()) {
    if (fail_writes) return Unavailable("database or disk is full (injected)");
    return call();
  }

  store::Store* base_;
};

// A test fixture `Fixture` (ApiTest or one derived from it) whose API runs over a FaultStore
// wrapping the fixture's store: `faulty_`.
template <typename Fixture>
class WithFaultStore : public Fixture {
 protected:
  ApiContext Context() override {
    faulty_ = std::make_unique<FaultStore>(this->store_.get());
    ApiContext context = Fixture::Context();
    context.store = faulty_.get();
    return context;
  }
  void TearDown() override {
    this->server_.reset();  // before the store it serves
    faulty_.reset();
    Fixture::TearDown();
  }
  std::unique_ptr<FaultStore> faulty_;
};

}  // namespace slipway::api::testing
