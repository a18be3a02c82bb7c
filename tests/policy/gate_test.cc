// Policy evaluation over the input document: which policies apply, every failing rule's
// message, audit mode, rule errors; and the document itself against spec::PolicyInputFields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "policy/policy.h"
#include "util/rfc3339.h"

namespace slipway::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

spec::Pipeline Pipeline(std::string_view policies) {
  const std::string yaml = R"(environments:
  staging:
    target: { exec: { apply: ./a, status: ./s } }
  production:
    target: { exec: { apply: ./a, status: ./s } }
)" + std::string(policies) +
                           "jobs:\n  build:\n    steps: [{run: make}]\n";
  spec::LoadResult loaded = spec::ParsePipeline(yaml, "p.yml");
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.diagnostics.front().ToString());
  return loaded.ok() ? *loaded.pipeline : spec::Pipeline{};
}

GateInput Input() {
  GateInput input;
  input.project = "shop";
  input.environment = "production";
  input.strategy = "canary";
  input.artifact.reference = "shop@sha256:ab";
  input.artifact.repository = "shop";
  input.artifact.digest = "sha256:ab";
  input.artifact.provenance_status = "verified";
  input.artifact.builder = "http://ci";
  input.artifact.sbom = true;
  input.run.id = "7";
  input.run.tests = TestCounts{.passed = 10, .failed = 0, .flaky = 1, .skipped = 2};
  input.change.author = "ana";
  input.change.branch = "main";
  input.now = std::chrono::sys_days(std::chrono::year(2026) / 11 / 27) + std::chrono::hours(14);
  input.approvals.required = 1;
  input.approvals.approvers = {"bo"};
  return input;
}

constexpr std::string_view kPolicies = R"(policies:
  supply-chain:
    environments: production
    rules:
      - { rule: artifact.provenance.verified, message: provenance must verify }
      - { rule: artifact.sbom, message: an SBOM is attached }
      - { rule: run.tests.failed == 0, message: no failing tests }
  office-hours:
    environments: [production]
    mode: audit
    rules:
      - { rule: "time.hour >= 9 && time.hour < 17", message: deploys happen in office hours }
  staging-only:
    environments: staging
    rules:
      - { rule: "false", message: never }
  blue-green-only:
    environments: production
    strategies: blue-green
    rules:
      - { rule: "false", message: never }
)";

TEST(GateTest, OnlyPoliciesOfTheEnvironmentAndStrategyApply) {
  const spec::Pipeline pipeline = Pipeline(kPolicies);
  std::vector<std::string> names;
  for (const spec::Policy* p :
       PoliciesFor(pipeline, "production", "canary", spec::GateStep::kDeploy)) {
    names.push_back(p->name);
  }
  EXPECT_THAT(names, ElementsAre("supply-chain", "office-hours"));
  EXPECT_EQ(PoliciesFor(pipeline, "production", "blue-green", spec::GateStep::kDeploy).size(), 3u);
  EXPECT_EQ(PoliciesFor(pipeline, "staging", "rolling", spec::GateStep::kDeploy).size(), 1u);
}

// `at:` chooses the step; a rolling deploy has no promotion point, so its deploy step takes
// the promote policies too (never skipped) and its promote step has none.
TEST(GateTest, PoliciesApplyAtTheirStepsAndRollingDeploysTakePromotePoliciesAtTheStart) {
  const spec::Pipeline pipeline = Pipeline(R"(policies:
  start:
    environments: production
    rules:
      - { rule: "true", message: x }
  budget:
    environments: production
    at: promote
    rules:
      - { rule: "!error_budget.frozen", message: the error budget holds }
  both:
    environments: production
    at: [deploy, promote]
    rules:
      - { rule: "true", message: x }
)");
  auto names = [&](std::string_view strategy, spec::GateStep step) {
    std::vector<std::string> out;
    for (const spec::Policy* p : PoliciesFor(pipeline, "production", strategy, step)) {
      out.push_back(p->name);
    }
    return out;
  };
  EXPECT_THAT(names("canary", spec::GateStep::kDeploy), ElementsAre("start", "both"));
  EXPECT_THAT(names("canary", spec::GateStep::kPromote), ElementsAre("budget", "both"));
  EXPECT_THAT(names("blue-green", spec::GateStep::kPromote), ElementsAre("budget", "both"));
  EXPECT_THAT(names("rolling", spec::GateStep::kDeploy), ElementsAre("start", "budget", "both"));
  EXPECT_THAT(names("rolling", spec::GateStep::kPromote), IsEmpty());
}

