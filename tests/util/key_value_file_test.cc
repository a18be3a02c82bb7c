#include "util/key_value_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace slipway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

KeyValues Parse(std::string_view content) {
  Result<KeyValues> values = ParseKeyValueFile(content, "out.txt");
  EXPECT_TRUE(values.ok()) << values.status().ToString();
  return values.ok() ? *values : KeyValues{};
}

std::string ErrorOf(std::string_view content) {
  Result<KeyValues> values = ParseKeyValueFile(content, "out.txt");
  EXPECT_FALSE(values.ok());
  return values.ok() ? "" : values.status().message();
}

TEST(OutputFileTest, ParsesSingleLineValues) {
  EXPECT_THAT(
      Parse("version=1.2.3\nurl=https://x/?a=b&c=d\nempty=\n"),
      ElementsAre(Pair("version", "1.2.3"), Pair("url", "https://x/?a=b&c=d"), Pair("empty", "")));
}

TEST(OutputFileTest, ParsesHeredocValues) {
  EXPECT_THAT(Parse("notes<<EOF\nline one\n\nline=three\nEOF\nnext=1\n"),
              ElementsAre(Pair("notes", "line one\n\nline=three"), Pair("next", "1")));
  EXPECT_THAT(Parse("empty<<END\nEND\n"), ElementsAre(Pair("empty", "")));
  // The delimiter must be the whole line: indented or partial lines are content.
  EXPECT_THAT(Parse("v<<ghadelimiter_1\n ghadelimiter_1\nghadelimiter_1x\nghadelimiter_1"),
              ElementsAre(Pair("v", " ghadelimiter_1\nghadelimiter_1x")));
}

TEST(OutputFileTest, HandlesCrLfAndMissingFinalNewline) {
  EXPECT_THAT(Parse("a=1\r\nb<<E\r\nx\r\ny\r\nE\r\nc=3"),
              ElementsAre(Pair("a", "1"), Pair("b", "x\ny"), Pair("c", "3")));
}

TEST(OutputFileTest, EqualsBeforeHeredocMarkerMeansSingleLine) {
  EXPECT_THAT(Parse("cmd=echo a<<b\n"), ElementsAre(Pair("cmd", "echo a<<b")));
  EXPECT_THAT(Parse("v<<=END\nx\n=END\n"), ElementsAre(Pair("v", "x")));
}

TEST(OutputFileTest, LaterWritesWinInFirstPosition) {
  EXPECT_THAT(Parse("a=1\nb=2\na=3\n"), ElementsAre(Pair("a", "3"), Pair("b", "2")));
}

TEST(OutputFileTest, EmptyFileHasNoOutputs) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("\n\n").empty());
}

TEST(OutputFileTest, AcceptsNamesWithDashesAndUnderscores) {
  EXPECT_THAT(Parse("_x=1\nimage-tag=v2\nA_9=z\n"),
              ElementsAre(Pair("_x", "1"), Pair("image-tag", "v2"), Pair("A_9", "z")));
}

TEST(OutputFileTest, RejectsInvalidNamesNamingTheLine) {
  EXPECT_EQ(ErrorOf("a=1\n9lives=x\n"),
            "out.txt:2: invalid name (letters, digits, '_' and '-', not starting with a digit)");
  EXPECT_THAT(ErrorOf("my name=x\n"), HasSubstr("out.txt:1: invalid name"));
  EXPECT_THAT(ErrorOf("=x\n"), HasSubstr("out.txt:1: invalid name"));
  EXPECT_THAT(ErrorOf("a.b<<EOF\nx\nEOF\n"), HasSubstr("out.txt:1: invalid name"));
}

// The file may hold secrets (slipway run --secrets-file): errors never quote it.
TEST(OutputFileTest, ErrorsNeverQuoteTheContent) {
  for (const char* content : {"API_TOKEN: hunter2\n", "hunter2 token=x\n", "a=1\nhunter2\n"}) {
    const std::string error = ErrorOf(content);
    EXPECT_THAT(error, ::testing::Not(HasSubstr("hunter2"))) << error;
  }
}

TEST(OutputFileTest, RejectsMalformedLines) {
  EXPECT_EQ(ErrorOf("a=1\n\njust text\n"), "out.txt:3: expected NAME=VALUE or NAME<<DELIMITER");
}

TEST(OutputFileTest, RejectsUnterminatedHeredoc) {
  EXPECT_EQ(ErrorOf("a=1\nnotes<<EOF\nline\nEOF2\n"),
            "out.txt:2: unterminated value of 'notes': no line 'EOF' ends it");
  EXPECT_THAT(ErrorOf("x<<\nEOF\n"), HasSubstr("out.txt:1: empty delimiter"));
}

TEST(OutputFileTest, RejectsOversizedContent) {
  Result<KeyValues> values = ParseKeyValueFile(std::string(kMaxKeyValueFileBytes + 1, 'a'), "o");
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().code(), StatusCode::kResourceExhausted);
}

TEST(OutputFileTest, ReadsFilesAndTreatsMissingFileAsEmpty) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("output_file_test_" + std::to_string(getpid()));
  std::ofstream(path) << "a=1\nb<<EOF\nx\nEOF\n";
  Result<KeyValues> values = ReadKeyValueFile(path);
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_THAT(*values, ElementsAre(Pair("a", "1"), Pair("b", "x")));

  std::filesystem::resize_file(path, kMaxKeyValueFileBytes + 1);
  Result<KeyValues> big = ReadKeyValueFile(path);
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(big.status().message(), HasSubstr(path.string()));
  std::filesystem::remove(path);

  Result<KeyValues> missing = ReadKeyValueFile(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
}

}  // namespace
}  // namespace slipway
