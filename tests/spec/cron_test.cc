#include <gtest/gtest.h>

#include "spec/spec.h"

namespace slipway::spec {
namespace {

TEST(CronError, AcceptsTheUsualForms) {
  for (const char* good :
       {"* * * * *", "0 3 * * 1-5", "*/15 * * * *", "0 0 1 1 *", "5,10,15-20/2 * * * *",
        "0 12 * JAN-mar mon", "0 0 * * SUN,sat", "59 23 31 12 7", "0 0 * * 0", "0-59/59 * * * *",
        "  0  3 * * *  ", "10/5 * * * *", "@hourly", "@daily", "@weekly", "@monthly", "@yearly"}) {
    EXPECT_EQ(CronError(good), std::nullopt) << good << ": " << CronError(good).value_or("");
  }
}

TEST(CronError, SaysWhichFieldIsWrong) {
  EXPECT_EQ(CronError("60 * * * *"), "minute field '60': 60 is out of range 0-59");
  EXPECT_EQ(CronError("* 24 * * *"), "hour field '24': 24 is out of range 0-23");
  EXPECT_EQ(CronError("* * 0 * *"), "day-of-month field '0': 0 is out of range 1-31");
  EXPECT_EQ(CronError("* * * 13 *"), "month field '13': 13 is out of range 1-12");
  EXPECT_EQ(CronError("* * * * 8"), "day-of-week field '8': 8 is out of range 0-7");
  EXPECT_EQ(CronError("* * * * funday"),
            "day-of-week field 'funday': 'funday' is not a number or name");
  EXPECT_EQ(CronError("* * * mon *"), "month field 'mon': 'mon' is not a number or name");
  EXPECT_EQ(CronError("* * * * 5-1"), "day-of-week field '5-1': range 5-1 ends before it starts");
  EXPECT_EQ(CronError("1,,2 * * * *"), "minute field '1,,2': empty list element");
  EXPECT_EQ(CronError("*/x * * * *"), "minute field '*/x': step 'x' must be a positive number");
  EXPECT_EQ(CronError("*/60 * * * *"),
            "minute field '*/60': step 60 is larger than the field's range 0-59");
  EXPECT_EQ(CronError("* 5- * * *"), "hour field '5-': '' is not a number or name");
}

TEST(CronError, FieldCountAndMacros) {
  EXPECT_EQ(CronError(""), "expected 5 fields (minute hour day-of-month month day-of-week), got 0");
  EXPECT_EQ(CronError("* * * * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week), got 6");
  EXPECT_EQ(CronError("@reboot"),
            "unknown macro '@reboot'; use @hourly, @daily, @weekly, @monthly or @yearly");
}

}  // namespace
}  // namespace slipway::spec
