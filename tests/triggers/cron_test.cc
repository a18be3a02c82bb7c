// CronSchedule: next-fire tables worked out by hand (weekdays checked against a calendar:
// 2024-01-01 is a Monday, 2024-02-29 a Thursday, 2025-01-01 a Wednesday).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "triggers/triggers.h"

namespace slipway::triggers {
namespace {

using std::chrono::sys_seconds;

// "YYYY-MM-DD HH:MM[:SS]" in UTC.
sys_seconds At(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const int n = std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  EXPECT_GE(n, 5) << text;
  const std::chrono::sys_days day = std::chrono::year(y) / mo / d;
  return day + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
}

std::string Format(std::optional<sys_seconds> t) {
  if (!t) return "never";
  const auto day = std::chrono::floor<std::chrono::days>(*t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss time(*t - day);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u %02ld:%02ld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()));
  return out;
}

std::string Next(const std::string& expression, const std::string& from,
                 const TimeZone& zone = TimeZone::Utc()) {
  auto schedule = CronSchedule::Parse(expression);
  EXPECT_TRUE(schedule.ok()) << schedule.status().ToString();
  if (!schedule.ok()) return "invalid";
  return Format(schedule->NextAfter(At(from), zone));
}

struct Case {
  const char* expression;
  const char* from;
  const char* next;
};

void ExpectTable(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(Next(c.expression, c.from), c.next) << c.expression << " after " << c.from;
  }
}

TEST(CronNextTest, StrictlyAfterAndWholeMinutes) {
  ExpectTable({
      {"* * * * *", "2024-01-01 00:00", "2024-01-01 00:01"},
      {"* * * * *", "2024-01-01 00:00:30", "2024-01-01 00:01"},
      {"* * * * *", "2024-01-01 23:59:59", "2024-01-02 00:00"},
      {"0 * * * *", "2024-01-01 00:00", "2024-01-01 01:00"},
      {"30 2 * * *", "2024-01-01 02:30", "2024-01-02 02:30"},
      {"30 2 * * *", "2024-01-01 02:29:59", "2024-01-01 02:30"},
  });
}

TEST(CronNextTest, Macros) {
  ExpectTable({
      {"@hourly", "2024-01-01 00:00", "2024-01-01 01:00"},
      {"@daily", "2024-12-31 12:00", "2025-01-01 00:00"},
      {"@weekly", "2024-01-01 00:00", "2024-01-07 00:00"},  // Sunday
      {"@monthly", "2024-01-31 10:00", "2024-02-01 00:00"},
      {"@yearly", "2024-06-01 00:00", "2025-01-01 00:00"},
  });
}

TEST(CronNextTest, MonthEndsAndLeapYears) {
  ExpectTable({
      {"0 0 29 2 *", "2024-02-28 12:00", "2024-02-29 00:00"},
      {"0 0 29 2 *", "2024-03-01 00:00", "2028-02-29 00:00"},
      {"0 0 29 2 *", "2096-03-01 00:00", "2104-02-29 00:00"},  // 2100 is not a leap year
      {"0 0 31 * *", "2024-01-31 00:00", "2024-03-31 00:00"},  // February has no 31st
      {"0 0 31 * *", "2024-03-31 00:00", "2024-05-31 00:00"},
      {"0 0 30 * *", "2023-01-30 00:00", "2023-03-30 00:00"},
      {"59 23 31 12 *", "2024-12-31 23:59", "2025-12-31 23:59"},
      {"0 0 1 1 *", "2023-12-31 23:59:59", "2024-01-01 00:00"},
      {"0 12 28-31 2 *", "2023-02-28 12:00", "2024-02-28 12:00"},
      {"0 12 28-31 2 *", "2024-02-28 12:00", "2024-02-29 12:00"},
  });
}

TEST(CronNextTest, SchedulesThatNeverFire) {
  ExpectTable({
      {"0 0 30 2 *", "2024-01-01 00:00", "never"},
      {"0 0 31 4,6,9,11 *", "2024-01-01 00:00", "never"},
  });
}

