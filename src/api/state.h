// What every handler shares: the context, the store (watched for failing writes), the
// long-poll broker, log followers, repository mirrors and the audit writer. Owned by the router's
// handlers (shared_ptr), so it lives exactly as long as the http::Server that runs them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/alert_intake.h"
#include "api/api.h"
#include "api/json_io.h"
#include "api/lease_broker.h"
#include "api/log_follow.h"
#include "api/registry_tokens.h"
#include "api/repositories.h"
#include "api/watched_store.h"

namespace slipway::api {

struct ApiState {
  explicit ApiState(const ApiContext& context);
  ApiState(const ApiState&) = delete;
  ApiState& operator=(const ApiState&) = delete;

  store::Time Now() const;
  // server_url + path, for Location headers.
  std::string Location(std::string_view path) const;

  ApiContext context;
  WatchedStore watched_store;  // context.store, noting whether writes succeed
  store::Store* store;         // &watched_store
  Repositories repositories;
  RegistryTokens registry_tokens;
  std::unique_ptr<DeployControl> own_deploy_control;  // over context.deployments
  DeployControl* deploy_control =
      nullptr;  // context.deploy_control, else own_deploy_control, or null
  // Declared last: their threads stop (and are joined) before anything above goes away.
  LeaseBroker leases;
  LogFollowers followers;
};

// Appends an audit record. `actor` is the token's name (or "webhook:<provider>"); `details`
// must never hold a secret. A failure means the change was made but not recorded: the caller
// answers 503 saying so.
Status Audit(ApiState& state, const std::string& actor, std::string action, std::string target,
             Json details);

// The response for a change that was made but whose audit record could not be written.
http::Response AuditFailed(const Status& status);

}  // namespace slipway::api
