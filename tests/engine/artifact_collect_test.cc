// CollectArtifacts: the paths a job keeps, the same for `slipway run` and agents.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/fs.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;

class Lines final : public runner::LogSink {
 public:
  void Line(std::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

class CollectArtifactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("artifact_collect_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    workspace_ = *dir;
    for (const char* file : {"dist/app-x86", "dist/app-arm", "dist/doc/readme", "out.txt"}) {
      fs::create_directories((workspace_ / file).parent_path());
      std::ofstream(workspace_ / file) << file;
    }
    fs::create_symlink("app-x86", workspace_ / "dist/app");
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(workspace_).ok()); }

  std::vector<std::string> Collect(const std::vector<std::string>& patterns) {
    return CollectArtifacts(patterns, workspace_, log_);
  }

  fs::path workspace_;
  Lines log_;
};

TEST_F(CollectArtifactsTest, GlobsNameFilesAndSymlinksLiteralsNameWhatIsThere) {
  EXPECT_EQ(Collect({"dist/app-*"}), (std::vector<std::string>{"dist/app-arm", "dist/app-x86"}));
  EXPECT_EQ(Collect({"dist/app"}), (std::vector<std::string>{"dist/app"}));
  EXPECT_EQ(Collect({"dist/"}), (std::vector<std::string>{"dist"}));  // the whole directory
  EXPECT_EQ(Collect({"./dist//doc/"}), (std::vector<std::string>{"dist/doc"}));
  EXPECT_TRUE(log_.lines.empty());
}

TEST_F(CollectArtifactsTest, KeepsPatternOrderWithoutDuplicates) {
  EXPECT_EQ(Collect({"out.txt", "dist/**", "out.txt", "dist/app-x86"}),
            (std::vector<std::string>{"out.txt", "dist/app", "dist/app-arm", "dist/app-x86",
                                      "dist/doc/readme"}));
}

TEST_F(CollectArtifactsTest, WhatCannotBeKeptIsAWarning) {
  EXPECT_TRUE(Collect({"missing.bin", "../outside", "/etc/passwd", "[unclosed"}).empty());
  ASSERT_EQ(log_.lines.size(), 4u);
  EXPECT_EQ(log_.lines[0], "warning: artifacts: nothing matches 'missing.bin'");
  EXPECT_EQ(log_.lines[1], "warning: artifacts: '../outside' is not a path inside the workspace");
  EXPECT_EQ(log_.lines[2], "warning: artifacts: '/etc/passwd' is not a path inside the workspace");
  EXPECT_NE(log_.lines[3].find("warning: artifacts:"), std::string::npos);
}

}  // namespace
}  // namespace slipway::engine
