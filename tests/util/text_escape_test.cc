#include "util/text_escape.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(PercentEncode, KeepsUnreservedAndEncodesEveryOtherByte) {
  EXPECT_EQ(PercentEncode("Az09-._~"), "Az09-._~");
  EXPECT_EQ(PercentEncode("build (linux)"), "build%20%28linux%29");
  EXPECT_EQ(PercentEncode("rate(x{a=\"b\"}[5m])"), "rate%28x%7Ba%3D%22b%22%7D%5B5m%5D%29");
  EXPECT_EQ(PercentEncode("ü/?&"), "%C3%BC%2F%3F%26");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(PrometheusLabelValue, EscapesBackslashQuoteAndNewlineOnly) {
  EXPECT_EQ(PrometheusLabelValue("prod"), "prod");
  EXPECT_EQ(PrometheusLabelValue("a\\b\"c\nd\te"), "a\\\\b\\\"c\\nd\te");
}

}  // namespace
}  // namespace slipway
