// The release gate before a rollout: the input document from what the deploy knows, the
// policies evaluated, the decision recorded (ledger and deploy record) and logged.
#include "deploy/gate.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/rfc3339.h"

namespace slipway::deploy {
namespace {

using Json = nlohmann::json;

Json Parsed(const std::string& text) {
  Json json = Json::parse(text, nullptr, false);
  return json.is_discarded() ? Json(nullptr) : json;
}

Json ExemptionJson(const policy::Exemption& e) {
  return {{"id", e.id},
          {"requested_by", e.requested_by},
          {"justification", e.justification},
          {"approved_by", e.approved_by},
          {"created", FormatRfc3339(e.created)},
          {"expires", FormatRfc3339(e.expires)}};
}

}  // namespace

void ReadRunFacts(const DeploymentsOptions& options, const runner::DeployRequest& request,
                  policy::GateInput& input) {
  input.run.id = request.run_id;
  input.change.branch = request.branch;
  if (options.ledger == nullptr) return;
  Status read =
      options.ledger->DescribeRun(request.project, request.run_id, &input.run, &input.change);
  if (!read.ok() && read.code() != StatusCode::kNotFound) {
    request.log->Line("gate: what is known of run " + request.run_id +
                      " could not be read (its facts stay unknown): " + read.message());
  }
  if (input.change.branch.empty()) input.change.branch = request.branch;
}

policy::ErrorBudgetFacts ErrorBudgetOf(const DeploymentsOptions& options,
                                       const spec::Pipeline& pipeline,
                                       const std::string& environment) {
  policy::ErrorBudgetFacts budget;
  budget.evaluated = static_cast<bool>(options.sli_sources);
  if (!budget.evaluated) return budget;
  for (const spec::Slo& slo : pipeline.slos) {
    const auto& names = slo.freeze.environments;
    if (std::find(names.begin(), names.end(), environment) == names.end()) continue;
    policy::SloFacts facts;
    facts.name = slo.name;
    facts.threshold = slo.freeze.burn_rate;
    Result<std::unique_ptr<verify::SliSource>> source = options.sli_sources(slo);
    Result<double> burn = !source.ok() ? Result<double>(source.status())
                          : source.value() == nullptr
                              ? Result<double>(NotFound("no SLI source"))
                              : verify::BurnRate({slo.name, slo.objective, slo.window},
                                                 *source.value(), std::chrono::hours(1));
    if (burn.ok()) {
      facts.burn_rate = burn.value();
      facts.frozen = burn.value() > slo.freeze.burn_rate;
    } else {
      facts.error = burn.status().message();
      facts.frozen = true;  // as the release freeze holds a deploy it cannot evaluate
    }
    budget.slos.push_back(std::move(facts));
  }
  return budget;
}

std::optional<policy::Exemption> ActiveExemptionFor(const DeploymentsOptions& options,
                                                    const std::string& project,
                                                    const std::string& environment) {
  if (options.ledger == nullptr) return std::nullopt;
  Result<std::vector<policy::Exemption>> exemptions =
      options.ledger->Exemptions(project, environment);
  if (!exemptions.ok()) return std::nullopt;  // no override when it cannot be read: the safe way
  const policy::Exemption* active =
      policy::ActiveExemption(exemptions.value(), std::chrono::system_clock::now());
  if (active == nullptr) return std::nullopt;
  return *active;
}

namespace {

// Records the decision of `input.step` on `input_json` (its canonical document, whose
// digest is `digest`): in the deploy record (gate or promote_gate) and through the ledger. Why
// it could not be stored, or nullopt.
std::optional<std::string> RecordDecision(const DeploymentsOptions& options,
                                          const GateSubject& subject,
                                          const policy::GateInput& input,
                                          const std::string& input_json, const std::string& digest,
                                          const policy::Decision& decision,
                                          const std::optional<policy::Exemption>& exemption,
                                          const std::string& outcome, DeployRecord& record) {
  const bool at_promote = input.step == spec::GateStep::kPromote;
  (at_promote ? record.promote_gate : record.gate) = outcome;
  (at_promote ? record.promote_gate_json : record.gate_json) = Json{
      {"step", spec::GateStepName(input.step)},
      {"decision", outcome},
      {"input_digest", digest},
      {"exemption", exemption ? ExemptionJson(*exemption) : Json(nullptr)},
      {"result", Parsed(policy::DecisionJson(decision))},
      {"input", Parsed(input_json)}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (options.ledger == nullptr) return std::nullopt;
  const policy::GateRecord stored{.id = 0,
                                  .project = subject.request->project,
                                  .environment = input.environment,
                                  .deploy_id = subject.deploy_id,
                                  .step = input.step,
                                  .run_id = subject.request->run_id,
                                  .decision = outcome,
                                  .input_json = input_json,
                                  .input_digest = digest,
                                  .result_json = policy::DecisionJson(decision),
                                  .exemption_id = exemption ? exemption->id : 0,
                                  .at = input.now};
  Result<int64_t> id = options.ledger->Record(stored);
  if (!id.ok()) return "the gate's decision could not be stored: " + id.status().message();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RunGate(const DeploymentsOptions& options, const GateSubject& subject,
                                   policy::GateInput input, DeployRecord& record) {
  const runner::DeployRequest& request = *subject.request;
  const bool at_promote = input.step == spec::GateStep::kPromote;
  const std::vector<const spec::Policy*> policies =
      policy::PoliciesFor(*subject.pipeline, input.environment, input.strategy, input.step);
  if (policies.empty()) return std::nullopt;
  const policy::Decision decision = policy::Evaluate(policies, input);
  std::optional<policy::Exemption> exemption;
  if (!decision.allowed) {
    exemption = ActiveExemptionFor(options, request.project, input.environment);
  }
  const std::string outcome = decision.allowed ? "allow" : exemption ? "exempted" : "deny";
  const std::string input_json = policy::CanonicalInputJson(input);
  const std::string digest = policy::InputDigest(input_json);
  // An unrecorded decision must not let a deploy through.
  if (auto unrecorded = RecordDecision(options, subject, input, input_json, digest, decision,
                                       exemption, outcome, record)) {
    return unrecorded;
  }

  const std::string gate = at_promote ? "promotion gate" : "gate";
  for (const std::string& failure : decision.audit_failures) {
    request.log->Line(gate + " (audit only): " + failure);
  }
  const std::string policy_names =
      std::to_string(policies.size()) + " polic" + (policies.size() == 1 ? "y" : "ies");
  if (decision.allowed) {
    request.log->Line("✔ " + gate + ": " + policy_names + " passed (input " + digest.substr(0, 19) +
                      "…)");
    return std::nullopt;
  }
  for (const std::string& denial : decision.denials) request.log->Line("✘ " + gate + ": " + denial);
  std::string reason = at_promote ? "the release gate denied the promotion: "
                                  : "the release gate denied the deploy: ";
  for (size_t i = 0; i < decision.denials.size(); ++i) {
    reason += (i == 0 ? "" : "; ") + decision.denials[i];
  }
  if (!exemption) return reason;
  request.log->Line(
      "⚠ " + gate + ": EXEMPTED — exemption " + std::to_string(exemption->id) + " by " +
      exemption->requested_by +
      (exemption->approved_by.empty() ? "" : ", approved by " + exemption->approved_by) +
      ", until " + FormatRfc3339(exemption->expires) + ": " + exemption->justification);
  if (options.ledger != nullptr) {
    (void)options.ledger->NoteExemptionUse(
        *exemption, "the " + gate + " of deploy " + std::to_string(subject.deploy_id) + " to " +
                        input.environment + " (" + reason + ")");
  }
  return std::nullopt;
}

}  // namespace slipway::deploy
