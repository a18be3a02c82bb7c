// `policies:` — gates over CEL rules (docs/policy.md): where each policy applies (environments,
// strategies, the steps `at`), its mode and its rules. Every rule is parsed and checked against
// the gate's input document (policy_input.cc) here, names and CEL types, so a pipeline that
// loads never fails a deploy on a rule's syntax, a misspelt field or a type mismatch
// (`artifact.sbom > 0`).
#include <algorithm>
#include <utility>

#include "spec/analysis_fields.h"
#include "spec/environment_fields.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kPolicyKeys = {"environments", "strategies", "at", "mode", "rules"};
const std::vector<std::string> kRuleKeys = {"rule", "message"};
const std::vector<std::string> kModes = {"enforce", "audit"};
const std::vector<std::string> kStrategies = {"rolling", "blue-green", "canary"};
const std::vector<std::string> kSteps = {"deploy", "promote"};

constexpr size_t kMaxRules = 100;
constexpr size_t kMaxMessageBytes = 1000;

// The rule's expression, parsed and checked against the input document's fields.
std::optional<std::string> ReadRuleExpression(LoadContext& context, const Field& field) {
  auto rule =
      ParseConditionField(context, field, "empty rule", "e.g. artifact.provenance.verified");
  if (!rule) return std::nullopt;
  static const expr::Scope scope = PolicyRuleScope();
  std::variant<expr::Type, expr::Error> checked = expr::CheckType(rule->expression, scope);
  if (auto* error = std::get_if<expr::Error>(&checked)) {
    const size_t column = error->column > 0 ? static_cast<size_t>(error->column - 1) : 0;
    context.reader->Error(rule->locator->At(rule->offset + column), error->message,
                          "docs/policy.md lists the input document's fields and their types");
    return std::nullopt;
  }
  if (const expr::Type& type = std::get<expr::Type>(checked);
      type.kind() != expr::Type::Kind::kBool && !type.is_dyn()) {
    context.reader->Error(rule->locator->At(rule->offset),
                          "a rule must be a bool expression; this one is " + type.ToString(),
                          "compare it, e.g. run.tests.failed == 0");
    return std::nullopt;
  }
  return std::move(rule->text);
}

std::optional<PolicyRule> ReadRule(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "policy rule", kRuleKeys);
  if (!map) return std::nullopt;
  PolicyRule rule;
  bool ok = true;
  const Field* expression = reader.Require(*map, "rule", "policy rule");
  if (expression) rule.pos = expression->pos;
  ok &= expression && Store(ReadRuleExpression(context, *expression), &rule.expression);
  const Field* message = reader.Require(*map, "message", "policy rule");
  ok &= message && Store(ReadNonEmpty(context, *message), &rule.message);
  if (ok && rule.message.size() > kMaxMessageBytes) {
    reader.Error(message->pos,
                 "a rule's message is limited to " + std::to_string(kMaxMessageBytes) + " bytes");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return rule;
}

// Names of `environments:` keys (one that failed to load is reported where it is).
bool ReadPolicyEnvironments(LoadContext& context, const Field& field, Policy& policy) {
  auto items = context.reader->StringOrListFields(field);
  if (!items) return false;
  if (items->empty()) {
    context.reader->Error(field.pos, "'environments' must not be empty",
                          "a policy gates the deploys to the environments it names");
    return false;
  }
  return ReadEnvironmentNames(context, *items, "policy '" + policy.name + "'", policy.environments);
}

bool ReadStrategies(LoadContext& context, const Field& field, Policy& policy) {
  auto items = context.reader->StringOrListFields(field);
  if (!items) return false;
  bool ok = true;
  for (const Field& item : *items) {
    auto strategy = ReadChoice(context, item, kStrategies);
    if (!strategy) {
      ok = false;
    } else if (std::find(policy.strategies.begin(), policy.strategies.end(), *strategy) ==
               policy.strategies.end()) {
      policy.strategies.push_back(std::move(*strategy));
    }
  }
  return ok;
}

