// Approvals (distinct approvers, role, not-author, expiry, rejection) and emergency exemptions
// (justification, duration, second person, expiry).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "policy/policy.h"

namespace slipway::policy {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Time kNoon = std::chrono::sys_days(std::chrono::year(2026) / 11 / 27) + hours(12);

Approval By(std::string approver, std::string role, Time at, bool approved = true) {
  Approval a;
  a.approver = std::move(approver);
  a.role = std::move(role);
  a.at = at;
  a.approved = approved;
  return a;
}

spec::ApprovalsSpec Needs(int count, std::string role = "", bool not_author = false,
                          std::optional<spec::Duration> expire = std::nullopt) {
  spec::ApprovalsSpec spec;
  spec.count = count;
  spec.role = std::move(role);
  spec.not_author = not_author;
  spec.expire_after = expire;
  return spec;
}

TEST(ApprovalsTest, DistinctApproversAreCountedOnce) {
  const std::vector<Approval> given = {By("ana", "releaser", kNoon), By("ana", "releaser", kNoon),
                                       By("bo", "admin", kNoon)};
  const ApprovalStatus two = CheckApprovals(Needs(2), given, "", kNoon);
  EXPECT_TRUE(two.satisfied);
  EXPECT_THAT(two.counted, ElementsAre("ana", "bo"));
  const ApprovalStatus three = CheckApprovals(Needs(3), given, "", kNoon);
  EXPECT_FALSE(three.satisfied);
  EXPECT_EQ(three.message, "2 of 3 approvals (ana, bo)");
}

TEST(ApprovalsTest, OnlyApproversWithTheRoleCount) {
  const std::vector<Approval> given = {By("dev", "developer", kNoon), By("rel", "releaser", kNoon),
                                       By("adm", "admin", kNoon)};
  const ApprovalStatus status = CheckApprovals(Needs(3, "releaser"), given, "", kNoon);
  EXPECT_FALSE(status.satisfied);
  EXPECT_THAT(status.counted, ElementsAre("rel", "adm"));
  EXPECT_EQ(MayApprove(Needs(1, "releaser"), "dev", "developer", "").code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(MayApprove(Needs(1, "releaser"), "adm", "admin", "").ok());
}

TEST(ApprovalsTest, TheAuthorCannotApproveWhenNotAuthor) {
  const std::vector<Approval> given = {By("ana", "admin", kNoon), By("bo", "admin", kNoon)};
  EXPECT_FALSE(CheckApprovals(Needs(2, "", true), given, "ana", kNoon).satisfied);
  EXPECT_TRUE(CheckApprovals(Needs(2, "", false), given, "ana", kNoon).satisfied);
  Status refused = MayApprove(Needs(1, "", true), "ana", "admin", "ana");
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.message(), HasSubstr("not-author"));
}

TEST(ApprovalsTest, ApprovalsExpire) {
  const std::vector<Approval> given = {By("ana", "admin", kNoon - hours(25)),
                                       By("bo", "admin", kNoon - hours(1))};
  const ApprovalStatus status = CheckApprovals(Needs(2, "", false, hours(24)), given, "", kNoon);
  EXPECT_FALSE(status.satisfied);
  EXPECT_THAT(status.counted, ElementsAre("bo"));
  // Without expire-after they never do.
  EXPECT_TRUE(CheckApprovals(Needs(2), given, "", kNoon).satisfied);
}

TEST(ApprovalsTest, AValidRejectionRejectsAndTheLatestVerdictOfEachPersonCounts) {
  std::vector<Approval> given = {By("ana", "admin", kNoon - minutes(2)),
                                 By("bo", "admin", kNoon - minutes(1), /*approved=*/false)};
  given[1].comment = "not during the sale";
  const ApprovalStatus rejected = CheckApprovals(Needs(1), given, "", kNoon);
  EXPECT_TRUE(rejected.rejected);
  EXPECT_FALSE(rejected.satisfied);
  EXPECT_EQ(rejected.message, "rejected by bo: not during the sale");
  // bo changes their mind.
  given.push_back(By("bo", "admin", kNoon));
  const ApprovalStatus approved = CheckApprovals(Needs(2), given, "", kNoon);
  EXPECT_FALSE(approved.rejected);
  EXPECT_TRUE(approved.satisfied);
  // A rejection by someone without the role does not count either.
  const ApprovalStatus ignored = CheckApprovals(
      Needs(1, "releaser"), {By("dev", "developer", kNoon, false), By("rel", "releaser", kNoon)},
      "", kNoon);
  EXPECT_TRUE(ignored.satisfied);
}

spec::ExemptionsSpec Exemptions(bool second) {
  spec::ExemptionsSpec spec;
  spec.second_approval = second;
  spec.max_duration = hours(4);
  return spec;
}

TEST(ExemptionsTest, NeedAJustificationAndALimitedDuration) {
  EXPECT_EQ(NewExemption(Exemptions(false), "shop", "production", "ana", "  \n", hours(1), kNoon)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(NewExemption(Exemptions(false), "shop", "production", "ana",
                           std::string(kMaxJustificationBytes + 1, 'x'), hours(1), kNoon)
                  .status()
                  .message(),
              HasSubstr("at most 2000"));
  EXPECT_THAT(
      NewExemption(Exemptions(false), "shop", "production", "ana", "outage", hours(5), kNoon)
          .status()
          .message(),
      HasSubstr("at most 4h"));
  Result<Exemption> made =
      NewExemption(Exemptions(false), "shop", "production", "ana", "outage fix", hours(2), kNoon);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->expires, kNoon + hours(2));
  EXPECT_EQ(StateOf(*made, kNoon), ExemptionState::kActive);
  EXPECT_EQ(StateOf(*made, kNoon + hours(2)), ExemptionState::kExpired);
}

TEST(ExemptionsTest, ASecondPersonMustApproveWhenConfigured) {
  Result<Exemption> made =
      NewExemption(Exemptions(true), "shop", "production", "ana", "outage fix", hours(2), kNoon);
  ASSERT_TRUE(made.ok());
  Exemption exemption = *made;
  exemption.id = 3;
  EXPECT_EQ(StateOf(exemption, kNoon), ExemptionState::kPending);
  const std::vector<Exemption> pending = {exemption};
  EXPECT_EQ(ActiveExemption(pending, kNoon), nullptr);
  // Not by the person who asked; not once expired.
  EXPECT_EQ(MaySecondApprove(exemption, "ana", kNoon).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MaySecondApprove(exemption, "bo", kNoon + hours(3)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(MaySecondApprove(exemption, "bo", kNoon).ok());
  exemption.approved_by = "bo";
  exemption.approved_at = kNoon;
  EXPECT_EQ(StateOf(exemption, kNoon), ExemptionState::kActive);
  EXPECT_EQ(MaySecondApprove(exemption, "cy", kNoon).code(), StatusCode::kFailedPrecondition);
  const std::vector<Exemption> exemptions = {exemption};
  ASSERT_NE(ActiveExemption(exemptions, kNoon), nullptr);
  EXPECT_EQ(ActiveExemption(exemptions, kNoon + hours(2)), nullptr);
}

TEST(ExemptionsTest, TheActiveExemptionThatLastsLongestWins) {
  Exemption a, b, expired;
  a.id = 1;
  a.expires = kNoon + hours(1);
  b.id = 2;
  b.expires = kNoon + hours(3);
  expired.id = 3;
  expired.expires = kNoon;
  const std::vector<Exemption> exemptions = {a, expired, b};
  const Exemption* active = ActiveExemption(exemptions, kNoon);
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->id, 2);
}

}  // namespace
}  // namespace slipway::policy
