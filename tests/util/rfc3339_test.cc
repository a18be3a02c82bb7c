#include "util/rfc3339.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

int64_t Millis(std::string_view text) {
  auto parsed = ParseRfc3339(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? std::chrono::duration_cast<milliseconds>(parsed->time_since_epoch()).count() : -1;
}

TEST(Rfc3339Test, ParsesWhatFormatWrites) {
  const system_clock::time_point at{milliseconds(1795874589250)};
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(at)), at);
}

TEST(Rfc3339Test, ParsesFractionsAndOffsets) {
  EXPECT_EQ(Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Millis("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(Millis("1970-01-01T00:00:01.123456789Z"), 1123);  // truncated to milliseconds
  EXPECT_EQ(Millis("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(Millis("1969-12-31T23:30:00-00:30"), 0);
  EXPECT_EQ(Millis("1970-01-01t00:00:00z"), 0);
  EXPECT_EQ(Millis("2024-02-29T12:00:00Z"), 1709208000000);
  EXPECT_EQ(Millis("1900-01-01T00:00:00Z"), -2208988800000);
}

TEST(Rfc3339Test, RefusesWhatIsNotRfc3339) {
  for (std::string_view bad :
       {"", "yesterday", "2026-11-27", "2026-11-27T14:03:09", "2026-11-27 14:03:09Z",
        "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-27T24:00:00Z",
        "2026-11-27T14:03:09.Z", "2026-11-27T14:03:09+0100", "2026-11-27T14:03:09Zjunk",
        "0000-01-01T00:00:00Z", "2026-11-27T14:03:09+24:00",
        // Not representable by system_clock (nanoseconds): refused, not wrapped around.
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace slipway
