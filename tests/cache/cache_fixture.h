// Shared set-up for cache tests: a temp root, workspaces, an injected clock, captured warnings.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "cache/cache.h"
#include "util/fs.h"

namespace slipway::cache::testing {

namespace stdfs = std::filesystem;

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("cache_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    tmp_ = *dir;
    cache_ = OpenCache(uint64_t{1} << 30);
    ASSERT_NE(cache_, nullptr);
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(tmp_).ok()); }

  std::unique_ptr<Cache> OpenCache(uint64_t quota) {
    CacheOptions options;
    options.root = root();
    options.quota_bytes = quota;
    options.now = [this] { return TimePoint(std::chrono::seconds(now_s_.load())); };
    options.warn = [this](const std::string& w) {
      std::lock_guard<std::mutex> lock(mu_);
      warnings_.push_back(w);
    };
    auto cache = Cache::Open(std::move(options));
    EXPECT_TRUE(cache.ok()) << cache.status().ToString();
    return cache.ok() ? std::move(cache).value() : nullptr;
  }

  stdfs::path root() const { return tmp_ / "cache"; }
  void Advance(int64_t seconds = 10) { now_s_ += seconds; }
  TimePoint Now() const { return TimePoint(std::chrono::seconds(now_s_.load())); }

  stdfs::path NewWorkspace() {
    const stdfs::path ws = tmp_ / ("ws" + std::to_string(next_ws_++));
    stdfs::create_directories(ws);
    return ws;
  }
  static void Write(const stdfs::path& ws, const std::string& rel, const std::string& text,
                    mode_t mode = 0644) {
    stdfs::create_directories((ws / rel).parent_path());
    std::ofstream(ws / rel, std::ios::binary) << text;
    ASSERT_EQ(chmod((ws / rel).c_str(), mode), 0);
  }
  static std::string Read(const stdfs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static mode_t Mode(const stdfs::path& p) {
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
  }
  static bool IsSymlink(const stdfs::path& p) {
    std::error_code ec;
    return stdfs::is_symlink(stdfs::symlink_status(p, ec));
  }
  // Files (blobs) below root/blobs.
  size_t BlobCount() const {
    size_t n = 0;
    std::error_code ec;
    for (auto it = stdfs::recursive_directory_iterator(root() / "blobs", ec);
         it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      n += it->is_regular_file() ? 1 : 0;
    }
    return n;
  }
  std::vector<stdfs::path> Blobs() const {
    std::vector<stdfs::path> out;
    std::error_code ec;
    for (auto it = stdfs::recursive_directory_iterator(root() / "blobs", ec);
         it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) out.push_back(it->path());
    }
    return out;
  }
  std::vector<stdfs::path> Manifests() const {
    std::vector<stdfs::path> out;
    std::error_code ec;
    for (auto it = stdfs::recursive_directory_iterator(root() / "entries", ec);
         it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) out.push_back(it->path());
    }
    return out;
  }
  std::vector<std::string> Warnings() {
    std::lock_guard<std::mutex> lock(mu_);
    return warnings_;
  }

  static CacheScope Scope(std::string branch = "main", std::string project = "proj",
                          std::string default_branch = "main") {
    return {std::move(project), std::move(branch), std::move(default_branch)};
  }

  SaveOutcome::Kind SaveKind(const CacheScope& scope, const std::string& key,
                             const std::vector<std::string>& paths, const stdfs::path& ws) {
    auto r = cache_->Save(scope, key, paths, ws);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->kind : SaveOutcome::Kind::kNothingToSave;
  }
  std::optional<RestoreHit> RestoreOk(const CacheScope& scope, const std::string& key,
                                      const std::vector<std::string>& restore_keys,
                                      const std::vector<std::string>& paths,
                                      const stdfs::path& ws) {
    auto r = cache_->Restore(scope, key, restore_keys, paths, ws);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  stdfs::path tmp_;
  std::unique_ptr<Cache> cache_;
  std::atomic<int64_t> now_s_{1'700'000'000};
  int next_ws_ = 0;
  std::mutex mu_;
  std::vector<std::string> warnings_;
};

}  // namespace slipway::cache::testing
