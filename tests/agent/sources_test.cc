// SourceSnapshots and Sweeper: a commit is checked out once per agent and copied into each
// job's workspace; snapshots are bounded and their directories removed off the job's path.
#include "agent/sources.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agent/mirrors.h"
#include "agent/sweeper.h"
#include "shell.h"
#include "util/fs.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

using testing::Shell;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("agent-sources-");
    ASSERT_TRUE(dir.ok());
    root_ = *dir;
    repo_ = root_ / "repo";
    fs::create_directories(repo_ / "app");
    Shell("cd " + repo_.string() + " && git init -q -b main");
  }
  void TearDown() override { (void)RemoveTree(root_); }

  // Commits `text` as app/file.txt (and top.txt) and returns the commit id.
  std::string Commit(const std::string& text) {
    std::ofstream(repo_ / "app" / "file.txt") << text;
    std::ofstream(repo_ / "top.txt") << "top";
    Shell("cd " + repo_.string() + " && git add -A && git -c user.name=t -c user.email=t@t " +
          "commit -qm change");
    std::string sha = Shell("cd " + repo_.string() + " && git rev-parse HEAD");
    return sha.substr(0, sha.find('\n'));
  }

  size_t SnapshotDirs() {
    size_t n = 0;
    std::error_code ec;
    for (const auto& dir : fs::directory_iterator(root_ / "work" / "sources", ec)) {
      for (const auto& entry : fs::directory_iterator(dir.path(), ec)) {
        (void)entry;
        ++n;
      }
    }
    return n;
  }

  fs::path root_, repo_;
};

TEST_F(SourcesTest, ChecksACommitOutOnceAndEachWorkspaceGetsItsOwnCopy) {
  const std::string commit = Commit("one");
  Sweeper sweeper;
  RepositoryMirrors mirrors(root_ / "work");
  SourceSnapshots sources(root_ / "work" / "sources", &mirrors, &sweeper);
  ASSERT_TRUE(sources.CopyInto(repo_.string(), commit, "", root_ / "w1").ok());
  EXPECT_EQ(Read(root_ / "w1" / "app" / "file.txt"), "one");
  std::ofstream(root_ / "w1" / "app" / "file.txt") << "changed by the job";
  ASSERT_TRUE(sources.CopyInto(repo_.string(), commit, "", root_ / "w2").ok());
  EXPECT_EQ(Read(root_ / "w2" / "app" / "file.txt"), "one");
  EXPECT_EQ(Read(root_ / "w2" / "top.txt"), "top");
  EXPECT_EQ(sources.checkouts(), 1u);
  // The pipeline file's directory only, as `slipway run` does for a pipeline in a subdirectory.
  ASSERT_TRUE(sources.CopyInto(repo_.string(), commit, "app", root_ / "w3").ok());
  EXPECT_EQ(Read(root_ / "w3" / "file.txt"), "one");
  EXPECT_FALSE(fs::exists(root_ / "w3" / "top.txt"));
  EXPECT_EQ(sources.checkouts(), 2u);
}

TEST_F(SourcesTest, KeepsAtMostItsCapacityAndRemovesWhatItDrops) {
  const std::string a = Commit("a"), b = Commit("b"), c = Commit("c");
  Sweeper sweeper;
  RepositoryMirrors mirrors(root_ / "work");
  {
    SourceSnapshots sources(root_ / "work" / "sources", &mirrors, &sweeper, 2);
    ASSERT_TRUE(sources.CopyInto(repo_.string(), a, "", root_ / "wa").ok());
    ASSERT_TRUE(sources.CopyInto(repo_.string(), b, "", root_ / "wb").ok());
    ASSERT_TRUE(sources.CopyInto(repo_.string(), a, "", root_ / "wa2").ok());  // a: most recent
    ASSERT_TRUE(sources.CopyInto(repo_.string(), c, "", root_ / "wc").ok());   // drops b
    sweeper.Drain();
    EXPECT_EQ(SnapshotDirs(), 2u);
    EXPECT_EQ(sources.checkouts(), 3u);
    ASSERT_TRUE(sources.CopyInto(repo_.string(), a, "", root_ / "wa3").ok());
    EXPECT_EQ(sources.checkouts(), 3u);
    ASSERT_TRUE(sources.CopyInto(repo_.string(), b, "", root_ / "wb2").ok());
    EXPECT_EQ(sources.checkouts(), 4u);
    EXPECT_EQ(Read(root_ / "wb2" / "app" / "file.txt"), "b");
  }
  sweeper.Drain();
  EXPECT_FALSE(fs::exists(root_ / "work" / "sources") && SnapshotDirs() > 0);
}

TEST_F(SourcesTest, AnUnknownCommitIsAnErrorAndLeavesNothing) {
  Commit("one");
  Sweeper sweeper;
  RepositoryMirrors mirrors(root_ / "work");
  SourceSnapshots sources(root_ / "work" / "sources", &mirrors, &sweeper);
  Status status = sources.CopyInto(repo_.string(), std::string(40, 'e'), "", root_ / "w");
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
  sweeper.Drain();
  EXPECT_EQ(SnapshotDirs(), 0u);
}

TEST_F(SourcesTest, ASnapshotDamagedFromOutsideIsCheckedOutAgain) {
  const std::string commit = Commit("one");
  Sweeper sweeper;
  RepositoryMirrors mirrors(root_ / "work");
  SourceSnapshots sources(root_ / "work" / "sources", &mirrors, &sweeper);
  ASSERT_TRUE(sources.CopyInto(repo_.string(), commit, "", root_ / "w1").ok());
  for (const auto& dir : fs::directory_iterator(root_ / "work" / "sources")) {
    ASSERT_TRUE(RemoveTree(dir.path()).ok());
  }
  EXPECT_FALSE(sources.CopyInto(repo_.string(), commit, "", root_ / "w2").ok());
  ASSERT_TRUE(sources.CopyInto(repo_.string(), commit, "", root_ / "w3").ok());
  EXPECT_EQ(Read(root_ / "w3" / "app" / "file.txt"), "one");
}

TEST(SweeperTest, RemovesQueuedPathsAndEverythingLeftWhenDestroyed) {
  auto dir = MakeTempDir("agent-sweeper-");
  ASSERT_TRUE(dir.ok());
  fs::create_directories(*dir / "a" / "deep");
  fs::create_directories(*dir / "b");
  {
    Sweeper sweeper;
    sweeper.Remove(*dir / "a");
    sweeper.Drain();
    EXPECT_FALSE(fs::exists(*dir / "a"));
    sweeper.Remove(*dir / "b");
    sweeper.Remove(*dir / "missing");  // nothing there: no harm
  }
  EXPECT_FALSE(fs::exists(*dir / "b"));
  (void)RemoveTree(*dir);
}

}  // namespace
}  // namespace slipway::agent
