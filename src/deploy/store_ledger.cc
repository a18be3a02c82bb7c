// MakeStoreLedger: environments' desired state and deploy records in the server's store
// (SQLite or PostgreSQL), beside runs, gates and alerts.
#include "deploy/deploy.h"
#include "deploy/ledger_json.h"
#include "store/store.h"

namespace slipway::deploy {

namespace {

store::EnvironmentRow ToRow(const DesiredState& state) {
  return {.project = state.project,
          .environment = state.environment,
          .pipeline_file = state.pipeline_file,
          .pipeline_yaml = state.pipeline_yaml,
          .next_revision = state.next_revision,
          .next_deploy = state.next_deploy,
          .stable_json = state.stable ? RevisionJson(*state.stable) : "",
          .updated_at = std::chrono::system_clock::now()};
}

Result<DesiredState> FromRow(const store::EnvironmentRow& row) {
  DesiredState state{.project = row.project,
                     .environment = row.environment,
                     .pipeline_file = row.pipeline_file,
                     .pipeline_yaml = row.pipeline_yaml,
                     .next_revision = row.next_revision,
                     .next_deploy = row.next_deploy,
                     .stable = std::nullopt};
  if (!row.stable_json.empty()) {
    Result<RevisionSpec> stable = ParseRevisionJson(row.stable_json);
    if (!stable.ok()) {
      return stable.status().WithContext("environment " + row.environment + " of " + row.project);
    }
    state.stable = std::move(stable.value());
  }
  return state;
}

class StoreLedger final : public EnvironmentLedger {
 public:
  explicit StoreLedger(store::Store& store) : store_(store) {}

  Result<DesiredState> Load(const std::string& project, const std::string& environment) override {
    SLIPWAY_ASSIGN_OR_RETURN(store::EnvironmentRow row,
                             store_.GetEnvironment(project, environment));
    return FromRow(row);
  }

  Status Save(const DesiredState& state) override { return store_.PutEnvironment(ToRow(state)); }

  Status RecordDeploy(const DeployRecord& record) override {
    return store_.PutDeploy(
        {.project = record.project,
         .environment = record.environment,
         .deploy_id = record.id,
         .revision = record.revision,
         .digest = record.digest,
         .outcome = record.outcome,
         .triggered_by = record.triggered_by,
         .started = record.started,
         .finished = record.outcome == "running" ? record.started : record.finished,
         .record_json = DeployRecordJson(record)});
  }

  Result<std::vector<DeployRecord>> Deploys(const std::string& project,
                                            const std::string& environment) override {
    SLIPWAY_RETURN_IF_ERROR(store_.GetEnvironment(project, environment).status());
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::DeployRow> rows,
                             store_.ListDeploys(project, environment));
    std::vector<DeployRecord> records;
    for (const store::DeployRow& row : rows) {
      Result<DeployRecord> record = ParseDeployRecordJson(row.record_json);
      if (!record.ok()) {
        return record.status().WithContext("deploy " + std::to_string(row.deploy_id) + " of " +
                                           environment);
      }
      records.push_back(std::move(record.value()));
    }
    return records;
  }

  Result<std::vector<DesiredState>> Environments() override {
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::EnvironmentRow> rows, store_.ListEnvironments());
    std::vector<DesiredState> states;
    for (const store::EnvironmentRow& row : rows) {
      SLIPWAY_ASSIGN_OR_RETURN(DesiredState state, FromRow(row));
      states.push_back(std::move(state));
    }
    return states;
  }

  Status Forget(const std::string& project, const std::string& environment) override {
    return store_.DeleteEnvironment(project, environment);
  }

 private:
  store::Store& store_;
};

}  // namespace

std::unique_ptr<EnvironmentLedger> MakeStoreLedger(store::Store& store) {
  return std::make_unique<StoreLedger>(store);
}

}  // namespace slipway::deploy
