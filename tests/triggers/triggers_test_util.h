// Shared helpers for the triggers tests: fixtures, and scratch git repositories driven with
// the git command line (an independent implementation, so libgit2 reads what real git wrote).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "triggers/triggers.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace slipway::triggers {

// Readable gtest output for the values the tests compare.
inline void PrintTo(const RefUpdate& update, std::ostream* out) {
  *out << "{" << update.ref << ": '" << update.old_sha << "' -> '" << update.new_sha << "'}";
}

}  // namespace slipway::triggers

namespace slipway::triggers::testing {

namespace fs = std::filesystem;

inline std::string ReadFixture(const std::string& name) {
  const fs::path path = fs::path(SLIPWAY_SOURCE_DIR) / "tests/triggers/fixtures" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A temporary directory removed when the test ends.
class TempDir {
 public:
  TempDir() {
    auto dir = MakeTempDir("triggers_test.");
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    if (dir.ok()) path_ = *dir;
  }
  ~TempDir() { (void)RemoveTree(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs `git args...` in `dir` with a fixed identity and no user or system configuration;
// returns its output with the trailing newline removed, failing the test when git fails.
inline std::string RunGit(const fs::path& dir, const std::vector<std::string>& args) {
  ProcessSpec spec;
  spec.argv = {"git"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = dir;
  const char* path = std::getenv("PATH");
  spec.env = {"PATH=" + std::string(path != nullptr ? path : "/usr/bin:/bin"),
              "HOME=" + dir.string(),
              "GIT_CONFIG_NOSYSTEM=1",
              "GIT_CONFIG_GLOBAL=/dev/null",
              "GIT_AUTHOR_NAME=Test",
              "GIT_AUTHOR_EMAIL=test@example.com",
              "GIT_COMMITTER_NAME=Test",
              "GIT_COMMITTER_EMAIL=test@example.com",
              "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z",
              "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z"};
  spec.timeout = std::chrono::seconds(60);
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { output.append(chunk); }, nullptr);
  EXPECT_TRUE(outcome.kind == ProcessOutcome::Kind::kExited && outcome.exit_code == 0)
      << "git failed: " << outcome.error << "\n"
      << output;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

// A non-bare repository on branch main, built up commit by commit.
class ScratchRepo {
 public:
  explicit ScratchRepo(const fs::path& dir) : dir_(dir) {
    fs::create_directories(dir_);
    Git({"init", "-q", "-b", "main"});
  }
  const fs::path& dir() const { return dir_; }
  std::string Git(const std::vector<std::string>& args) { return RunGit(dir_, args); }

  void Write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  void Remove(const std::string& relative) { fs::remove(dir_ / relative); }
  // Commits everything and returns the new commit's sha.
  std::string Commit(const std::string& message) {
    Git({"add", "-A"});
    Git({"commit", "-q", "--allow-empty", "-m", message});
    return Head();
  }
  std::string Head() { return Git({"rev-parse", "HEAD"}); }

 private:
  fs::path dir_;
};

}  // namespace slipway::triggers::testing
