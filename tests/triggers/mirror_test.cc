// Mirrors: fetching into a per-repository bare mirror, changed files between commits, and
// reading a file as it was at a commit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "triggers/triggers.h"
#include "triggers_test_util.h"

namespace slipway::triggers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::ScratchRepo;
using testing::TempDir;

class MirrorTest : public ::testing::Test {
 protected:
  MirrorTest() : repo_(tmp_.path() / "repo") { options_.data_dir = tmp_.path() / "data"; }

  std::filesystem::path Mirror(const std::vector<std::string>& refs = {}) {
    auto mirror = UpdateMirror(repo_.dir().string(), refs, options_);
    EXPECT_TRUE(mirror.ok()) << mirror.status().ToString();
    return mirror.ok() ? *mirror : std::filesystem::path();
  }

  std::vector<std::string> Changed(const std::filesystem::path& mirror, const std::string& from,
                                   const std::string& to) {
    auto files = ChangedFiles(mirror, from, to);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : std::vector<std::string>{"<error>"};
  }

  std::string Read(const std::filesystem::path& mirror, const std::string& commit,
                   const std::string& path) {
    auto text = ReadFileAtCommit(mirror, commit, path);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : "<error>";
  }

  TempDir tmp_;
  ScratchRepo repo_;
  PollOptions options_;
};

TEST_F(MirrorTest, ChangedFilesBetweenCommits) {
  repo_.Write(".slipway.yml", "on: push\n");
  repo_.Write("src/a.cc", "a");
  repo_.Write("src/b.cc", "b");
  repo_.Write("docs/old.md", "old");
  const std::string first = repo_.Commit("first");
  repo_.Write("src/a.cc", "a2");                    // modified
  repo_.Write("src/new/c.cc", "c");                 // added
  repo_.Remove("docs/old.md");                      // deleted
  repo_.Git({"mv", "src/b.cc", "src/renamed.cc"});  // both sides of a rename
  const std::string second = repo_.Commit("second");
  const auto mirror = Mirror();
  EXPECT_THAT(Changed(mirror, first, second),
              ElementsAre("docs/old.md", "src/a.cc", "src/b.cc", "src/new/c.cc", "src/renamed.cc"));
  EXPECT_THAT(Changed(mirror, second, second), IsEmpty());
  EXPECT_THAT(Changed(mirror, first, "refs/heads/main"), ::testing::SizeIs(5));
}

TEST_F(MirrorTest, NewRefComparesWithNothing) {
  repo_.Write("x/1.txt", "1");
  repo_.Write("2.txt", "2");
  const std::string first = repo_.Commit("first");
  const auto mirror = Mirror();
  EXPECT_THAT(Changed(mirror, std::string(40, '0'), first), ElementsAre("2.txt", "x/1.txt"));
  EXPECT_THAT(Changed(mirror, "", first), ElementsAre("2.txt", "x/1.txt"));
}

TEST_F(MirrorTest, ReadsThePipelineFileAsItWasAtEachCommit) {
  repo_.Write(".slipway.yml", "version: 1\n");
  const std::string first = repo_.Commit("first");
  repo_.Write(".slipway.yml", "version: 2\n");
  const std::string second = repo_.Commit("second");
  const auto mirror = Mirror();
  EXPECT_EQ(Read(mirror, first, ".slipway.yml"), "version: 1\n");
  EXPECT_EQ(Read(mirror, second, ".slipway.yml"), "version: 2\n");
  EXPECT_EQ(Read(mirror, "refs/heads/main", ".slipway.yml"), "version: 2\n");
}