TEST(CronNextTest, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  ExpectTable({
      {"0 0 13 * 5", "2024-01-01 00:00", "2024-01-05 00:00"},  // Friday
      {"0 0 13 * 5", "2024-01-05 00:00", "2024-01-12 00:00"},  // Friday
      {"0 0 13 * 5", "2024-01-12 00:00", "2024-01-13 00:00"},  // the 13th, a Saturday
      {"0 0 1 * 0", "2024-01-28 00:00", "2024-02-01 00:00"},   // Sunday 28th, then the 1st
      {"0 0 1,15 * 3", "2024-01-01 00:00", "2024-01-03 00:00"},
      {"0 0 29 2 1", "2024-03-01 00:00", "2025-02-03 00:00"},  // first Monday of Feb 2025
      {"0 0 1-31/2 * 1", "2024-01-01 00:00", "2024-01-03 00:00"},
      // No November 31st, but November Thursdays still match.
      {"0 6 31 11 4", "2024-01-01 00:00", "2024-11-07 06:00"},
      // Both restricted by text, though the weekdays cover the week: every day matches.
      {"0 0 13 * 0-7", "2024-01-01 00:00", "2024-01-02 00:00"},
      {"0 0 1-31 * 5", "2024-01-01 00:00", "2024-01-02 00:00"},
  });
}

TEST(CronNextTest, BothFieldsMustMatchWhenOneStartsWithStar) {
  ExpectTable({
      {"0 0 * * 1", "2024-01-01 00:00", "2024-01-08 00:00"},
      {"0 0 13 * *", "2024-01-01 00:00", "2024-01-13 00:00"},
      // Vixie cron treats "*/2" like "*" here (the field starts with '*'): odd days that are
      // Mondays, not odd days or Mondays.
      {"0 0 */2 * 1", "2024-01-01 00:00", "2024-01-15 00:00"},
      {"0 0 13 * */7", "2024-01-01 00:00", "2024-10-13 00:00"},  // a 13th that is a Sunday
  });
}

TEST(CronNextTest, WeekdaysNamesAndSeven) {
  ExpectTable({
      {"0 12 * * 7", "2024-01-01 00:00", "2024-01-07 12:00"},
      {"0 12 * * 0", "2024-01-01 00:00", "2024-01-07 12:00"},
      {"0 12 * * 5-7", "2024-01-01 12:00", "2024-01-05 12:00"},
      {"0 12 * * 5-7", "2024-01-05 12:00", "2024-01-06 12:00"},
      {"0 12 * * 5-7", "2024-01-06 12:00", "2024-01-07 12:00"},
      {"0 12 * * SAT,sun", "2024-01-01 00:00", "2024-01-06 12:00"},
      {"0 9 * JAN-MAR mon-fri", "2024-03-29 09:00", "2025-01-01 09:00"},
      {"0 0 * * 1-7/2", "2024-01-01 00:00", "2024-01-03 00:00"},  // Mon, Wed, Fri, Sun
  });
}

TEST(CronNextTest, StepsRangesAndLists) {
  ExpectTable({
      {"5-20/5 * * * *", "2024-01-01 00:20", "2024-01-01 01:05"},
      {"5-20/5 * * * *", "2024-01-01 00:06", "2024-01-01 00:10"},
      {"10/15 * * * *", "2024-01-01 00:55", "2024-01-01 01:10"},
      {"*/45 * * * *", "2024-01-01 00:45", "2024-01-01 01:00"},
      {"0-59/59 * * * *", "2024-01-01 00:00", "2024-01-01 00:59"},
      {"0 8,12,18 * * *", "2024-01-01 12:00", "2024-01-01 18:00"},
      {"0 8,12,18 * * *", "2024-01-01 18:00", "2024-01-02 08:00"},
      {"15 */6 * * *", "2024-01-01 18:15", "2024-01-02 00:15"},
      {"0 0 1 */3 *", "2024-02-15 00:00", "2024-04-01 00:00"},
      {"5,10,15-20/2 * * * *", "2024-01-01 00:15", "2024-01-01 00:17"},
      {"50/1 * * * *", "2024-01-01 00:07", "2024-01-01 00:50"},  // N/S is N-max/S
      {"0 0 1 10/1 *", "2024-01-01 00:00", "2024-10-01 00:00"},
  });
}

TEST(CronNextTest, InvalidExpressionsSayWhy) {
  auto result = CronSchedule::Parse("61 * * * *");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "cron expression '61 * * * *': minute field '61': 61 is out of range 0-59");
  EXPECT_FALSE(CronSchedule::Parse("@reboot").ok());
  EXPECT_FALSE(CronSchedule::Parse("* * * *").ok());
}

