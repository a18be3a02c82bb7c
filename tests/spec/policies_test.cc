// `policies:` and protection's approvals/exemptions: the model, and every problem with its
// file:line:col.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string WithPolicies(std::string_view protection, std::string_view policies) {
  return std::string(R"(environments:
  staging:
    target: { exec: { apply: ./a, status: ./s } }
  production:
    target: { exec: { apply: ./a, status: ./s } }
)") + std::string(protection) +
         std::string(policies) + "jobs:\n  build:\n    steps: [{run: make}]\n";
}

TEST(PoliciesTest, LoadsPoliciesWithTheirRulesModesAndWhereTheyApply) {
  const std::string yaml = WithPolicies("", R"(policies:
  verified:
    environments: [production]
    strategies: canary
    rules:
      - rule: artifact.provenance.verified
        message: production runs verified artifacts only
      - rule: "${{ run.tests.failed == 0 && size(change.files) < 100 }}"
        message: no failing tests
  night:
    environments: [staging, production]
    mode: audit
    rules:
      - { rule: "time.hour >= 6 || approvals.count >= 1", message: nobody deploys at night }
)");
  LoadResult loaded = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.front().ToString();
  ASSERT_EQ(loaded.pipeline->policies.size(), 2u);
  const Policy& verified = loaded.pipeline->policies[0];
  EXPECT_EQ(verified.name, "verified");
  EXPECT_THAT(verified.environments, ElementsAre("production"));
  EXPECT_THAT(verified.strategies, ElementsAre("canary"));
  EXPECT_EQ(verified.mode, Policy::Mode::kEnforce);
  ASSERT_EQ(verified.rules.size(), 2u);
  EXPECT_EQ(verified.rules[0].expression, "artifact.provenance.verified");
  EXPECT_EQ(verified.rules[0].message, "production runs verified artifacts only");
  EXPECT_EQ(verified.rules[0].pos.line, 11);
  // A `${{ }}` wrapper is removed.
  EXPECT_EQ(verified.rules[1].expression, "run.tests.failed == 0 && size(change.files) < 100");
  const Policy* night = loaded.pipeline->FindPolicy("night");
  ASSERT_NE(night, nullptr);
  EXPECT_EQ(night->mode, Policy::Mode::kAudit);
  EXPECT_THAT(night->environments, ElementsAre("staging", "production"));
  EXPECT_THAT(night->strategies, IsEmpty());
  EXPECT_THAT(night->at, ElementsAre(GateStep::kDeploy)) << "by default a policy gates the start";
}

TEST(PoliciesTest, AtSaysWhichStepsAPolicyGates) {
  const std::string yaml = WithPolicies("", R"(policies:
  budget:
    environments: production
    at: promote
    rules:
      - { rule: "!error_budget.frozen", message: the error budget holds }
  both:
    environments: production
    strategies: [canary, rolling]
    at: [deploy, promote, deploy]
    rules:
      - { rule: "gate.step == 'deploy' || approvals.satisfied", message: approved }
  rolling-start:
    environments: production
    strategies: rolling
    at: [deploy, promote]
    rules:
      - { rule: "true", message: x }
)");
  LoadResult loaded = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.front().ToString();
  EXPECT_THAT(loaded.pipeline->FindPolicy("budget")->at, ElementsAre(GateStep::kPromote));
  EXPECT_THAT(loaded.pipeline->FindPolicy("both")->at,
              ElementsAre(GateStep::kDeploy, GateStep::kPromote));
  EXPECT_THAT(loaded.pipeline->FindPolicy("rolling-start")->at,
              ElementsAre(GateStep::kDeploy, GateStep::kPromote));
  EXPECT_STREQ(GateStepName(GateStep::kPromote), "promote");
}

TEST(PoliciesTest, BadStepsAndAPromoteGateOfRollingDeploysOnlyAreReported) {
  const std::string yaml = WithPolicies("", R"(policies:
  typo:
    environments: production
    at: [deploy, promotion]
    rules:
      - { rule: "true", message: x }
  empty:
    environments: production
    at: []
    rules:
      - { rule: "true", message: x }
  rolling:
    environments: production
    strategies: [rolling]
    at: promote
    rules:
      - { rule: "true", message: x }
  typed:
    environments: production
    at: {promote: true}
    rules:
      - { rule: "true", message: x }
)");
  EXPECT_THAT(
      Errors(yaml),
      ElementsAre(
          "p.yml:9:18: expected deploy or promote, got 'promotion' (did you mean 'promote'?)",
          HasSubstr("p.yml:14:9: 'at' must not be empty"),
          "p.yml:20:9: policy 'rolling' gates only the promotion of rolling deploys, and a "
          "rolling deploy has no promotion point (use at: deploy (a rolling deploy's gate runs "
          "before it starts))",
          HasSubstr("p.yml:25:9: expected a string or a list of strings")));
}

TEST(PoliciesTest, ReportsEveryProblemWithItsPosition) {
  const std::string yaml = WithPolicies("", R"(policies:
  bad:
    environments: [prod]
    mode: enforcing
    strategies: [canery]
    rules:
      - rule: "artifact.digest =="
        message: x
      - rule: artifact.provenence.verified
        message: y
      - rule: artifact.digest.size
        message: z
      - rule: run.tests.failed == 0
  empty:
    environments: production
    rules: []
)");
  EXPECT_THAT(
      Errors(yaml),
      ElementsAre(
          "p.yml:8:20: policy 'bad' names 'prod', which is not an environment (environments are "
          "staging or production)",
          "p.yml:9:11: expected enforce or audit, got 'enforcing' (did you mean 'enforce'?)",
          "p.yml:10:18: expected rolling, blue-green or canary, got 'canery' (did you mean "
          "'canary'?)",
          "p.yml:12:15: invalid expression: unexpected end of expression",
          HasSubstr("p.yml:14:15: the gate's input has no field 'artifact.provenence' (did you "
                    "mean 'provenance'?)"),
          HasSubstr("p.yml:16:15: 'artifact.digest' is a string; it has no field 'size'"),
          "p.yml:18:9: policy rule is missing required key 'message'",
          HasSubstr("p.yml:21:12: a policy needs 1 to 100 rules")));
}

