#include "api/state.h"

namespace slipway::api {

ApiState::ApiState(const ApiContext& context)
    : context(context),
      watched_store(context.store),
      store(&watched_store),
      repositories(context.data_dir, context.git_timeout),
      leases(context.agents, context.work),
      followers(&watched_store, context.log_poll, context.max_log_followers) {
  if (context.deploy_control == nullptr && context.deployments != nullptr) {
    own_deploy_control = MakeDeployControl(*context.deployments);
  }
  deploy_control =
      context.deploy_control != nullptr ? context.deploy_control : own_deploy_control.get();
}

store::Time ApiState::Now() const {
  return context.now ? context.now() : std::chrono::system_clock::now();
}

std::string ApiState::Location(std::string_view path) const {
  std::string base = context.server_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path);
}

}  // namespace slipway::api