TEST(GateTest, RulesSeeWhichStepTheGateIs) {
  const spec::Pipeline pipeline = Pipeline(R"(policies:
  promote-approved:
    environments: production
    at: [deploy, promote]
    rules:
      - { rule: "gate.step == 'deploy' || approvals.satisfied", message: approved to promote }
)");
  GateInput input = Input();
  input.approvals.satisfied = false;
  EXPECT_TRUE(
      Evaluate(PoliciesFor(pipeline, "production", "canary", spec::GateStep::kDeploy), input)
          .allowed);
  input.step = spec::GateStep::kPromote;
  const Decision promote =
      Evaluate(PoliciesFor(pipeline, "production", "canary", spec::GateStep::kPromote), input);
  EXPECT_THAT(promote.denials, ElementsAre("promote-approved: approved to promote"));
  EXPECT_EQ(nlohmann::json::parse(CanonicalInputJson(input))["gate"]["step"], "promote");
}

TEST(GateTest, AllowsWhenEveryEnforcedRulePasses) {
  const spec::Pipeline pipeline = Pipeline(kPolicies);
  const Decision decision =
      Evaluate(PoliciesFor(pipeline, "production", "canary", spec::GateStep::kDeploy), Input());
  EXPECT_TRUE(decision.allowed);
  EXPECT_THAT(decision.denials, IsEmpty());
  EXPECT_THAT(decision.audit_failures, IsEmpty());
  ASSERT_EQ(decision.policies.size(), 2u);
  EXPECT_TRUE(decision.policies[0].passed);
  EXPECT_EQ(decision.policies[0].rules.size(), 3u);
}

TEST(GateTest, DeniesWithEveryFailingRulesMessage) {
  const spec::Pipeline pipeline = Pipeline(kPolicies);
  GateInput input = Input();
  input.artifact.provenance_status = "none";
  input.artifact.sbom = false;
  input.run.tests->failed = 3;
  const Decision decision =
      Evaluate(PoliciesFor(pipeline, "production", "canary", spec::GateStep::kDeploy), input);
  EXPECT_FALSE(decision.allowed);
  EXPECT_THAT(decision.denials,
              ElementsAre("supply-chain: provenance must verify",
                          "supply-chain: an SBOM is attached", "supply-chain: no failing tests"));
}

TEST(GateTest, AuditModeRecordsButNeverDenies) {
  const spec::Pipeline pipeline = Pipeline(kPolicies);
  GateInput input = Input();
  input.now += std::chrono::hours(8);  // 22:00 UTC
  const Decision decision =
      Evaluate(PoliciesFor(pipeline, "production", "canary", spec::GateStep::kDeploy), input);
  EXPECT_TRUE(decision.allowed);
  EXPECT_THAT(decision.audit_failures, ElementsAre("office-hours: deploys happen in office hours"));
  EXPECT_FALSE(decision.policies[1].passed);
}

TEST(GateTest, ARuleThatCannotBeEvaluatedFailsAndSaysWhy) {
  const spec::Pipeline pipeline = Pipeline(R"(policies:
  tests:
    environments: production
    rules:
      - { rule: run.tests.failed == 0, message: no failing tests }
      - { rule: run.tests.passed > 0, message: some tests ran }
      - { rule: dyn(artifact.digest), message: not a bool }
)");
  GateInput input = Input();
  input.run.tests.reset();  // unknown: the counts are null
  const Decision decision =
      Evaluate(PoliciesFor(pipeline, "production", "rolling", spec::GateStep::kDeploy), input);
  EXPECT_FALSE(decision.allowed);
  ASSERT_EQ(decision.denials.size(), 3u);
  EXPECT_THAT(decision.denials[0], HasSubstr("tests: no failing tests"));
  EXPECT_THAT(decision.denials[1], HasSubstr("tests: some tests ran (rule error: "));
  EXPECT_THAT(decision.denials[2], HasSubstr("tests: not a bool (rule error: evaluates to string"));
  const RuleResult& compared = decision.policies[0].rules[0];
  EXPECT_FALSE(compared.passed);
}

TEST(GateTest, DecisionJsonListsEveryPolicyAndRule) {
  const spec::Pipeline pipeline = Pipeline(kPolicies);
  GateInput input = Input();
  input.artifact.sbom = false;
  const nlohmann::json json = nlohmann::json::parse(DecisionJson(
      Evaluate(PoliciesFor(pipeline, "production", "canary", spec::GateStep::kDeploy), input)));
  EXPECT_EQ(json["allowed"], false);
  EXPECT_EQ(json["denials"], nlohmann::json({"supply-chain: an SBOM is attached"}));
  EXPECT_EQ(json["policies"][0]["name"], "supply-chain");
  EXPECT_EQ(json["policies"][0]["mode"], "enforce");
  EXPECT_EQ(json["policies"][0]["rules"][1]["rule"], "artifact.sbom");
  EXPECT_EQ(json["policies"][0]["rules"][1]["passed"], false);
  EXPECT_EQ(json["policies"][1]["mode"], "audit");
}

