// The server's check of log chunks (chunk_scrub.h): whole secrets and their encodings, tokens
// confirmed by the store, and secrets cut across chunk boundaries however the stream is cut.
#include "engine/chunk_scrub.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "runner/masker.h"

namespace slipway::engine {
namespace {

constexpr std::string_view kSecret = "hunter2-correct-horse";
// A token shape the check below accepts, and one it does not know.
const std::string kToken = "slw_" + std::string(43, 'A');
const std::string kUnknownToken = "slw_" + std::string(43, 'B');

class ChunkScrubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    masker_.AddSecret(kSecret);
    patterns_ = {.set = masker_.patterns(), .forms = masker_.forms()};
  }

  ScrubbedChunk Scrub(std::string_view context, std::string_view chunk) {
    return ScrubChunk(context, chunk, patterns_, [this](std::string_view token) {
      asked_.insert(std::string(token));
      return token == kToken;
    });
  }

  // Sends `log` as chunks cut at `cuts` through ScrubChunk, each with the stored tail before
  // it as context, as the server does; returns the stored log.
  std::string Store(const std::string& log, const std::vector<size_t>& cuts) {
    std::string stored;
    size_t from = 0;
    std::vector<size_t> ends = cuts;
    ends.push_back(log.size());
    for (size_t end : ends) {
      const size_t keep = std::min(stored.size(), patterns_.context_bytes());
      stored += Scrub(std::string_view(stored).substr(stored.size() - keep),
                      std::string_view(log).substr(from, end - from))
                    .data;
      from = end;
    }
    return stored;
  }

  runner::Masker masker_;
  SecretPatterns patterns_;
  std::set<std::string> asked_;
};

TEST_F(ChunkScrubTest, MasksTheSecretAndItsEncodingsByteForByte) {
  const std::string chunk = "key=" + std::string(kSecret) + " b64=aHVudGVyMi1jb3JyZWN0LWhvcnNl\n";
  ScrubbedChunk out = Scrub("", chunk);
  EXPECT_EQ(out.data,
            "key=" + std::string(kSecret.size(), '*') + " b64=" + std::string(28, '*') + "\n");
  EXPECT_EQ(out.data.size(), chunk.size());
  EXPECT_EQ(out.found, 2);
  // A chunk with nothing to find comes back as it was.
  EXPECT_EQ(Scrub("", "all clear\n").data, "all clear\n");
  EXPECT_EQ(Scrub("", "all clear\n").found, 0);
}

TEST_F(ChunkScrubTest, MasksTokensTheStoreKnowsOnly) {
  ScrubbedChunk out = Scrub("", "known " + kToken + " unknown " + kUnknownToken + "\n");
  EXPECT_EQ(out.data,
            "known " + std::string(kToken.size(), '*') + " unknown " + kUnknownToken + "\n");
  EXPECT_EQ(asked_, (std::set<std::string>{kToken, kUnknownToken}));
  // A token wholly inside the context was checked with the chunk before: not asked again.
  asked_.clear();
  Scrub("x " + kUnknownToken + "\n", "next line\n");
  EXPECT_TRUE(asked_.empty());
}

TEST_F(ChunkScrubTest, ASecretCutAnywhereAcrossTwoChunksIsMaskedWhole) {
  const std::string log = "before " + std::string(kSecret) + " after\n";
  const std::string expected = "before " + std::string(kSecret.size(), '*') + " after\n";
  const size_t start = log.find(kSecret);
  for (size_t cut = start + 1; cut < start + kSecret.size(); ++cut) {
    EXPECT_EQ(Store(log, {cut}), expected) << "cut at " << cut;
  }
}

TEST_F(ChunkScrubTest, ASecretCutIntoManyTinyChunksIsMaskedWhole) {
  const std::string log = "> " + std::string(kSecret) + " <\n";
  std::vector<size_t> cuts;
  for (size_t cut = 1; cut < log.size(); cut += 3) cuts.push_back(cut);
  EXPECT_EQ(Store(log, cuts), "> " + std::string(kSecret.size(), '*') + " <\n");
}

TEST_F(ChunkScrubTest, ATokenCutAcrossChunksIsMaskedWhole) {
  const std::string log = "token: " + kToken + "\n";
  const size_t start = log.find(kToken);
  for (size_t cut = start + 1; cut < start + kToken.size(); cut += 5) {
    const std::string stored = Store(log, {cut});
    // "slw_" is not secret: what the chunk before may show of it stays.
    EXPECT_EQ(stored.find(std::string(10, 'A')), std::string::npos) << "cut at " << cut;
    EXPECT_EQ(stored.size(), log.size());
  }
}

TEST_F(ChunkScrubTest, AChunkEndingLikeASecretStartsHasThatEndMasked) {
  // "hunt" may be the start of the secret the next chunk completes: once stored, it could not
  // be taken back. The next chunk shows it was not, and is stored as sent.
  EXPECT_EQ(Scrub("", "we hunt").data, "we ****");
  EXPECT_EQ(Scrub("we ****", "ing season\n").data, "ing season\n");
  // Slipway agents send whole lines: a line end is never the start of a secret.
  EXPECT_EQ(Scrub("", "we hunt\n").data, "we hunt\n");
}

}  // namespace
}  // namespace slipway::engine
