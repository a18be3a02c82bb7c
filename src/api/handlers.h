// The route handlers, grouped by resource (one .cc file each), and the lookups they share.
// routes.cc binds them to methods, paths, access rules and body limits.
//
// Every handler answers with the JSON error shape of docs/api.md on failure and changes no
// stored state when it answers with an error (see api.h for the exceptions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/state.h"
#include "http/http.h"

namespace slipway::api {

using Handler = http::Response (*)(ApiState& state, http::Request& request);

// health.cc
http::Response HealthCheck(ApiState& state, http::Request& request);
// hooks.cc
http::Response ReceiveWebhook(ApiState& state, http::Request& request);
// tokens.cc
http::Response Whoami(ApiState& state, http::Request& request);
http::Response ListTokens(ApiState& state, http::Request& request);
http::Response CreateToken(ApiState& state, http::Request& request);
http::Response RevokeToken(ApiState& state, http::Request& request);
// projects.cc
http::Response ListProjects(ApiState& state, http::Request& request);
http::Response AddProject(ApiState& state, http::Request& request);
http::Response GetProject(ApiState& state, http::Request& request);
http::Response RemoveProject(ApiState& state, http::Request& request);
// runs.cc
http::Response ListRuns(ApiState& state, http::Request& request);
http::Response GetRun(ApiState& state, http::Request& request);
http::Response CancelRun(ApiState& state, http::Request& request);
// run_start.cc
http::Response StartRun(ApiState& state, http::Request& request);
// logs.cc
http::Response GetLog(ApiState& state, http::Request& request);
http::Response GetRunLog(ApiState& state, http::Request& request);
// agents.cc
http::Response RegisterAgent(ApiState& state, http::Request& request);
http::Response ListAgents(ApiState& state, http::Request& request);
// agent_protocol.cc
http::Response LeaseJob(ApiState& state, http::Request& request);
http::Response Heartbeat(ApiState& state, http::Request& request);
http::Response AppendLog(ApiState& state, http::Request& request);
http::Response FinishAttempt(ApiState& state, http::Request& request);
// The {attempt} of an agent route, checked to be leased to the calling agent, and the
// X-Lease-Token it sent: kPermissionDenied for another agent's attempt, kFailedPrecondition
// for one that no longer exists, kInvalidArgument without a lease token.
Status OwnAttempt(ApiState& state, const http::Request& request, store::Attempt* attempt,
                  std::string* lease_token);
// artifacts.cc
http::Response PutArtifacts(ApiState& state, http::Request& request);
http::Response GetNeededArtifacts(ApiState& state, http::Request& request);
http::Response GetJobArtifacts(ApiState& state, http::Request& request);
// environments.cc
http::Response ListEnvironments(ApiState& state, http::Request& request);
http::Response GetEnvironment(ApiState& state, http::Request& request);
http::Response ListDeploys(ApiState& state, http::Request& request);
http::Response ListAnalyses(ApiState& state, http::Request& request);
http::Response GetAnalysis(ApiState& state, http::Request& request);
http::Response RollbackEnvironment(ApiState& state, http::Request& request);
http::Response ApproveEnvironment(ApiState& state, http::Request& request);
http::Response DestroyEnvironment(ApiState& state, http::Request& request);
// gates.cc
http::Response GetDeployGate(ApiState& state, http::Request& request);
http::Response RejectEnvironment(ApiState& state, http::Request& request);
http::Response CreateExemption(ApiState& state, http::Request& request);
http::Response ListExemptions(ApiState& state, http::Request& request);
http::Response ApproveExemption(ApiState& state, http::Request& request);
// When a deploy of the request's environment waits for approvals: records the caller's
// approval (or rejection) of it, checked against protection.approvals, audited; the answer.
// nullopt when none waits (approve then releases a paused rollout).
std::optional<http::Response> RecordApprovalIfAwaited(ApiState& state, http::Request& request,
                                                      bool approve);
// alerts.cc
http::Response ReceiveAlertmanager(ApiState& state, http::Request& request);
http::Response ListAlerts(ApiState& state, http::Request& request);
http::Response ListIncidents(ApiState& state, http::Request& request);
// metrics.cc
http::Response ServerMetrics(ApiState& state, http::Request& request);

// slos.cc
http::Response ListProjectSlos(ApiState& state, http::Request& request);
// The SLO gauges of every project whose pipeline (at its default branch) declares SLOs.
std::string SloMetrics(ApiState& state);
// audit.cc
http::Response ListAudit(ApiState& state, http::Request& request);
http::Response VerifyAudit(ApiState& state, http::Request& request);

// registry_settings.cc
http::Response GetRegistrySettings(ApiState& state, http::Request& request);
http::Response PutRegistrySettings(ApiState& state, http::Request& request);

// signing_keys.cc
http::Response ListSigningKeys(ApiState& state, http::Request& request);
http::Response RotateSigningKey(ApiState& state, http::Request& request);

// lookup.cc: the resources a path names. kNotFound messages name what is missing
// ("project 'hello' does not exist", "run hello/12 does not exist"); kInvalidArgument for a
// malformed number.
Result<store::Project> ProjectOf(ApiState& state, const http::Request& request);
Result<store::Run> RunOf(ApiState& state, const http::Request& request,
                         const store::Project& project);
// A branch name git accepts (git check-ref-format, the parts that matter); the error names
// `field`.
Status CheckBranchName(const char* field, const std::string& branch);
// A positive integer path parameter ({number}, {id}, {attempt}).
Result<int64_t> IdParam(const http::Request& request, std::string_view name);

// Creates a run, records it in the audit trail and wakes the dispatcher: what a manual start
// and a webhook do once they have the pipeline file. Bad inputs are kInvalidArgument; a
// webhook delivery recorded before (engine::RunRequest::delivery_provider) is kAlreadyExists.
Result<store::Run> StartAndRecord(ApiState& state, const engine::RunRequest& request,
                                  const std::string& project, Json audit_details);

}  // namespace slipway::api