TEST(PoliciesTest, RulesAreTypeCheckedAgainstTheInputDocument) {
  const std::string typed = WithPolicies("", R"(policies:
  typed:
    environments: production
    rules:
      - rule: time.now.getHours('Europe/Paris') < 18 && time.now - timestamp('2026-01-01T00:00:00Z') > duration('0s')
        message: timestamps
      - rule: run.tests.failed == null || run.tests.failed + run.tests.flaky < 3
        message: nullable counts compare with null and add as ints
      - rule: change.files.all(f, f.startsWith('docs/')) && run.reports.exists(r, r.job == 'unit')
        message: list elements are typed
)");
  LoadResult loaded = ParsePipeline(typed, "p.yml");
  EXPECT_TRUE(loaded.ok()) << loaded.diagnostics.front().ToString();

  const std::string yaml = WithPolicies("", R"(policies:
  wrong:
    environments: production
    rules:
      - rule: artifact.sbom > 0
        message: a
      - rule: size(change.files)
        message: b
      - rule: change.files.exists(f, f + 1 == 'x')
        message: c
      - rule: time.now > '2026-01-01'
        message: d
)");
  const std::string kHint = " (docs/policy.md lists the input document's fields and their types)";
  EXPECT_THAT(
      Errors(yaml),
      ElementsAre(
          "p.yml:10:29: found no matching overload for '>' applied to (bool, int)" + kHint,
          "p.yml:12:15: a rule must be a bool expression; this one is int (compare it, e.g. "
          "run.tests.failed == 0)",
          "p.yml:14:40: found no matching overload for '+' applied to (string, int)" + kHint,
          "p.yml:16:24: found no matching overload for '>' applied to "
          "(google.protobuf.Timestamp, string)" +
              kHint));
}

TEST(PoliciesTest, ApprovalsTakeACountOrTheirFullForm) {
  const std::string yaml = WithPolicies(R"(  canary:
    target: { exec: { apply: ./a, status: ./s } }
    protection:
      approvals: { count: 2, role: releaser, not-author: true, expire-after: 24h }
      exemptions: { second-approval: true, max-duration: 4h }
  edge:
    target: { exec: { apply: ./a, status: ./s } }
    protection: { approvals: 1 }
)",
                                        "");
  LoadResult loaded = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.front().ToString();
  const ProtectionSpec& canary = loaded.pipeline->FindEnvironment("canary")->protection;
  EXPECT_EQ(canary.approvals.count, 2);
  EXPECT_EQ(canary.approvals.role, "releaser");
  EXPECT_TRUE(canary.approvals.not_author);
  EXPECT_EQ(canary.approvals.expire_after, std::chrono::hours(24));
  EXPECT_TRUE(canary.exemptions.second_approval);
  EXPECT_EQ(canary.exemptions.max_duration, std::chrono::hours(4));
  const ProtectionSpec& edge = loaded.pipeline->FindEnvironment("edge")->protection;
  EXPECT_EQ(edge.approvals.count, 1);
  EXPECT_EQ(edge.approvals.role, "");
  EXPECT_FALSE(edge.approvals.not_author);
  EXPECT_FALSE(edge.approvals.expire_after.has_value());
  EXPECT_FALSE(edge.exemptions.second_approval);
  EXPECT_EQ(edge.exemptions.max_duration, std::chrono::hours(24));
}

TEST(PoliciesTest, BadApprovalsAndExemptionsAreReported) {
  const std::string yaml = WithPolicies(R"(  canary:
    target: { exec: { apply: ./a, status: ./s } }
    protection:
      approvals: { count: 0, role: boss, expire-after: soon }
      exemptions: { second-approval: maybe, max-duration: 30d }
)",
                                        "");
  EXPECT_THAT(Errors(yaml),
              ElementsAre("p.yml:9:27: expected an integer between 1 and 100, got 0",
                          HasSubstr("p.yml:9:36: expected viewer, developer, releaser or admin"),
                          HasSubstr("p.yml:9:56: invalid duration 'soon'"),
                          HasSubstr("p.yml:10:38: expected a boolean"),
                          HasSubstr("p.yml:10:59: an exemption's max-duration must be between "
                                    "1m and 7d")));
}

TEST(PoliciesTest, EveryInputFieldIsReachableAndOthersAreNot) {
  for (const PolicyInputField& field : PolicyInputFields()) {
    std::vector<std::string> path;
    std::string_view rest = field.path;
    for (size_t dot; (dot = rest.find('.')) != std::string_view::npos;
         rest.remove_prefix(dot + 1)) {
      path.emplace_back(rest.substr(0, dot));
    }
    path.emplace_back(rest);
    EXPECT_EQ(PolicyInputReferenceError(path), std::nullopt) << field.path;
  }
  // Below a list nothing is checked (elements are not described).
  EXPECT_EQ(PolicyInputReferenceError({"error_budget", "slos", "name"}), std::nullopt);
  EXPECT_NE(PolicyInputReferenceError({"artifacts"}), std::nullopt);
  EXPECT_NE(PolicyInputReferenceError({"run", "tests", "passed", "x"}), std::nullopt);
}

}  // namespace
}  // namespace slipway::spec::testing
