#include <gtest/gtest.h>

#include <cstring>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class LogsTest : public StoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreTest::SetUp());
    Project p = MakeProject("p");
    MakeRun(p.id, {MakeJob(0)});
    auto lease = store().LeaseJob(LeaseFor(1, {}, At(1000)));
    ASSERT_TRUE(lease.ok() && lease->has_value());
    attempt_ = (*lease)->attempt.id;
  }

  std::string Read(int64_t offset, int64_t max_bytes) {
    auto slice = store().ReadLog(attempt_, offset, max_bytes);
    EXPECT_TRUE(slice.ok()) << slice.status().ToString();
    if (!slice.ok()) return "<error>";
    EXPECT_EQ(slice->offset, offset);
    return slice->data;
  }

  int64_t attempt_ = 0;
};
SLIPWAY_STORE_TEST_SUITE(LogsTest);

TEST_P(LogsTest, AppendAndReadRanges) {
  ASSERT_OK_AND_ASSIGN(LogSlice empty, store().ReadLog(attempt_, 0, 100));
  EXPECT_EQ(empty.size, 0);
  EXPECT_EQ(empty.data, "");
  EXPECT_FALSE(empty.complete);

  ASSERT_OK(store().AppendLog(attempt_, 0, "hello "));
  ASSERT_OK(store().AppendLog(attempt_, 6, "world\n"));
  ASSERT_OK(store().AppendLog(attempt_, 12, std::string("bin\0ary\n", 8)));
  const std::string all = std::string("hello world\nbin\0ary\n", 20);
  EXPECT_EQ(Read(0, 1000), all);
  EXPECT_EQ(Read(0, 3), "hel");
  EXPECT_EQ(Read(4, 5), "o wor");             // spans two chunks
  EXPECT_EQ(Read(3, 14), all.substr(3, 14));  // spans three
  EXPECT_EQ(Read(19, 10), "\n");
  EXPECT_EQ(Read(20, 10), "");  // at the end: nothing yet (a follower waits here)
  EXPECT_EQ(Read(5, 0), "");
  ASSERT_OK_AND_ASSIGN(LogSlice slice, store().ReadLog(attempt_, 6, 6));
  EXPECT_EQ(slice.size, 20);
  EXPECT_FALSE(slice.complete);

  EXPECT_EQ(store().ReadLog(attempt_, 21, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().ReadLog(attempt_, -1, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().ReadLog(424242, 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().AppendLog(424242, 0, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(store().AppendLog(attempt_, -1, "x").code(), StatusCode::kInvalidArgument);
}

TEST_P(LogsTest, AppendIsIdempotentByOffset) {
  ASSERT_OK(store().AppendLog(attempt_, 0, "line 1\n"));
  ASSERT_OK(store().AppendLog(attempt_, 0, "line 1\n"));  // an agent resends
  ASSERT_OK(store().AppendLog(attempt_, 7, "line 2\n"));
  ASSERT_OK(store().AppendLog(attempt_, 3, "e 1\nline 2\n"));  // wholly known
  // Overlapping: only the new tail is kept.
  ASSERT_OK(store().AppendLog(attempt_, 7, "line 2\nline 3\n"));
  EXPECT_EQ(Read(0, 100), "line 1\nline 2\nline 3\n");
  ASSERT_OK(store().AppendLog(attempt_, 21, ""));

  // A gap: the agent is told where the log ends.
  Status gap = store().AppendLog(attempt_, 22, "lost?");
  EXPECT_EQ(gap.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(gap.message().find("gap"), std::string::npos);
  EXPECT_NE(gap.message().find("21"), std::string::npos);
  EXPECT_EQ(Read(0, 100), "line 1\nline 2\nline 3\n");
}

TEST_P(LogsTest, OversizedChunkIsRejected) {
  std::string big((1 << 20) + 1, 'x');
  Status s = store().AppendLog(attempt_, 0, big);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_OK(store().AppendLog(attempt_, 0, std::string(1 << 20, 'y')));  // exactly the limit
  ASSERT_OK_AND_ASSIGN(LogSlice slice, store().ReadLog(attempt_, (1 << 20) - 2, 100));
  EXPECT_EQ(slice.data, "yy");
  EXPECT_EQ(slice.size, 1 << 20);
}

TEST_P(LogsTest, CloseLogCompletesIt) {
  ASSERT_OK(store().AppendLog(attempt_, 0, "done\n"));
  ASSERT_OK(store().CloseLog(attempt_));
  ASSERT_OK(store().CloseLog(attempt_));  // idempotent
  ASSERT_OK_AND_ASSIGN(LogSlice slice, store().ReadLog(attempt_, 0, 100));
  EXPECT_TRUE(slice.complete);
  EXPECT_EQ(slice.data, "done\n");
  EXPECT_OK(store().AppendLog(attempt_, 0, "done\n"));  // a resend of known bytes is fine
  Status more = store().AppendLog(attempt_, 5, "more");
  EXPECT_EQ(more.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(more.message().find("closed"), std::string::npos);
  EXPECT_EQ(store().CloseLog(424242).code(), StatusCode::kNotFound);
}

// ~200 MiB in 256 KiB chunks. Each 64-byte line names its chunk and line, so a read shows it
// came from the right place.
TEST_P(LogsTest, RangeReadOfLargeLogTouchesFewChunks) {
  constexpr int64_t kChunk = 256 << 10, kChunks = 800, kLine = 64;
  // Lines "cCCCCCC lLLLL ......\n": the line numbers once, the chunk number per chunk.
  std::string chunk(kChunk, '.');
  for (int64_t l = 0; l < kChunk / kLine; ++l) {
    char head[32];
    int n = std::snprintf(head, sizeof head, "c000000 l%04lld ", static_cast<long long>(l));
    std::memcpy(chunk.data() + l * kLine, head, n);
    chunk[(l + 1) * kLine - 1] = '\n';
  }
  for (int64_t c = 0; c < kChunks; ++c) {
    for (int64_t at = 0; at < kChunk; at += kLine) {
      int64_t v = c;
      for (int d = 6; d >= 1; --d, v /= 10) chunk[at + d] = static_cast<char>('0' + v % 10);
    }
    ASSERT_OK(store().AppendLog(attempt_, c * kChunk, chunk));
  }
  const int64_t size = kChunk * kChunks;
  int64_t before = sql_store().log_chunks_decoded();
  // The last MiB and 100 bytes, from the middle of a line of chunk 795 to the end.
  const int64_t offset = size - (1 << 20) - 100;
  ASSERT_OK_AND_ASSIGN(LogSlice slice, store().ReadLog(attempt_, offset, 2 << 20));
  int64_t decoded = sql_store().log_chunks_decoded() - before;
  EXPECT_EQ(slice.size, size);
  ASSERT_EQ(slice.data.size(), size_t{(1 << 20) + 100});
  EXPECT_LE(decoded, 5);  // chunks 795..799, not the 800 of the log
  // Check a line in the middle of the slice.
  int64_t line_start = ((offset + 1000) / kLine + 1) * kLine;
  int64_t chunk_of_line = line_start / kChunk;
  char head[32];
  std::snprintf(head, sizeof head, "c%06lld l%04lld ", static_cast<long long>(chunk_of_line),
                static_cast<long long>((line_start % kChunk) / kLine));
  EXPECT_EQ(slice.data.substr(line_start - offset, std::strlen(head)), head);
  EXPECT_EQ(slice.data.back(), '\n');

  // The start of the log costs one chunk as well.
  before = sql_store().log_chunks_decoded();
  ASSERT_OK_AND_ASSIGN(LogSlice start, store().ReadLog(attempt_, 0, 100));
  EXPECT_EQ(start.data.substr(0, 12), "c000000 l000");
  EXPECT_EQ(sql_store().log_chunks_decoded() - before, 1);
}

}  // namespace
}  // namespace slipway::store::testing
