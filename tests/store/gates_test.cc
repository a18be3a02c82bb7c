// Release gates in the store: decisions, approvals and exemptions round-trip on both backends;
// an exemption's second approval is recorded once.
#include <gtest/gtest.h>

#include <thread>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

GateDecision Decision(int64_t deploy_id, std::string decision, int64_t exemption_id = 0) {
  GateDecision d;
  d.project = "shop";
  d.environment = "production";
  d.deploy_id = deploy_id;
  d.run_id = "12";
  d.decision = std::move(decision);
  d.input_json = R"({"project":"shop"})";
  d.input_digest = "sha256:0123";
  d.result_json = R"({"allowed":false})";
  d.exemption_id = exemption_id;
  d.decided_at = At(5000 + deploy_id);
  return d;
}

GateExemption Exemption(bool second) {
  GateExemption e;
  e.project = "shop";
  e.environment = "production";
  e.requested_by = "ana";
  e.justification = "checkout is down; this is the fix";
  e.created = At(1000);
  e.expires = At(3600 * 1000);
  e.needs_second_approval = second;
  return e;
}

class GatesTest : public StoreTest {};
SLIPWAY_STORE_TEST_SUITE(GatesTest);

TEST_P(GatesTest, DecisionsRoundTripNewestFirst) {
  ASSERT_OK_AND_ASSIGN(GateDecision first, store().RecordGateDecision(Decision(1, "deny")));
  ASSERT_OK_AND_ASSIGN(GateDecision second, store().RecordGateDecision(Decision(2, "exempted", 7)));
  GateDecision promote = Decision(2, "allow");
  promote.step = "promote";
  ASSERT_OK(store().RecordGateDecision(promote).status());
  EXPECT_GT(second.id, first.id);
  ASSERT_OK_AND_ASSIGN(auto of_two, store().ListGateDecisions("shop", "production", 2));
  ASSERT_EQ(of_two.size(), 2u);
  EXPECT_EQ(of_two[0].decision, "allow");
  EXPECT_EQ(of_two[0].step, "promote");
  EXPECT_EQ(of_two[1].step, "deploy") << "the default step";
  EXPECT_EQ(of_two[1].decision, "exempted");
  EXPECT_EQ(of_two[1].exemption_id, 7);
  EXPECT_EQ(of_two[1].input_json, R"({"project":"shop"})");
  EXPECT_EQ(of_two[1].input_digest, "sha256:0123");
  EXPECT_EQ(of_two[1].result_json, R"({"allowed":false})");
  EXPECT_EQ(of_two[1].run_id, "12");
  EXPECT_EQ(of_two[1].decided_at, At(5002));
  ASSERT_OK_AND_ASSIGN(auto all, store().ListGateDecisions("shop", "production", 0));
  EXPECT_EQ(all.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto other, store().ListGateDecisions("shop", "staging", 0));
  EXPECT_TRUE(other.empty());
  ASSERT_OK_AND_ASSIGN(GateStats stats, store().GetGateStats());
  EXPECT_EQ(stats.decisions, (std::vector<std::pair<std::string, int64_t>>{
                                 {"allow", 1}, {"deny", 1}, {"exempted", 1}}));
}

TEST_P(GatesTest, AnUnknownDecisionOrStepIsRefusedAndNothingIsStored) {
  auto refused = store().RecordGateDecision(Decision(1, "maybe"));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  GateDecision switched = Decision(1, "allow");
  switched.step = "switch";
  EXPECT_EQ(store().RecordGateDecision(switched).status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListGateDecisions("shop", "production", 0));
  EXPECT_TRUE(all.empty());
}

TEST_P(GatesTest, ApprovalsRoundTripPerDeploy) {
  DeployApproval approval;
  approval.project = "shop";
  approval.environment = "production";
  approval.deploy_id = 4;
  approval.approver = "bo";
  approval.role = "releaser";
  approval.comment = "looks good";
  approval.at = At(2000);
  ASSERT_OK(store().AddApproval(approval).status());
  approval.approver = "cy";
  approval.approved = false;
  approval.at = At(3000);
  ASSERT_OK(store().AddApproval(approval).status());
  approval.deploy_id = 5;
  ASSERT_OK(store().AddApproval(approval).status());
  ASSERT_OK_AND_ASSIGN(auto four, store().ListApprovals("shop", "production", 4));
  ASSERT_EQ(four.size(), 2u);
  EXPECT_EQ(four[0].approver, "bo");
  EXPECT_EQ(four[0].role, "releaser");
  EXPECT_TRUE(four[0].approved);
  EXPECT_EQ(four[0].comment, "looks good");
  EXPECT_EQ(four[0].at, At(2000));
  EXPECT_EQ(four[1].approver, "cy");
  EXPECT_FALSE(four[1].approved);
}

TEST_P(GatesTest, ExemptionsRoundTripAndAreApprovedOnce) {
  ASSERT_OK_AND_ASSIGN(GateExemption made, store().CreateExemption(Exemption(true)));
  EXPECT_GT(made.id, 0);
  ASSERT_OK_AND_ASSIGN(GateExemption read, store().GetExemption(made.id));
  EXPECT_EQ(read.requested_by, "ana");
  EXPECT_EQ(read.justification, "checkout is down; this is the fix");
  EXPECT_EQ(read.expires, At(3600 * 1000));
  EXPECT_TRUE(read.needs_second_approval);
  EXPECT_EQ(read.approved_by, "");
  EXPECT_FALSE(read.approved_at.has_value());

  // Two approvals at once: exactly one is recorded.
  std::vector<Status> results(2);
  std::thread a([&] { results[0] = store().ApproveExemption(made.id, "bo", At(2000)).status(); });
  std::thread b([&] { results[1] = store().ApproveExemption(made.id, "cy", At(2000)).status(); });
  a.join();
  b.join();
  EXPECT_NE(results[0].ok(), results[1].ok());
  const Status& lost = results[0].ok() ? results[1] : results[0];
  EXPECT_EQ(lost.code(), StatusCode::kFailedPrecondition) << lost.ToString();
  ASSERT_OK_AND_ASSIGN(GateExemption approved, store().GetExemption(made.id));
  EXPECT_TRUE(approved.approved_by == "bo" || approved.approved_by == "cy");
  EXPECT_EQ(approved.approved_at, At(2000));

  EXPECT_EQ(store().ApproveExemption(999, "bo", At(1)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().GetExemption(999).status().code(), StatusCode::kNotFound);

  GateExemption staging = Exemption(false);
  staging.environment = "staging";
  ASSERT_OK(store().CreateExemption(staging).status());
  ASSERT_OK_AND_ASSIGN(auto production, store().ListExemptions("shop", "production"));
  EXPECT_EQ(production.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto every, store().ListExemptions("shop", ""));
  ASSERT_EQ(every.size(), 2u);
  EXPECT_EQ(every[0].environment, "staging");  // newest first
  ASSERT_OK_AND_ASSIGN(GateStats stats, store().GetGateStats());
  EXPECT_EQ(stats.exemptions, 2);
}

}  // namespace
}  // namespace slipway::store::testing