TEST_F(MirrorTest, ReadFileErrors) {
  repo_.Write("dir/file.txt", "x");
  repo_.Write("big.txt", std::string(2000, 'b'));
  const std::string first = repo_.Commit("first");
  const auto mirror = Mirror();
  auto missing = ReadFileAtCommit(mirror, first, ".slipway.yml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("'.slipway.yml' does not exist at commit"));
  auto directory = ReadFileAtCommit(mirror, first, "dir");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(directory.status().message(), HasSubstr("is a directory"));
  auto no_commit = ReadFileAtCommit(mirror, std::string(40, 'a'), "dir/file.txt");
  ASSERT_FALSE(no_commit.ok());
  EXPECT_EQ(no_commit.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(no_commit.status().message(), HasSubstr("is not in the mirror"));
  for (const char* bad : {"", "/etc/passwd", "../x", "dir/../dir/file.txt", "dir/"}) {
    auto result = ReadFileAtCommit(mirror, first, bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  auto big = ReadFileAtCommit(mirror, first, "big.txt", 1000);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(MirrorTest, SymlinksInsideTheRepositoryAreFollowed) {
  repo_.Write("ci/pipeline.yml", "on: push\n");
  std::filesystem::create_symlink("ci/pipeline.yml", repo_.dir() / ".slipway.yml");
  std::filesystem::create_symlink("../../etc/passwd", repo_.dir() / "escape");
  std::filesystem::create_symlink("loop", repo_.dir() / "loop");
  const std::string first = repo_.Commit("first");
  const auto mirror = Mirror();
  EXPECT_EQ(Read(mirror, first, ".slipway.yml"), "on: push\n");
  auto escape = ReadFileAtCommit(mirror, first, "escape");
  ASSERT_FALSE(escape.ok());
  EXPECT_THAT(escape.status().message(), HasSubstr("leaves the repository"));
  auto loop = ReadFileAtCommit(mirror, first, "loop");
  ASSERT_FALSE(loop.ok());
  EXPECT_THAT(loop.status().message(), HasSubstr("symlink loop"));
}

TEST_F(MirrorTest, OldCommitsStayReadableAfterAForcePush) {
  repo_.Write("a.txt", "1");
  const std::string first = repo_.Commit("first");
  repo_.Write("a.txt", "2");
  repo_.Write("gone.txt", "soon rewritten away");
  const std::string second = repo_.Commit("second");
  Mirror();
  repo_.Git({"reset", "-q", "--hard", first});
  repo_.Write("b.txt", "3");
  const std::string rewritten = repo_.Commit("rewritten");
  repo_.Git({"gc", "-q", "--prune=now"});  // `second` is gone from the source repository
  const auto mirror = Mirror();
  EXPECT_EQ(Read(mirror, second, "gone.txt"), "soon rewritten away");
  EXPECT_THAT(Changed(mirror, second, rewritten), ElementsAre("a.txt", "b.txt", "gone.txt"));
}

TEST_F(MirrorTest, FetchesOnlyTheRefsAsked) {
  repo_.Write("a.txt", "1");
  repo_.Commit("first");
  repo_.Git({"checkout", "-q", "-b", "feature"});
  repo_.Write("a.txt", "feature");
  const std::string feature = repo_.Commit("feature");
  // (Over the local transport libgit2 sends every object the source has, so which commits
  // arrive is not the point; which refs the mirror has is.)
  const auto mirror = Mirror({"refs/heads/main"});
  EXPECT_EQ(testing::RunGit(mirror, {"for-each-ref", "--format=%(refname)"}), "refs/heads/main");
  Mirror({"refs/heads/feature"});
  EXPECT_EQ(testing::RunGit(mirror, {"for-each-ref", "--format=%(refname)"}),
            "refs/heads/feature\nrefs/heads/main");
  EXPECT_EQ(Read(mirror, feature, "a.txt"), "feature");

  auto missing = UpdateMirror(repo_.dir().string(), {"refs/heads/nope"}, options_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("has no ref refs/heads/nope"));
  auto bad = UpdateMirror(repo_.dir().string(), {"main"}, options_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MirrorTest, OneMirrorPerUrlWithoutCredentialsOnDisk) {
  EXPECT_EQ(MirrorPath("https://user:pw@example.com/r.git", options_),
            MirrorPath("https://example.com/r.git", options_));
  EXPECT_NE(MirrorPath("https://example.com/r.git", options_),
            MirrorPath("https://example.com/s.git", options_));
  EXPECT_EQ(MirrorPath("https://example.com/r.git", options_).parent_path(),
            options_.data_dir / "mirrors");
  repo_.Write("a.txt", "1");
  repo_.Commit("first");
  const auto mirror = Mirror();
  EXPECT_EQ(mirror, MirrorPath(repo_.dir().string(), options_));
  std::ifstream config(mirror / "config");
  std::stringstream text;
  text << config.rdbuf();
  EXPECT_THAT(text.str(), Not(HasSubstr("[remote")));  // the URL is never stored
}

TEST_F(MirrorTest, UnreachableRemoteHasNoCredentialsInTheError) {
  auto result = UpdateMirror("http://deploy:hunter2-secret@127.0.0.1:1/team/app.git", {}, options_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("http://127.0.0.1:1/team/app.git"));
  EXPECT_THAT(result.status().message(), Not(HasSubstr("hunter2")));
}

TEST_F(MirrorTest, FetchPastTheDeadlineIsCutOff) {
  repo_.Write("a.txt", "1");
  repo_.Commit("first");
  options_.timeout = std::chrono::milliseconds(0);
  auto result = UpdateMirror(repo_.dir().string(), {}, options_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(result.status().message(), HasSubstr("took longer than 0 ms"));
}

TEST_F(MirrorTest, NeedsADataDirectory) {
  PollOptions options;
  auto result = UpdateMirror(repo_.dir().string(), {}, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::triggers
