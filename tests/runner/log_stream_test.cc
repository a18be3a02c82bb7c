#include "runner/log_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner/secret_forms.h"

namespace slipway::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class LogStreamTest : public ::testing::Test {
 protected:
  LogStream MakeStream(LogStreamOptions options = {}) {
    return LogStream(
        &masker_, [this](std::string_view line) { lines_.emplace_back(line); }, options);
  }

  Masker masker_;
  std::vector<std::string> lines_;
};

TEST_F(LogStreamTest, SplitsChunksIntoLines) {
  LogStream stream = MakeStream();
  stream.Feed("one\ntw");
  stream.Feed("o\r\nthr");
  EXPECT_THAT(lines_, ElementsAre("one", "two"));
  stream.Feed("ee");
  stream.Flush();
  stream.Flush();
  EXPECT_THAT(lines_, ElementsAre("one", "two", "three"));
}

TEST_F(LogStreamTest, KeepsEmptyLines) {
  LogStream stream = MakeStream();
  stream.Feed("\n\na\n\n");
  stream.Flush();
  EXPECT_THAT(lines_, ElementsAre("", "", "a", ""));
}

TEST_F(LogStreamTest, MasksSecretSplitAcrossTwoWritesAtEveryPosition) {
  masker_.AddSecret("tok-3f9a8b7c6d5e");
  const std::string text = "before tok-3f9a8b7c6d5e after\nnext line\n";
  for (size_t split = 0; split <= text.size(); ++split) {
    lines_.clear();
    LogStream stream = MakeStream();
    stream.Feed(text.substr(0, split));
    stream.Feed(text.substr(split));
    stream.Flush();
    EXPECT_THAT(lines_, ElementsAre("before *** after", "next line")) << "split at " << split;
  }
}

TEST_F(LogStreamTest, MasksSecretWrittenOneByteAtATime) {
  masker_.AddSecret("tok-3f9a8b7c6d5e");
  LogStream stream = MakeStream();
  for (char c : std::string("x=tok-3f9a8b7c6d5e;\n")) stream.Feed(std::string_view(&c, 1));
  EXPECT_THAT(lines_, ElementsAre("x=***;"));
}

TEST_F(LogStreamTest, MasksEachLineOfAMultiLineSecret) {
  masker_.AddSecret("first-line-of-key\nsecond-line-of-key\n");
  LogStream stream = MakeStream();
  stream.Feed("key:\nfirst-line-of-key\nsecond-line-of-key\ndone\n");
  EXPECT_THAT(lines_, ElementsAre("key:", "***", "***", "done"));
}

TEST_F(LogStreamTest, MasksEncodedForms) {
  const std::string secret = "p@ss/w0rd\"x";
  masker_.AddSecret(secret);
  LogStream stream = MakeStream();
  stream.Feed("b64 " + Base64Encode(secret, Base64Alphabet::kStandard, true) + "\n");
  stream.Feed("url https://h/?p=p%40ss%2Fw0rd%22x&q=1\n");
  stream.Feed(R"(json {"p":"p@ss/w0rd\"x"})"
              "\n");
  EXPECT_THAT(lines_, ElementsAre("b64 ***", "url https://h/?p=***&q=1", R"(json {"p":"***"})"));
}

TEST_F(LogStreamTest, MaskCommandRegistersValueForThisAndLaterLines) {
  LogStream stream = MakeStream();
  stream.Feed("early run-9f8e7d\n::mask::run-9f8e7d\r\nlater run-9f8e7d\n");
  stream.Feed("::add-mask::  other-1a2b3c  \nboth run-9f8e7d other-1a2b3c\n");
  EXPECT_THAT(lines_, ElementsAre("early run-9f8e7d", "::mask::***", "later ***",
                                  "::add-mask::  ***  ", "both *** ***"));
  // The Masker is shared: other streams and outputs see the new secret too.
  EXPECT_EQ(masker_.Mask("run-9f8e7d"), "***");
}

