// The release gate at promotion (policies `at: promote`, docs/policy.md): the same policies
// machinery as the deploy gate, on a document built again just before the new revision takes
// all the traffic, so rules see the error budget, the approvals and the time as they are then.
#include <chrono>

#include "deploy/gate.h"

namespace slipway::deploy {
namespace {

// The approvals as they count now. With a ledger they are counted again (one may have
// expired since the start, or a rejection arrived); without one the rollout took its
// `Approve` calls before it started, so they were all given (nobody is known by name).
policy::ApprovalFacts ApprovalsNow(const DeploymentsOptions& options, const GateSubject& subject,
                                   const std::string& environment, const std::string& author) {
  const spec::ApprovalsSpec& spec = subject.environment->protection.approvals;
  policy::ApprovalFacts facts{.required = spec.count, .approvers = {}, .satisfied = true};
  if (spec.count == 0 || options.ledger == nullptr) return facts;
  const runner::DeployRequest& request = *subject.request;
  Result<std::vector<policy::Approval>> given =
      options.ledger->Approvals(request.project, environment, subject.deploy_id);
  if (!given.ok()) {
    // Unknown approvals count as none: a rule on them fails rather than passes.
    request.log->Line("promotion gate: the approvals could not be read (none counted): " +
                      given.status().message());
    facts.satisfied = false;
    return facts;
  }
  const policy::ApprovalStatus status =
      policy::CheckApprovals(spec, given.value(), author, std::chrono::system_clock::now());
  facts.approvers = status.counted;
  facts.satisfied = status.satisfied && !status.rejected;
  return facts;
}

}  // namespace

std::optional<std::string> RunPromoteGate(const DeploymentsOptions& options,
                                          EnvironmentLedger& environments,
                                          const GateSubject& subject,
                                          const std::string& environment, DeployRecord& record) {
  if (policy::PoliciesFor(*subject.pipeline, environment, subject.strategy,
                          spec::GateStep::kPromote)
          .empty()) {
    return std::nullopt;
  }
  const runner::DeployRequest& request = *subject.request;
  policy::GateInput input;
  input.step = spec::GateStep::kPromote;
  ReadRunFacts(options, request, input);
  input.project = request.project;
  input.environment = environment;
  input.strategy = subject.strategy;
  input.artifact = subject.artifact;
  input.change.files = ChangedFilesOf(options, environments, subject, environment);
  input.approvals = ApprovalsNow(options, subject, environment, input.change.author);
  input.error_budget = ErrorBudgetOf(options, *subject.pipeline, environment);
  input.now = std::chrono::system_clock::now();
  return RunGate(options, subject, std::move(input), record);
}

}  // namespace slipway::deploy