// `at:` — a step name or a list of them (each once, not empty).
bool ReadSteps(LoadContext& context, const Field& field, Policy& policy) {
  auto items = context.reader->StringOrListFields(field);
  if (!items) return false;
  if (items->empty()) {
    context.reader->Error(field.pos, "'at' must not be empty",
                          "deploy (before the deploy starts), promote (before the new revision "
                          "takes all traffic), or both");
    return false;
  }
  policy.at.clear();
  bool ok = true;
  for (const Field& item : *items) {
    auto name = ReadChoice(context, item, kSteps);
    if (!name) {
      ok = false;
      continue;
    }
    const GateStep step = *name == "promote" ? GateStep::kPromote : GateStep::kDeploy;
    if (std::find(policy.at.begin(), policy.at.end(), step) == policy.at.end()) {
      policy.at.push_back(step);
    }
  }
  return ok;
}

// A rolling deploy has no promotion point (its traffic moves batch by batch), so a policy
// meant only for the promotion of rolling deploys says something that never happens as
// written: refused, rather than silently run at the start.
bool CheckPromoteApplies(LoadContext& context, const Field& at, const Policy& policy) {
  const bool promote_only =
      std::find(policy.at.begin(), policy.at.end(), GateStep::kDeploy) == policy.at.end();
  const bool only_rolling =
      !policy.strategies.empty() &&
      std::all_of(policy.strategies.begin(), policy.strategies.end(),
                  [](const std::string& strategy) { return strategy == "rolling"; });
  if (!promote_only || !only_rolling) return true;
  context.reader->Error(at.pos,
                        "policy '" + policy.name +
                            "' gates only the promotion of rolling deploys, and a rolling deploy "
                            "has no promotion point",
                        "use at: deploy (a rolling deploy's gate runs before it starts)");
  return false;
}

bool ReadRules(LoadContext& context, const Field& field, Policy& policy) {
  auto items = context.reader->List(field, "a list of {rule, message}");
  if (!items) return false;
  if (items->empty() || items->size() > kMaxRules) {
    context.reader->Error(field.pos, "a policy needs 1 to " + std::to_string(kMaxRules) + " rules",
                          "e.g. - {rule: artifact.provenance.verified, message: …}");
    return false;
  }
  bool ok = true;
  for (const Field& item : *items) {
    auto rule = ReadRule(context, item);
    ok &= rule.has_value();
    if (rule) policy.rules.push_back(std::move(*rule));
  }
  return ok;
}

std::optional<Policy> ReadPolicy(LoadContext& context, const Field& entry) {
  Reader& reader = *context.reader;
  const std::string what = "policy '" + entry.key + "'";
  Policy policy;
  policy.name = entry.key;
  policy.pos = entry.key_pos;
  if (!IsValidName(policy.name)) {
    reader.Error(entry.key_pos, "invalid policy name '" + policy.name + "'",
                 "use letters, digits, '_' and '-', starting with a letter or '_'");
  }
  auto map = reader.Map(entry, what, kPolicyKeys);
  if (!map) return std::nullopt;
  bool ok = true;
  const Field* environments = reader.Require(*map, "environments", what);
  ok &= environments && ReadPolicyEnvironments(context, *environments, policy);
  if (const Field* strategies = map->Find("strategies")) {
    ok &= ReadStrategies(context, *strategies, policy);
  }
  if (const Field* at = map->Find("at")) {
    ok &= ReadSteps(context, *at, policy) && CheckPromoteApplies(context, *at, policy);
  }
  if (const Field* mode = map->Find("mode")) {
    auto name = ReadChoice(context, *mode, kModes);
    ok &= name.has_value();
    if (name) policy.mode = *name == "audit" ? Policy::Mode::kAudit : Policy::Mode::kEnforce;
  }
  const Field* rules = reader.Require(*map, "rules", what);
  ok &= rules && ReadRules(context, *rules, policy);
  if (!ok) return std::nullopt;
  return policy;
}

}  // namespace

std::vector<Policy> ReadPolicies(LoadContext& context, const Field& field) {
  std::vector<Policy> policies;
  auto map = context.reader->Map(field, "policies");
  if (!map) return policies;
  for (const Field& entry : map->entries()) {
    if (auto policy = ReadPolicy(context, entry)) policies.push_back(std::move(*policy));
  }
  return policies;
}

}  // namespace slipway::spec::internal

namespace slipway::spec {

const char* GateStepName(GateStep step) {
  return step == GateStep::kPromote ? "promote" : "deploy";
}

}  // namespace slipway::spec
