// TimeZone: TZif files and their POSIX footer rules, against Python's zoneinfo (an
// independent reader of the same files), plus hand-checked offsets and bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "oracle_util.h"
#include "triggers/triggers.h"
#include "util/tz_rules.h"

namespace slipway::triggers {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;
using ::testing::HasSubstr;

constexpr char kZoneinfo[] = "/usr/share/zoneinfo";

bool HaveTzdata() { return std::filesystem::exists(std::string(kZoneinfo) + "/Europe/Berlin"); }

sys_seconds Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return std::chrono::sys_days(std::chrono::year(y) / mo / d) + std::chrono::hours(h) +
         std::chrono::minutes(mi);
}

TEST(TimeZoneTest, UtcNeedsNoFiles) {
  const TimeZone utc = TimeZone::Utc();
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_EQ(utc.OffsetAt(Utc(2024, 7, 1)), seconds(0));
  auto loaded = TimeZone::Load("Etc/UTC", "/nonexistent");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->OffsetAt(Utc(1970, 1, 1)), seconds(0));
}

TEST(TimeZoneTest, KnownOffsets) {
  if (!HaveTzdata()) GTEST_SKIP() << "no tzdata";
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().ToString();
  EXPECT_EQ(berlin->name(), "Europe/Berlin");
  EXPECT_EQ(berlin->OffsetAt(Utc(2024, 1, 15)), seconds(3600));
  EXPECT_EQ(berlin->OffsetAt(Utc(2024, 7, 15)), seconds(7200));
  EXPECT_EQ(berlin->OffsetAt(Utc(2024, 3, 31, 0, 59)), seconds(3600));
  EXPECT_EQ(berlin->OffsetAt(Utc(2024, 3, 31, 1, 0)), seconds(7200));
  EXPECT_EQ(berlin->OffsetAt(Utc(2090, 7, 1)), seconds(7200));  // from the POSIX rule
  auto kolkata = TimeZone::Load("Asia/Kolkata");
  ASSERT_TRUE(kolkata.ok());
  EXPECT_EQ(kolkata->OffsetAt(Utc(2024, 7, 15)), seconds(19800));
}

TEST(TimeZoneTest, AgreesWithPythonZoneinfo) {
  if (!HaveTzdata()) GTEST_SKIP() << "no tzdata";
  // Northern and southern DST, half-hour and 45-minute offsets, abolished DST, negative DST
  // (Dublin's winter "daylight saving"), and a zone whose rules changed often.
  const std::vector<std::string> zones = {
      "Europe/Berlin",     "America/New_York",    "Australia/Sydney",  "Asia/Kolkata",
      "Pacific/Chatham",   "America/St_Johns",    "America/Sao_Paulo", "Europe/Dublin",
      "Africa/Casablanca", "Australia/Lord_Howe", "Pacific/Apia",      "America/Santiago"};
  std::mt19937_64 random(42);
  const int64_t from = -2208988800;  // 1900
  const int64_t to = 4102444800;     // 2100
  std::vector<std::string> questions;
  std::vector<std::pair<std::string, int64_t>> asked;
  for (const std::string& zone : zones) {
    for (int i = 0; i < 300; ++i) {
      const int64_t t = std::uniform_int_distribution<int64_t>(from, to)(random);
      questions.push_back(zone + "\t" + std::to_string(t));
      asked.emplace_back(zone, t);
    }
  }
  testing::TempDir scratch;
  auto answers = testing::AskOracle("tz", questions, scratch.path());
  if (!answers) GTEST_SKIP() << "python3 with zoneinfo is not available";
  ASSERT_EQ(answers->size(), asked.size());
  int mismatches = 0;
  std::map<std::string, TimeZone> loaded;
  for (size_t i = 0; i < asked.size(); ++i) {
    const auto& [name, t] = asked[i];
    if (!loaded.count(name)) {
      auto zone = TimeZone::Load(name);
      ASSERT_TRUE(zone.ok()) << zone.status().ToString();
      loaded.emplace(name, *zone);
    }
    const int64_t ours = loaded.at(name).OffsetAt(sys_seconds(seconds(t))).count();
    if (std::to_string(ours) != (*answers)[i] && ++mismatches <= 10) {
      ADD_FAILURE() << name << " at " << t << ": slipway " << ours << ", zoneinfo "
                    << (*answers)[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(TimeZoneTest, BadNames) {
  for (const char* name : {"", "/etc/passwd", "../etc/passwd", "Europe/../../etc/passwd",
                           "Europe//Berlin", "Europe/Berlin/", "Europe/Ber lin"}) {
    auto zone = TimeZone::Load(name);
    ASSERT_FALSE(zone.ok()) << name;
    EXPECT_EQ(zone.status().code(), StatusCode::kInvalidArgument) << name;
  }
  if (HaveTzdata()) {
    auto directory = TimeZone::Load("Europe");
    ASSERT_FALSE(directory.ok());
    EXPECT_EQ(directory.status().code(), StatusCode::kNotFound);
  }
  auto unknown = TimeZone::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown time zone 'Mars/Olympus_Mons'"));
}

TEST(TimeZoneTest, NotATzifFile) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "Fake") << "not a tzif file at all, just some text here";
  auto zone = TimeZone::Load("Fake", dir.path());
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(zone.status().message(), HasSubstr("is not a TZif file"));
  std::ofstream(dir.path() / "Short", std::ios::binary)
      << std::string("TZif2") + std::string(40, '\0');
  EXPECT_FALSE(TimeZone::Load("Short", dir.path()).ok());
}

TEST(PosixTzTest, ParsesFooterRules) {
  auto berlin = tz_internal::ParsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(berlin.has_value());
  EXPECT_EQ(berlin->std_offset, 3600);
  EXPECT_EQ(berlin->dst_offset, 7200);
  EXPECT_EQ(berlin->OffsetAt(Utc(2031, 3, 30, 0, 59).time_since_epoch().count()), 3600);
  EXPECT_EQ(berlin->OffsetAt(Utc(2031, 3, 30, 1, 0).time_since_epoch().count()), 7200);
  auto fixed = tz_internal::ParsePosixTz("<+0530>-5:30");
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fixed->std_offset, 19800);
  EXPECT_FALSE(fixed->dst_offset.has_value());
  auto julian = tz_internal::ParsePosixTz("XST3XDT,J60/2,300/2");
  ASSERT_TRUE(julian.has_value());
  for (const char* bad : {"", "CE", "CET", "CET-1CEST", "CET-1CEST,M3.5.0",
                          "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0,M10.5.0/3x", "<+05"}) {
    EXPECT_FALSE(tz_internal::ParsePosixTz(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace slipway::triggers