TEST_F(LogStreamTest, MaskCommandSplitAcrossWrites) {
  LogStream stream = MakeStream();
  stream.Feed("::ma");
  stream.Feed("sk::abc-def-");
  stream.Feed("ghi\nabc-def-ghi\n");
  EXPECT_THAT(lines_, ElementsAre("::mask::***", "***"));
}

TEST_F(LogStreamTest, EmptyMaskCommandRegistersNothing) {
  LogStream stream = MakeStream();
  stream.Feed("::mask::   \n");
  EXPECT_THAT(lines_, ElementsAre("::mask::   "));
  EXPECT_EQ(masker_.version(), 0u);
}

TEST_F(LogStreamTest, SeesSecretsAddedByOthersBetweenFeeds) {
  LogStream stream = MakeStream();
  stream.Feed("value-123456\n");
  masker_.AddSecret("value-123456");
  stream.Feed("value-123456\n");
  EXPECT_THAT(lines_, ElementsAre("value-123456", "***"));
}

std::string Joined(const std::vector<std::string>& pieces) {
  std::string all;
  for (const auto& piece : pieces) all += piece;
  return all;
}

TEST_F(LogStreamTest, LongLinesComeInPiecesWithoutSplittingSecrets) {
  const std::string secret = "LongLineSecret-0123456789";
  masker_.AddSecret(secret);
  const size_t max_line = 64;
  for (size_t at = 0; at < 200; ++at) {
    std::string line(300, '.');
    line.replace(at, secret.size(), secret);
    for (size_t chunk : {size_t{7}, size_t{64}, size_t{1000}}) {
      lines_.clear();
      LogStream stream = MakeStream({.max_line = max_line});
      const std::string text = line + "\nshort\n";
      for (size_t i = 0; i < text.size(); i += chunk) stream.Feed(text.substr(i, chunk));
      stream.Flush();
      ASSERT_GE(lines_.size(), 3u);
      EXPECT_EQ(lines_.back(), "short");
      lines_.pop_back();
      for (const auto& piece : lines_) {
        // At most max_line bytes of text; a mask may stand for fewer bytes than its 3.
        EXPECT_LE(piece.size(), max_line + 2);
        EXPECT_THAT(piece, Not(HasSubstr("Secret"))) << "at " << at << " chunk " << chunk;
      }
      EXPECT_EQ(Joined(lines_), masker_.Mask(line)) << "at " << at << " chunk " << chunk;
    }
  }
}

TEST_F(LogStreamTest, LongLineWithoutNewlineIsEmittedAtFlush) {
  LogStream stream = MakeStream({.max_line = 10});
  stream.Feed(std::string(25, 'x'));
  EXPECT_THAT(lines_, ElementsAre(std::string(10, 'x'), std::string(10, 'x')));
  stream.Flush();
  EXPECT_THAT(lines_, ElementsAre(std::string(10, 'x'), std::string(10, 'x'), std::string(5, 'x')));
}

TEST_F(LogStreamTest, LongLineEndingOnAPieceBoundaryAddsNoEmptyLine) {
  LogStream stream = MakeStream({.max_line = 10});
  stream.Feed(std::string(20, 'x'));
  stream.Feed("\nnext\n");
  EXPECT_THAT(lines_, ElementsAre(std::string(10, 'x'), std::string(10, 'x'), "next"));
}

TEST_F(LogStreamTest, SecretLongerThanAPieceIsMasked) {
  const std::string secret = "S" + std::string(38, 's') + "S";
  masker_.AddSecret(secret);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{1000}}) {
    lines_.clear();
    LogStream stream = MakeStream({.max_line = 16});
    const std::string text = "<" + secret + secret + ">" + secret + "\n";
    for (size_t i = 0; i < text.size(); i += chunk) stream.Feed(text.substr(i, chunk));
    EXPECT_EQ(Joined(lines_), "<***>***") << "chunk " << chunk;
  }
}

}  // namespace
}  // namespace slipway::runner