// Each field of spec::PolicyInputFields is in both forms of the document, with its type, and
// the two forms hold the same value.
TEST(GateTest, TheDocumentHasExactlyTheDocumentedFields) {
  GateInput input = Input();
  input.error_budget.evaluated = true;
  input.error_budget.slos.push_back(
      {.name = "availability", .burn_rate = 3.5, .threshold = 2, .frozen = true, .error = ""});
  const nlohmann::json json = nlohmann::json::parse(CanonicalInputJson(input));
  const expr::Activation document{.variables = {{"input", InputDocument(input)}}, .functions = {}};
  size_t leaves = 0;
  for (const spec::PolicyInputField& field : spec::PolicyInputFields()) {
    auto parsed = expr::Expression::Parse("input." + std::string(field.path));
    ASSERT_TRUE(std::holds_alternative<expr::Expression>(parsed)) << field.path;
    auto value = expr::Evaluate(std::get<expr::Expression>(parsed), document);
    ASSERT_TRUE(std::holds_alternative<expr::Value>(value)) << field.path;
    const expr::Value& v = std::get<expr::Value>(value);
    std::string pointer = "/" + std::string(field.path);
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    ASSERT_TRUE(json.contains(nlohmann::json::json_pointer(pointer))) << field.path;
    const nlohmann::json& j = json.at(nlohmann::json::json_pointer(pointer));
    using Kind = expr::Type::Kind;
    const Kind kind =
        field.type.kind() == Kind::kWrapper ? field.type.element().kind() : field.type.kind();
    switch (kind) {
      case Kind::kBool:
        ASSERT_TRUE(v.is_bool()) << field.path;
        EXPECT_EQ(j, v.as_bool()) << field.path;
        break;
      case Kind::kInt:
        ASSERT_TRUE(v.is_int()) << field.path;
        EXPECT_EQ(j, v.as_int()) << field.path;
        break;
      case Kind::kString:
        ASSERT_TRUE(v.is_string()) << field.path;
        EXPECT_EQ(j, v.as_string()) << field.path;
        break;
      case Kind::kTimestamp:
        ASSERT_TRUE(v.is_timestamp()) << field.path;
        EXPECT_EQ(j, FormatRfc3339(std::chrono::system_clock::time_point(
                         std::chrono::seconds(v.as_timestamp().seconds))))
            << field.path;
        break;
      case Kind::kList:
        ASSERT_TRUE(v.is_list()) << field.path;
        EXPECT_EQ(j.size(), v.as_list().size()) << field.path;
        break;
      case Kind::kMap:
        EXPECT_TRUE(v.is_map()) << field.path;
        EXPECT_TRUE(j.is_object()) << field.path;
        continue;
      default:
        ADD_FAILURE() << field.path
                      << " has a type this test does not know: " << field.type.ToString();
    }
    ++leaves;
  }
  // A leaf of the JSON form that is not documented would show up here. List elements are
  // not fields of their own: a pointer is cut at its first index.
  std::set<std::string> json_leaves;
  const nlohmann::json flat = json.flatten();
  for (const auto& [pointer, value] : flat.items()) {
    std::string cut;
    std::stringstream segments(pointer.substr(1));
    for (std::string segment; std::getline(segments, segment, '/');) {
      if (!segment.empty() && std::isdigit(static_cast<unsigned char>(segment[0]))) break;
      cut += "/" + segment;
    }
    json_leaves.insert(cut);
  }
  EXPECT_EQ(json_leaves.size(), leaves);
}

TEST(GateTest, UnknownFactsAreNullsAndEmptyListsNotMissingFields) {
  GateInput input;
  input.now = std::chrono::system_clock::time_point{};
  const nlohmann::json json = nlohmann::json::parse(CanonicalInputJson(input));
  EXPECT_TRUE(json["run"]["tests"]["failed"].is_null());
  EXPECT_EQ(json["change"]["files"], nlohmann::json::array());
  EXPECT_EQ(json["change"]["files_known"], false);
  EXPECT_EQ(json["artifact"]["provenance"]["verified"], false);
  EXPECT_EQ(json["time"]["now"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(json["time"]["weekday"], "Thursday");
  // The digest is of the canonical text: the same input gives the same digest.
  EXPECT_EQ(InputDigest(CanonicalInputJson(input)), InputDigest(CanonicalInputJson(input)));
  EXPECT_THAT(InputDigest("x"),
              HasSubstr("sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"));
}

}  // namespace
}  // namespace slipway::policy
