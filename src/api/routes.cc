// The route table: every route of docs/api.md with its access rule, body limit and handler,
// and MakeRouter, which registers exactly this table.
#include "api/auth.h"
#include "api/handlers.h"
#include "api/registry_api.h"
#include "triggers/triggers.h"

namespace slipway::api {
namespace {

using store::Role;

struct RouteSpec {
  const char* method;
  const char* pattern;
  AccessRule access;
  uint64_t max_body;  // bytes; larger bodies are refused with 413 before the handler runs
  Handler handler;
  bool streamed = false;  // the handler reads the body itself (http::RouteOptions::streaming_body)
};

constexpr uint64_t kJson = uint64_t{1} << 20;                  // JSON bodies, and none
constexpr uint64_t kWebhook = triggers::kMaxWebhookBodyBytes;  // 5 MiB
constexpr uint64_t kLogChunk = uint64_t{1} << 20;              // the store's chunk limit
// Artifact archives: the artifact store's limit (ArtifactStore::max_bytes) applies, in the
// handler, which reads the body as a stream.
constexpr uint64_t kArtifacts = UINT64_MAX;
constexpr bool kStreamed = true;

constexpr AccessRule kPublic{.access = Access::kPublic};
constexpr AccessRule kAnyToken{.access = Access::kAnyToken};
constexpr AccessRule kAgent{.access = Access::kAgent};
constexpr AccessRule kRegistration{.access = Access::kRegistration};
constexpr AccessRule User(Role role, Scope scope) {
  return {.access = Access::kUser, .role = role, .scope = scope};
}
constexpr Scope kProject = Scope::kProject;
constexpr Scope kAny = Scope::kAnyProject;
constexpr Scope kAll = Scope::kAllProjects;

// BEGIN ROUTES
// One entry per route, starting {"METHOD", "/pattern", …}: tests/docs/validate_docs.mjs reads
// these lines to compare them with docs/openapi.yaml, and tests/api/routes_test.cc checks that
// the lines are exactly what MakeRouter registers.
const RouteSpec kRoutes[] = {
    {"GET", "/healthz", kPublic, kJson, &HealthCheck},
    {"POST", "/hooks/{provider}/{project}", kPublic, kWebhook, &ReceiveWebhook},
    {"GET", "/api/v1/whoami", kAnyToken, kJson, &Whoami},
    {"GET", "/api/v1/projects", User(Role::kViewer, kAny), kJson, &ListProjects},
    {"POST", "/api/v1/projects", User(Role::kAdmin, kAll), kJson, &AddProject},
    {"GET", "/api/v1/projects/{project}", User(Role::kViewer, kProject), kJson, &GetProject},
    {"DELETE", "/api/v1/projects/{project}", User(Role::kAdmin, kProject), kJson, &RemoveProject},
    {"GET", "/api/v1/projects/{project}/runs", User(Role::kViewer, kProject), kJson, &ListRuns},
    {"POST", "/api/v1/projects/{project}/runs", User(Role::kDeveloper, kProject), kJson, &StartRun},
    {"GET", "/api/v1/projects/{project}/runs/{number}", User(Role::kViewer, kProject), kJson,
     &GetRun},
    {"POST", "/api/v1/projects/{project}/runs/{number}/cancel", User(Role::kDeveloper, kProject),
     kJson, &CancelRun},
    {"GET", "/api/v1/projects/{project}/runs/{number}/logs", User(Role::kViewer, kProject), kJson,
     &GetRunLog},
    {"GET", "/api/v1/projects/{project}/runs/{number}/jobs/{instance}/logs",
     User(Role::kViewer, kProject), kJson, &GetLog},
    {"GET", "/api/v1/projects/{project}/runs/{number}/jobs/{instance}/artifacts",
     User(Role::kViewer, kProject), kJson, &GetJobArtifacts},
    {"GET", "/api/v1/tokens", User(Role::kAdmin, kAll), kJson, &ListTokens},
    {"POST", "/api/v1/tokens", User(Role::kAdmin, kAll), kJson, &CreateToken},
    {"DELETE", "/api/v1/tokens/{id}", User(Role::kAdmin, kAll), kJson, &RevokeToken},
    {"POST", "/api/v1/agents/register", kRegistration, kJson, &RegisterAgent},
    {"GET", "/api/v1/agents", User(Role::kViewer, kAny), kJson, &ListAgents},
    {"POST", "/api/v1/agent/lease", kAgent, kJson, &LeaseJob},
    {"POST", "/api/v1/agent/attempts/{attempt}/heartbeat", kAgent, kJson, &Heartbeat},
    {"POST", "/api/v1/agent/attempts/{attempt}/log", kAgent, kLogChunk, &AppendLog},
    {"POST", "/api/v1/agent/attempts/{attempt}/finish", kAgent, kJson, &FinishAttempt},
    {"PUT", "/api/v1/agent/attempts/{attempt}/artifacts", kAgent, kArtifacts, &PutArtifacts,
     kStreamed},
    {"GET", "/api/v1/agent/attempts/{attempt}/artifacts/{source}", kAgent, kJson,
     &GetNeededArtifacts},
    {"GET", "/api/v1/audit", User(Role::kAdmin, kAll), kJson, &ListAudit},
    {"GET", "/api/v1/audit/verify", User(Role::kAdmin, kAll), kJson, &VerifyAudit},
    {"GET", "/api/v1/registry/settings", User(Role::kViewer, kAny), kJson, &GetRegistrySettings},
    {"PUT", "/api/v1/registry/settings", User(Role::kAdmin, kAny), kJson, &PutRegistrySettings},
    {"GET", "/api/v1/projects/{project}/environments", User(Role::kViewer, kProject), kJson,
     &ListEnvironments},
    {"GET", "/api/v1/projects/{project}/environments/{environment}", User(Role::kViewer, kProject),
     kJson, &GetEnvironment},
    {"GET", "/api/v1/projects/{project}/environments/{environment}/deploys",
     User(Role::kViewer, kProject), kJson, &ListDeploys},
    {"GET", "/api/v1/projects/{project}/environments/{environment}/analyses",
     User(Role::kViewer, kProject), kJson, &ListAnalyses},
    {"GET", "/api/v1/projects/{project}/environments/{environment}/analyses/{analysis}",
     User(Role::kViewer, kProject), kJson, &GetAnalysis},
    {"POST", "/api/v1/projects/{project}/environments/{environment}/rollback",
     User(Role::kDeveloper, kProject), kJson, &RollbackEnvironment},
    {"POST", "/api/v1/projects/{project}/environments/{environment}/approve",
     User(Role::kDeveloper, kProject), kJson, &ApproveEnvironment},
    {"DELETE", "/api/v1/projects/{project}/environments/{environment}",
     User(Role::kAdmin, kProject), kJson, &DestroyEnvironment},
    {"GET", "/api/v1/projects/{project}/slos", User(Role::kViewer, kProject), kJson,
     &ListProjectSlos},
    {"POST", "/api/v1/projects/{project}/environments/{environment}/reject",
     User(Role::kDeveloper, kProject), kJson, &RejectEnvironment},
    {"GET", "/api/v1/projects/{project}/environments/{environment}/deploys/{deploy}/gate",
     User(Role::kViewer, kProject), kJson, &GetDeployGate},
    {"GET", "/api/v1/projects/{project}/environments/{environment}/exemptions",
     User(Role::kViewer, kProject), kJson, &ListExemptions},
    {"POST", "/api/v1/projects/{project}/environments/{environment}/exemptions",
     User(Role::kReleaser, kProject), kJson, &CreateExemption},
    {"POST", "/api/v1/projects/{project}/environments/{environment}/exemptions/{exemption}/approve",
     User(Role::kReleaser, kProject), kJson, &ApproveExemption},
    {"GET", "/api/v1/signing-keys", kPublic, kJson, &ListSigningKeys},
    {"POST", "/api/v1/signing-keys/rotate", User(Role::kAdmin, kAll), kJson, &RotateSigningKey},
    {"POST", "/api/v1/alerts/alertmanager", User(Role::kDeveloper, kAll), kWebhook,
     &ReceiveAlertmanager},
    {"GET", "/api/v1/alerts", User(Role::kViewer, kAny), kJson, &ListAlerts},
    {"GET", "/api/v1/incidents", User(Role::kViewer, kAny), kJson, &ListIncidents},
    {"GET", "/metrics", User(Role::kViewer, kAll), kJson, &ServerMetrics},
};
// END ROUTES

http::Response NoAccessRule(http::Request&) {
  return http::Response::JsonError(403, "permission_denied", "this route has no access rule");
}

}  // namespace

Result<http::Router> MakeRouter(const ApiContext& context) {
  if (context.store == nullptr || context.agents == nullptr || context.work == nullptr ||
      context.dispatch == nullptr) {
    return InvalidArgument("api::MakeRouter needs store, agents, work and dispatch");
  }
  auto state = std::make_shared<ApiState>(context);
  http::Router router;
  // A safety net: every route below brings its own authorizer or is public.
  router.SetAuthorizer([](http::Request& request) -> std::optional<http::Response> {
    return NoAccessRule(request);
  });
  for (const RouteSpec& route : kRoutes) {
    http::RouteOptions options;
    options.max_body = route.max_body;
    options.streaming_body = route.streamed;
    if (route.access.access == Access::kPublic) {
      options.is_public = true;
    } else {
      options.authorize = [state, authorize = MakeAuthorizer(*state, route.access)](
                              http::Request& request) { return authorize(request); };
    }
    router.Add(
        route.method, route.pattern,
        [state, handler = route.handler](http::Request& request) {
          return handler(*state, request);
        },
        std::move(options));
  }
  if (context.registry != nullptr) AddRegistryRoutes(state, router);
  SLIPWAY_RETURN_IF_ERROR(router.status());
  return router;
}

std::vector<RouteInfo> Routes() {
  std::vector<RouteInfo> routes;
  for (const RouteSpec& route : kRoutes) routes.push_back({route.method, route.pattern});
  return routes;
}

}  // namespace slipway::api
