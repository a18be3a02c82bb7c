#include <gtest/gtest.h>

#include "spec/spec.h"

namespace slipway::spec {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(ParseDuration("90s"), milliseconds(90'000));
  EXPECT_EQ(ParseDuration("10m"), milliseconds(600'000));
  EXPECT_EQ(ParseDuration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(ParseDuration("2d"), milliseconds(172'800'000));
}

TEST(ParseDuration, TermsAreSummed) {
  EXPECT_EQ(ParseDuration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(ParseDuration("1m30s500ms"), milliseconds(90'500));
  EXPECT_EQ(ParseDuration("1d1h1m1s1ms"), milliseconds(90'061'001));
}

TEST(ParseDuration, FractionsAreExact) {
  EXPECT_EQ(ParseDuration("1.5h"), milliseconds(5'400'000));
  EXPECT_EQ(ParseDuration("1.1h"), milliseconds(3'960'000));  // no binary-float rounding
  EXPECT_EQ(ParseDuration("0.5s"), milliseconds(500));
  EXPECT_EQ(ParseDuration("1.9ms"), milliseconds(1));  // truncated to whole milliseconds
}

TEST(ParseDuration, Rejects) {
  EXPECT_EQ(ParseDuration(""), std::nullopt);
  EXPECT_EQ(ParseDuration("30"), std::nullopt);  // no unit
  EXPECT_EQ(ParseDuration("-5m"), std::nullopt);
  EXPECT_EQ(ParseDuration("0s"), std::nullopt);
  EXPECT_EQ(ParseDuration("0.1ms"), std::nullopt);  // rounds to zero
  EXPECT_EQ(ParseDuration("10x"), std::nullopt);
  EXPECT_EQ(ParseDuration("10 m"), std::nullopt);
  EXPECT_EQ(ParseDuration("m"), std::nullopt);
  EXPECT_EQ(ParseDuration("1h30"), std::nullopt);
  EXPECT_EQ(ParseDuration("1.2.3s"), std::nullopt);
  EXPECT_EQ(ParseDuration("10M"), std::nullopt);                       // units are lower case
  EXPECT_EQ(ParseDuration("99999999999999999999999d"), std::nullopt);  // overflows
}

}  // namespace
}  // namespace slipway::spec
