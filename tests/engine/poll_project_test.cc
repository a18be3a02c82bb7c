// engine::PollProject against a real repository and a real (SQLite) store: what the server's
// poller does to a project each time it is due.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/engine.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

constexpr const char* kPipeline = R"(on:
  push:
    branches: [main, 'release/**']
    tags: ['v*']
jobs:
  build:
    steps:
      - run: echo build
)";

class PollProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("poll-project-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    root_ = *dir;
    repo_ = root_ / "repo";
    fs::create_directories(repo_);
    Git({"init", "-q", "-b", "main"});
    auto opened = store::Open({.url = (root_ / "slipway.db").string()});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    (void)RemoveTree(root_);
  }

  std::string Git(const std::vector<std::string>& args) {
    ProcessSpec spec;
    spec.argv = {"git"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = repo_;
    spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin",
                "HOME=" + root_.string(),
                "GIT_CONFIG_NOSYSTEM=1",
                "GIT_CONFIG_GLOBAL=/dev/null",
                "GIT_AUTHOR_NAME=t",
                "GIT_AUTHOR_EMAIL=t@example.com",
                "GIT_COMMITTER_NAME=t",
                "GIT_COMMITTER_EMAIL=t@example.com"};
    std::string output;
    ProcessOutcome outcome = RunProcess(
        spec, [&](std::string_view chunk) { output.append(chunk); }, nullptr);
    EXPECT_EQ(outcome.exit_code, 0) << "git failed: " << output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
  }
  std::string Commit(const std::string& file) {
    std::ofstream(repo_ / ".slipway.yml") << kPipeline;
    std::ofstream(repo_ / file) << file << "\n";
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", file});
    return Git({"rev-parse", "HEAD"});
  }

  // The project as the API adds it: nothing polled yet.
  store::Project AddProject() {
    store::Project project;
    project.name = "hello";
    project.repo = repo_.string();
    auto created = store_->CreateProject(project);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : project;
  }
  // One poll of the project as stored now.
  PollReport Poll() {
    auto project = store_->GetProject("hello");
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    auto report = PollProject(*store_, *project, root_ / "data", Clock::now());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return {};
    EXPECT_TRUE(report->problems.empty()) << report->problems.front();
    return *report;
  }
  size_t RunCount() {
    auto runs = store_->ListRuns({});
    EXPECT_TRUE(runs.ok());
    return runs.ok() ? runs->size() : 0;
  }

  fs::path root_, repo_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(PollProjectTest, TheFirstPollOnlyRecordsTheRefs) {
  Commit("a.txt");
  Git({"tag", "v1.0"});
  Git({"branch", "release/1"});
  AddProject();

  PollReport first = Poll();
  EXPECT_TRUE(first.started.empty()) << "the first poll started runs for refs that existed "
                                        "before the project was added";
  EXPECT_EQ(RunCount(), 0u);
  auto recorded = store_->GetProject("hello");
  ASSERT_TRUE(recorded.ok());
  EXPECT_NE(recorded->last_polled_commits.find("refs/heads/main"), std::string::npos);
  EXPECT_NE(recorded->last_polled_commits.find("refs/tags/v1.0"), std::string::npos);

  // Nothing moved: nothing starts. Then a push to main starts exactly its run.
  EXPECT_TRUE(Poll().started.empty());
  const std::string pushed = Commit("b.txt");
  PollReport second = Poll();
  ASSERT_EQ(second.started.size(), 1u);
  EXPECT_EQ(second.started[0].ref, "refs/heads/main");
  EXPECT_EQ(second.started[0].commit, pushed);
  EXPECT_EQ(second.started[0].trigger, "poll");
  EXPECT_EQ(second.started[0].created_by, "poller");
  EXPECT_EQ(RunCount(), 1u);
}

// A project added for a repository with no commits yet: its first poll sees no refs, and the
// first push after it is a push like any other.
TEST_F(PollProjectTest, TheFirstPushToAnEmptyRepositoryStartsARun) {
  AddProject();
  EXPECT_TRUE(Poll().started.empty());
  Commit("a.txt");
  PollReport pushed = Poll();
  ASSERT_EQ(pushed.started.size(), 1u);
  EXPECT_EQ(pushed.started[0].ref, "refs/heads/main");
}

}  // namespace
}  // namespace slipway::engine
