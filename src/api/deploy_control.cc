// MakeDeployControl: alert intake's view of deploy::Deployments.
#include "api/alert_intake.h"
#include "deploy/deploy.h"

namespace slipway::api {
namespace {

class DeploymentsControl final : public DeployControl {
 public:
  explicit DeploymentsControl(deploy::Deployments& deployments) : deployments_(deployments) {}

  std::optional<Current> CurrentDeploy(const std::string& project,
                                       const std::string& environment) override {
    // History ends with the rollout in progress, if any (deploy.h).
    Result<std::vector<deploy::DeployRecord>> history = deployments_.History(project, environment);
    if (!history.ok() || history->empty()) return std::nullopt;
    const deploy::DeployRecord& last = history->back();
    return Current{.deploy_id = last.id, .rolling_out = last.outcome == "running"};
  }

  Status Rollback(const std::string& project, const std::string& environment,
                  const std::string& reason) override {
    return deployments_.Rollback(project, environment, reason);
  }

 private:
  deploy::Deployments& deployments_;
};

}  // namespace

std::unique_ptr<DeployControl> MakeDeployControl(deploy::Deployments& deployments) {
  return std::make_unique<DeploymentsControl>(deployments);
}

}  // namespace slipway::api
