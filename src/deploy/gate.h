// The release gate and the approvals a deploy waits for, between fetching the artifact and
// starting the rollout (docs/policy.md). Internal to deploy.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "deploy/deploy.h"
#include "deploy/deployments_impl.h"
#include "policy/policy.h"
#include "runner/runner.h"
#include "spec/spec.h"

namespace slipway::deploy {

// What the gate knows of the deploy besides the request.
struct GateSubject {
  const runner::DeployRequest* request = nullptr;
  const spec::Environment* environment = nullptr;
  const spec::Pipeline* pipeline = nullptr;  // the runtime's (the one the rollout uses)
  policy::ArtifactFacts artifact;
  std::string strategy;
  int64_t deploy_id = 0;
  // The environment's stable revision before this deploy ("r3"); "" when nothing serves it
  // (no deploy of it succeeded yet).
  std::string serving_revision;
};

// Facts the ledger knows of the request's run: tests, who started it, the commit, into
// input.run and input.change. Unknown facts stay unset (a missing ledger, an unknown run, a
// store error — logged).
void ReadRunFacts(const DeploymentsOptions& options, const runner::DeployRequest& request,
                  policy::GateInput& input);

// The files the deploy changes in `environment`, for input.change.files: those that differ
// between the commit of the run that deployed subject.serving_revision (found in
// `environments`' deploy records) and the commit of the request's run, through the gate
// ledger; every file of the run's commit when nothing serves the environment. nullopt
// (unknown) without a gate ledger (`slipway run`), when the ledger cannot tell, or past
// policy::kMaxChangedFiles. Logs one line either way: how many files and since what, or why
// they are unknown. Never fails the deploy.
std::optional<std::vector<std::string>> ChangedFilesOf(const DeploymentsOptions& options,
                                                       EnvironmentLedger& environments,
                                                       const GateSubject& subject,
                                                       const std::string& environment);

// Waits until the deploy's approvals satisfy protection.approvals (through the ledger),
// polling every approval_poll_interval. Returns the approvals counted, or why the deploy may
// not go on: rejected (FailedPrecondition), the run cancelled (Cancelled), a rollback asked
// for (FailedPrecondition: the environment's `abort` file). OK at once when none are required.
// `mutex` guards `runtime`'s guarded fields (Deployments::Impl::mutex).
Result<policy::ApprovalFacts> WaitForApprovals(const DeploymentsOptions& options, std::mutex& mutex,
                                               Runtime& runtime, const GateSubject& subject,
                                               const std::string& author);

// Evaluates the policies of `input.step` that apply, records the decision (ledger, and
// record.gate or record.promote_gate) and logs it. nullopt when the deploy may go on (allowed,
// or denied and exempted); else why it may not.
std::optional<std::string> RunGate(const DeploymentsOptions& options, const GateSubject& subject,
                                   policy::GateInput input, DeployRecord& record);

// The gate at promotion (promote_gate.cc): when policies `at: promote` apply, evaluates them
// with a fresh input document (the run's facts and changed files read again, the approvals
// counted now, the error budget measured now, the time now) as RunGate does. nullopt when the
// promotion may go on; else why it may not (the rollout then rolls back).
std::optional<std::string> RunPromoteGate(const DeploymentsOptions& options,
                                          EnvironmentLedger& environments,
                                          const GateSubject& subject,
                                          const std::string& environment, DeployRecord& record);

// The exemption active now for the request's environment (through the ledger), if any. Its
// use is noted in the audit trail by the caller (GateLedger::NoteExemptionUse).
std::optional<policy::Exemption> ActiveExemptionFor(const DeploymentsOptions& options,
                                                    const std::string& project,
                                                    const std::string& environment);

// The error budget of the SLOs that freeze `environment`, measured once (1h burn rate).
policy::ErrorBudgetFacts ErrorBudgetOf(const DeploymentsOptions& options,
                                       const spec::Pipeline& pipeline,
                                       const std::string& environment);

}  // namespace slipway::deploy
