#include "deploy/protection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy_test_util.h"

namespace slipway::deploy {
namespace {

using ::testing::HasSubstr;

std::chrono::system_clock::time_point At(const char* utc) {
  std::tm tm{};
  strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

spec::Environment Production() {
  spec::Environment environment;
  environment.name = "production";
  return environment;
}

TEST(Protection, AllowedBranchesAreGlobs) {
  spec::Environment environment = Production();
  environment.protection.branches = {"main", "release/*"};
  const auto now = At("2026-11-27T12:00:00");
  EXPECT_TRUE(CheckProtection(environment, "main", now).ok());
  EXPECT_TRUE(CheckProtection(environment, "release/1.4", now).ok());
  Status refused = CheckProtection(environment, "feature/x", now);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(),
            "branch 'feature/x' may not deploy to production (allowed: main, release/*)");
}

TEST(Protection, DeployWindowsAreCronMinutesInTheirTimeZone) {
  spec::Environment environment = Production();
  // Weekdays 9:00–16:59 in Berlin (UTC+1 in November).
  environment.protection.windows = {
      {.cron = "* 9-16 * * 1-5", .time_zone = "Europe/Berlin", .pos = {}}};
  // Friday 2026-11-27.
  EXPECT_TRUE(CheckProtection(environment, "main", At("2026-11-27T08:00:00")).ok());
  EXPECT_TRUE(CheckProtection(environment, "main", At("2026-11-27T15:59:30")).ok());
  Status late = CheckProtection(environment, "main", At("2026-11-27T16:00:00"));
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.message(), HasSubstr("production is outside its deploy windows ('* 9-16 * * "
                                        "1-5' Europe/Berlin)"));
  // The next window opens on Monday at 9:00 in Berlin.
  EXPECT_THAT(late.message(), HasSubstr("the next one opens at 2026-11-30T08:00:00.000Z"));
}

TEST(Protection, UnknownTimeZoneRefusesWithTheReason) {
  spec::Environment environment = Production();
  environment.protection.windows = {{.cron = "* * * * *", .time_zone = "Mars/Olympus", .pos = {}}};
  Status refused = CheckProtection(environment, "main", At("2026-11-27T12:00:00"));
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("time zone Mars/Olympus"));
}

TEST(Protection, NothingDeclaredAllowsEverything) {
  EXPECT_TRUE(CheckProtection(Production(), "anything", At("2026-11-27T03:00:00")).ok());
}

}  // namespace
}  // namespace slipway::deploy

namespace slipway::deploy {
namespace {

using ::testing::HasSubstr;

class PromotionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DesiredState staging;
    staging.project = "shop";
    staging.environment = "staging";
    ASSERT_TRUE(ledger_->Save(staging).ok());
    production_.name = "production";
    production_.promote_from = {"staging"};
  }
  void Deployed(const std::string& outcome, const std::string& digest, const std::string& run) {
    DeployRecord record;
    record.id = ++deploys_;
    record.project = "shop";
    record.environment = "staging";
    record.digest = digest;
    record.run_id = run;
    record.outcome = outcome;
    ASSERT_TRUE(ledger_->RecordDeploy(record).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<EnvironmentLedger> ledger_ = MakeFileLedger(dir_.path());
  spec::Environment production_;
  int64_t deploys_ = 0;
};

const std::string kDigest = "sha256:" + std::string(64, 'c');

TEST_F(PromotionTest, AReleaseMustHaveSucceededInEveryEarlierEnvironment) {
  Status refused =
      CheckPromotion(production_, "shop", {.digest = kDigest, .run_id = "7"}, *ledger_);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("has not been deployed successfully to staging"));
  Deployed("failed", kDigest, "7");
  Deployed("running", kDigest, "7");
  Deployed("succeeded", "sha256:" + std::string(64, 'd'), "7");  // another release
  EXPECT_FALSE(
      CheckPromotion(production_, "shop", {.digest = kDigest, .run_id = "7"}, *ledger_).ok());
  Deployed("succeeded", kDigest, "3");  // built by another run: the digest is what counts
  EXPECT_TRUE(
      CheckPromotion(production_, "shop", {.digest = kDigest, .run_id = "7"}, *ledger_).ok());

  production_.promote_from.push_back("qa");  // never deployed at all
  refused = CheckPromotion(production_, "shop", {.digest = kDigest, .run_id = "7"}, *ledger_);
  EXPECT_THAT(refused.message(), HasSubstr("successfully to qa yet"));
}

TEST_F(PromotionTest, AnArtifactFromTheWorkspaceIsKnownByItsRun) {
  Deployed("succeeded", "", "41");
  EXPECT_TRUE(CheckPromotion(production_, "shop", {.digest = "", .run_id = "41"}, *ledger_).ok());
  Status refused = CheckPromotion(production_, "shop", {.digest = "", .run_id = "42"}, *ledger_);
  EXPECT_THAT(refused.message(), HasSubstr("the artifact of run 42"));
}

TEST_F(PromotionTest, AnEnvironmentWithoutPromoteFromTakesAnything) {
  production_.promote_from.clear();
  EXPECT_TRUE(
      CheckPromotion(production_, "shop", {.digest = kDigest, .run_id = "1"}, *ledger_).ok());
}

}  // namespace
}  // namespace slipway::deploy