TEST(CronNextTest, KeepsItsExpression) {
  auto result = CronSchedule::Parse("0 3 * * 1-5");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->expression(), "0 3 * * 1-5");
}

TEST(CronNextTest, SuccessiveFiresOfAWeekdaySchedule) {
  auto schedule = CronSchedule::Parse("0 9 * * 1-5");
  ASSERT_TRUE(schedule.ok());
  std::vector<std::string> fires;
  std::optional<sys_seconds> t = At("2024-02-28 10:00");
  for (int i = 0; i < 4; ++i) {
    t = schedule->NextAfter(*t);
    fires.push_back(Format(t));
  }
  EXPECT_THAT(fires, ::testing::ElementsAre("2024-02-29 09:00", "2024-03-01 09:00",
                                            "2024-03-04 09:00", "2024-03-05 09:00"));
}

// --- time zones ----------------------------------------------------------------------------

class CronZoneTest : public ::testing::Test {
 protected:
  static std::optional<TimeZone> Zone(const std::string& name) {
    auto zone = TimeZone::Load(name);
    if (!zone.ok()) return std::nullopt;
    return *zone;
  }
};

TEST_F(CronZoneTest, WallClockTimeInAZone) {
  auto york = Zone("America/New_York");
  if (!york) GTEST_SKIP() << "no tzdata";
  // 09:00 EST is 14:00 UTC; after the spring change (2024-03-10) 09:00 EDT is 13:00 UTC.
  EXPECT_EQ(Next("0 9 * * *", "2024-03-08 15:00", *york), "2024-03-09 14:00");
  EXPECT_EQ(Next("0 9 * * *", "2024-03-09 15:00", *york), "2024-03-10 13:00");
}

TEST_F(CronZoneTest, SkippedWallClockTimeFiresAtTheChange) {
  auto berlin = Zone("Europe/Berlin");
  if (!berlin) GTEST_SKIP() << "no tzdata";
  // 2024-03-31: 02:00 CET jumps to 03:00 CEST, at 01:00 UTC. 02:30 does not exist that day.
  EXPECT_EQ(Next("30 2 * * *", "2024-03-30 12:00", *berlin), "2024-03-31 01:00");
  EXPECT_EQ(Next("30 2 * * *", "2024-03-31 01:00", *berlin), "2024-04-01 00:30");
  EXPECT_EQ(Next("*/20 * * * *", "2024-03-31 00:50", *berlin), "2024-03-31 01:00");
  EXPECT_EQ(Next("*/20 * * * *", "2024-03-31 01:00", *berlin), "2024-03-31 01:20");
}

TEST_F(CronZoneTest, RepeatedWallClockTimeFiresOnce) {
  auto berlin = Zone("Europe/Berlin");
  if (!berlin) GTEST_SKIP() << "no tzdata";
  // 2024-10-27: 03:00 CEST goes back to 02:00 CET, at 01:00 UTC; 02:30 happens twice.
  EXPECT_EQ(Next("30 2 * * *", "2024-10-26 12:00", *berlin), "2024-10-27 00:30");
  EXPECT_EQ(Next("30 2 * * *", "2024-10-27 00:30", *berlin), "2024-10-28 01:30");
  EXPECT_EQ(Next("0 * * * *", "2024-10-27 00:30", *berlin), "2024-10-27 02:00");
}

TEST_F(CronZoneTest, ZoneAfterItsTransitionTable) {
  auto sydney = Zone("Australia/Sydney");
  if (!sydney) GTEST_SKIP() << "no tzdata";
  // Past 2037 only the file's POSIX rule applies: AEST-10AEDT,M10.1.0,M4.1.0/3. On
  // 2050-10-02 (first Sunday of October) 02:00 AEST jumps to 03:00 AEDT, at 16:00 UTC the day
  // before.
  EXPECT_EQ(Next("0 12 * * *", "2050-06-01 00:00", *sydney), "2050-06-01 02:00");
  EXPECT_EQ(Next("0 12 * * *", "2050-12-01 00:00", *sydney), "2050-12-01 01:00");
  EXPECT_EQ(Next("30 2 2 10 *", "2050-01-01 00:00", *sydney), "2050-10-01 16:00");
}

}  // namespace
}  // namespace slipway::triggers
