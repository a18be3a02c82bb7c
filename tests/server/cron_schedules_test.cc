// CronSchedules: which minutes a project's pipeline schedules fire, read from its mirror, and
// what happens when the pipeline changes or cannot be read.
#include "server/cron_schedules.h"

#include <gtest/gtest.h>

#include "triggers/triggers_test_util.h"

namespace slipway::server {
namespace {

using std::chrono::sys_days;
using std::chrono::sys_seconds;
using triggers::testing::RunGit;
using triggers::testing::TempDir;
using namespace std::chrono_literals;

constexpr sys_seconds At(int hour, int minute) {
  return sys_seconds(sys_days(std::chrono::year(2026) / 11 / 27)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute);
}

class CronSchedulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = dir_.path() / "repo";
    std::filesystem::create_directories(repo_);
    RunGit(repo_, {"init", "-q", "-b", "main"});
    project_.id = 7;
    project_.name = "nightly";
    project_.repo = repo_.string();
    project_.default_branch = "main";
  }

  void Commit(const std::string& pipeline) {
    std::ofstream(repo_ / ".slipway.yml") << pipeline;
    RunGit(repo_, {"add", "-A"});
    RunGit(repo_, {"commit", "-q", "--allow-empty", "-m", "change"});
  }

  bool Fires(CronSchedules& schedules, sys_seconds minute) {
    return schedules.Fires(project_, minute,
                           [this](const std::string& line) { logged_.push_back(line); });
  }

  TempDir dir_;
  std::filesystem::path repo_;
  store::Project project_;
  std::vector<std::string> logged_;
};

constexpr const char* kAtThree = R"(name: nightly
on:
  schedule:
    - cron: '0 3 * * *'
    - cron: '30 12 * * 5'
jobs:
  build:
    steps:
      - run: "true"
)";

TEST_F(CronSchedulesTest, FiresOnTheMinutesOfItsEntriesOnly) {
  Commit(kAtThree);
  CronSchedules schedules(dir_.path() / "data");
  EXPECT_TRUE(Fires(schedules, At(3, 0)));
  EXPECT_FALSE(Fires(schedules, At(3, 1)));
  EXPECT_FALSE(Fires(schedules, At(2, 59)));
  EXPECT_TRUE(Fires(schedules, At(12, 30)));  // 2026-11-27 is a Friday
  EXPECT_TRUE(logged_.empty()) << logged_.front();
}

TEST_F(CronSchedulesTest, AChangedPipelineAppliesAfterTheNextFetch) {
  Commit(kAtThree);
  CronSchedules fetch_each_time(dir_.path() / "data", 0s);
  CronSchedules fetch_rarely(dir_.path() / "data2", std::chrono::hours(1));
  ASSERT_TRUE(Fires(fetch_each_time, At(3, 0)));
  ASSERT_TRUE(Fires(fetch_rarely, At(3, 0)));
  Commit(
      "name: nightly\non:\n  schedule:\n    - cron: '15 4 * * *'\njobs:\n  b:\n    steps:\n"
      "      - run: \"true\"\n");
  EXPECT_FALSE(Fires(fetch_each_time, At(3, 0)));
  EXPECT_TRUE(Fires(fetch_each_time, At(4, 15)));
  // Its mirror was fetched less than an hour ago: the old schedules still apply.
  EXPECT_TRUE(Fires(fetch_rarely, At(3, 0)));
  EXPECT_FALSE(Fires(fetch_rarely, At(4, 15)));
}

TEST_F(CronSchedulesTest, AnInvalidPipelineFiresNothingAndIsLoggedOnce) {
  Commit("name: broken\non:\n  schedule:\n    - cron: '0 3 * * *'\njobs: [\n");
  CronSchedules schedules(dir_.path() / "data", 0s);
  EXPECT_FALSE(Fires(schedules, At(3, 0)));
  EXPECT_FALSE(Fires(schedules, At(3, 0)));
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_NE(logged_[0].find("nightly"), std::string::npos) << logged_[0];
  EXPECT_NE(logged_[0].find("invalid"), std::string::npos) << logged_[0];
  Commit(kAtThree);  // fixed: fires again
  EXPECT_TRUE(Fires(schedules, At(3, 0)));
}

TEST_F(CronSchedulesTest, AnUnreachableRepositoryFiresNothingAndIsLoggedOnce) {
  project_.repo = (dir_.path() / "missing").string();
  CronSchedules schedules(dir_.path() / "data", 0s);
  EXPECT_FALSE(Fires(schedules, At(3, 0)));
  EXPECT_FALSE(Fires(schedules, At(3, 0)));
  EXPECT_EQ(logged_.size(), 1u);
}

}  // namespace
}  // namespace slipway::server
