// Policies that apply to a deploy, their evaluation into a Decision, and the decision's JSON.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "policy/input_document.h"
#include "policy/policy.h"
#include "util/sha256.h"

namespace slipway::policy {
namespace {

const char* ModeName(spec::Policy::Mode mode) {
  return mode == spec::Policy::Mode::kAudit ? "audit" : "enforce";
}

RuleResult EvaluateRule(const spec::PolicyRule& rule, const expr::Activation& activation) {
  RuleResult result{
      .expression = rule.expression, .message = rule.message, .passed = false, .error = ""};
  auto parsed = expr::Expression::Parse(rule.expression);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    // The loader parsed it; only a pipeline from an older slipway could get here.
    result.error = "does not parse: " + error->message;
    return result;
  }
  auto value = expr::Evaluate(std::get<expr::Expression>(parsed), activation);
  if (auto* error = std::get_if<expr::Error>(&value)) {
    result.error = error->message;
  } else if (const expr::Value& v = std::get<expr::Value>(value); !v.is_bool()) {
    result.error = "evaluates to " + std::string(v.type_name()) + ", not bool";
  } else {
    result.passed = v.as_bool();
  }
  return result;
}

}  // namespace

std::vector<const spec::Policy*> PoliciesFor(const spec::Pipeline& pipeline,
                                             std::string_view environment,
                                             std::string_view strategy, spec::GateStep step) {
  const bool rolling = strategy == "rolling";
  if (rolling && step == spec::GateStep::kPromote) return {};
  std::vector<const spec::Policy*> found;
  for (const spec::Policy& policy : pipeline.policies) {
    const auto& at = policy.at;
    if (!rolling && std::find(at.begin(), at.end(), step) == at.end()) continue;
    const auto& environments = policy.environments;
    const auto& strategies = policy.strategies;
    if (std::find(environments.begin(), environments.end(), environment) == environments.end()) {
      continue;
    }
    if (!strategies.empty() &&
        std::find(strategies.begin(), strategies.end(), strategy) == strategies.end()) {
      continue;
    }
    found.push_back(&policy);
  }
  return found;
}

Decision Evaluate(const std::vector<const spec::Policy*>& policies, const GateInput& input) {
  // The document's top-level fields are the rules' variables: `artifact.digest`, `run.tests`.
  const expr::Activation activation{.variables = InputVariables(input), .functions = {}};
  Decision decision;
  for (const spec::Policy* policy : policies) {
    PolicyResult result{.name = policy->name, .mode = policy->mode, .passed = true, .rules = {}};
    for (const spec::PolicyRule& rule : policy->rules) {
      RuleResult rule_result = EvaluateRule(rule, activation);
      if (!rule_result.passed) {
        result.passed = false;
        std::string line = policy->name + ": " + rule.message;
        if (!rule_result.error.empty()) line += " (rule error: " + rule_result.error + ")";
        (policy->mode == spec::Policy::Mode::kEnforce ? decision.denials : decision.audit_failures)
            .push_back(std::move(line));
      }
      result.rules.push_back(std::move(rule_result));
    }
    decision.policies.push_back(std::move(result));
  }
  decision.allowed = decision.denials.empty();
  return decision;
}

std::string DecisionJson(const Decision& decision) {
  nlohmann::json policies = nlohmann::json::array();
  for (const PolicyResult& policy : decision.policies) {
    nlohmann::json rules = nlohmann::json::array();
    for (const RuleResult& rule : policy.rules) {
      rules.push_back({{"rule", rule.expression},
                       {"message", rule.message},
                       {"passed", rule.passed},
                       {"error", rule.error}});
    }
    policies.push_back({{"name", policy.name},
                        {"mode", ModeName(policy.mode)},
                        {"passed", policy.passed},
                        {"rules", rules}});
  }
  const nlohmann::json out = {{"allowed", decision.allowed},
                              {"denials", decision.denials},
                              {"audit_failures", decision.audit_failures},
                              {"policies", policies}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string InputDigest(std::string_view text) { return "sha256:" + Sha256Hex(text); }

}  // namespace slipway::policy
