// Small pieces of the store that need no database.
#include <gtest/gtest.h>

#include "store/enum_names.h"
#include "store/lease_token.h"
#include "store/log_compression.h"
#include "store/postgres_connection.h"
#include "store/store.h"

namespace slipway::store {
namespace {

TEST(NumberPlaceholdersTest, NumbersQuestionMarksOutsideQuotes) {
  EXPECT_EQ(NumberPlaceholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(NumberPlaceholders("UPDATE t SET s = 'why?' WHERE id = ?"),
            "UPDATE t SET s = 'why?' WHERE id = $1");
  EXPECT_EQ(NumberPlaceholders("SELECT 1"), "SELECT 1");
}

TEST(EnumNamesTest, RoundTrip) {
  for (Role r : {Role::kViewer, Role::kDeveloper, Role::kReleaser, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_STREQ(RoleName(Role::kReleaser), "releaser");
  EXPECT_FALSE(ParseRole("root").has_value());
  for (JobStatus s :
       {JobStatus::kWaiting, JobStatus::kQueued, JobStatus::kRunning, JobStatus::kSettling,
        JobStatus::kSuccess, JobStatus::kFailure, JobStatus::kTimedOut, JobStatus::kInfra,
        JobStatus::kCancelled, JobStatus::kSkipped}) {
    EXPECT_EQ(ParseJobStatus(JobStatusText(s)), s);
  }
  for (RunStatus s : {RunStatus::kQueued, RunStatus::kRunning, RunStatus::kSuccess,
                      RunStatus::kFailure, RunStatus::kCancelled}) {
    EXPECT_EQ(ParseRunStatus(RunStatusText(s)), s);
  }
  EXPECT_FALSE(ParseJobStatus("done").has_value());
}

TEST(EnumNamesTest, FinalJobStatuses) {
  EXPECT_FALSE(IsFinal(JobStatus::kWaiting));
  EXPECT_FALSE(IsFinal(JobStatus::kQueued));
  EXPECT_FALSE(IsFinal(JobStatus::kRunning));
  EXPECT_FALSE(IsFinal(JobStatus::kSettling));
  EXPECT_TRUE(IsFinal(JobStatus::kSuccess));
  EXPECT_TRUE(IsFinal(JobStatus::kFailure));
  EXPECT_TRUE(IsFinal(JobStatus::kTimedOut));
  EXPECT_TRUE(IsFinal(JobStatus::kInfra));
  EXPECT_TRUE(IsFinal(JobStatus::kCancelled));
  EXPECT_TRUE(IsFinal(JobStatus::kSkipped));
}

TEST(LeaseTokenTest, RandomHexAndConstantTimeCompare) {
  auto a = NewLeaseToken(), b = NewLeaseToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(TokensEqual(*a, *a));
  EXPECT_FALSE(TokensEqual(*a, *b));
  EXPECT_FALSE(TokensEqual(*a, a->substr(1)));
}

TEST(LogCodecTest, RoundTripAndDamage) {
  LogCodec codec;
  std::string raw;
  for (int i = 0; i < 1000; ++i) raw += "line " + std::to_string(i) + "\n";
  auto compressed = codec.Compress(raw);
  ASSERT_TRUE(compressed.ok());
  EXPECT_LT(compressed->size(), raw.size());
  auto back = codec.Decompress(*compressed, static_cast<int64_t>(raw.size()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, raw);
  EXPECT_EQ(codec.Decompress(*compressed, 10).status().code(), StatusCode::kInternal);
  EXPECT_EQ(codec.Decompress("garbage", 7).status().code(), StatusCode::kInternal);
  auto empty = codec.Compress("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(codec.Decompress(*empty, 0).value(), "");
}

}  // namespace
}  // namespace slipway::store
