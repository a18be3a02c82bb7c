// change.files of the gate's input: what the deploy changes relative to what the environment
// runs. The deploy records say which run deployed the serving revision; the gate ledger (the
// server's repository mirrors) diffs that run's commit with the deploying run's.
#include "deploy/gate.h"

namespace slipway::deploy {
namespace {

std::string FileCount(size_t count) {
  return std::to_string(count) + (count == 1 ? " file" : " files");
}

// The run whose deploy made `revision` serve `environment`: the latest succeeded deploy of it.
Result<std::string> RunThatDeployed(EnvironmentLedger& environments, const std::string& project,
                                    const std::string& environment, const std::string& revision) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<DeployRecord> records,
                           environments.Deploys(project, environment));
  for (auto record = records.rbegin(); record != records.rend(); ++record) {
    if (record->revision != revision || record->outcome != "succeeded") continue;
    if (record->run_id.empty()) {
      return NotFound("the deploy that made " + revision + " serve " + environment +
                      " names no run");
    }
    return record->run_id;
  }
  return NotFound("no record of the deploy that made " + revision + " serve " + environment);
}

}  // namespace

std::optional<std::vector<std::string>> ChangedFilesOf(const DeploymentsOptions& options,
                                                       EnvironmentLedger& environments,
                                                       const GateSubject& subject,
                                                       const std::string& environment) {
  const runner::DeployRequest& request = *subject.request;
  auto unknown = [&](const std::string& why) -> std::optional<std::vector<std::string>> {
    request.log->Line("gate: change.files is unknown: " + why);
    return std::nullopt;
  };
  if (options.ledger == nullptr) {
    return unknown("`slipway run` does not record the commit an environment runs");
  }
  std::string deployed_run;  // "": nothing serves the environment, every file counts
  if (!subject.serving_revision.empty()) {
    Result<std::string> run =
        RunThatDeployed(environments, request.project, environment, subject.serving_revision);
    if (!run.ok()) return unknown(run.status().message());
    deployed_run = run.value();
  }
  Result<std::vector<std::string>> files =
      options.ledger->ChangedFiles(request.project, deployed_run, request.run_id);
  if (!files.ok()) return unknown(files.status().message());
  if (files->size() > policy::kMaxChangedFiles) {
    return unknown(FileCount(files->size()) + " changed, more than the " +
                   std::to_string(policy::kMaxChangedFiles) + " a gate lists");
  }
  request.log->Line(deployed_run.empty()
                        ? "gate: change.files: every file of the commit, " +
                              FileCount(files->size()) + " (nothing was deployed to " +
                              environment + " before)"
                        : "gate: change.files: " + FileCount(files->size()) + " changed since " +
                              subject.serving_revision + " (run " + deployed_run + ")");
  return std::move(files).value();
}

}  // namespace slipway::deploy
