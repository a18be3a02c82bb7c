// Integrity and concurrency: corrupt blobs, hostile manifests, symlinked workspace dirs, several
// threads and processes sharing one cache root.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "cache_fixture.h"
#include "util/sha256.h"

namespace slipway::cache::testing {
namespace {

using Kind = SaveOutcome::Kind;

stdfs::path BlobFor(const stdfs::path& root, const std::string& content) {
  const std::string hex = Sha256Hex(content);
  return root / "blobs" / hex.substr(0, 2) / hex;
}

TEST_F(CacheTest, CorruptBlobIsAMissNotASilentRestore) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/good", "good content");
  Write(ws, "d/bad", "original content");
  ASSERT_EQ(SaveKind(Scope(), "k", {"d"}, ws), Kind::kSaved);
  const stdfs::path blob = BlobFor(root(), "original content");
  ASSERT_TRUE(stdfs::exists(blob));
  Write(blob.parent_path(), blob.filename(), "tampered content", 0444);

  const stdfs::path out = NewWorkspace();
  Write(out, "d/good", "workspace version");
  auto r = cache_->Restore(Scope(), "k", {}, {"d"}, out);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->has_value());
  ASSERT_EQ(Warnings().size(), 1u);
  EXPECT_NE(Warnings()[0].find("corrupt"), std::string::npos) << Warnings()[0];
  // Nothing of the entry was written: not even the good file.
  EXPECT_EQ(Read(out / "d/good"), "workspace version");
  EXPECT_FALSE(stdfs::exists(out / "d/bad"));
  size_t entries = 0;
  for (const auto& e : stdfs::directory_iterator(out / "d")) entries += e.exists() ? 1 : 0;
  EXPECT_EQ(entries, 1u);             // no temp files left behind
  EXPECT_FALSE(stdfs::exists(blob));  // the bad blob and the entry are gone …
  EXPECT_TRUE(cache_->List(std::nullopt)->empty());
  // … so the next save heals the cache.
  ASSERT_EQ(SaveKind(Scope(), "k", {"d"}, ws), Kind::kSaved);
  ASSERT_TRUE(RestoreOk(Scope(), "k", {}, {"d"}, out).has_value());
  EXPECT_EQ(Read(out / "d/bad"), "original content");
}

TEST_F(CacheTest, CorruptNewestPrefixFallsBackToAnOlderEntry) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/f", "old");
  ASSERT_EQ(SaveKind(Scope(), "deps-1", {"d"}, ws), Kind::kSaved);
  Advance();
  Write(ws, "d/f", "new");
  ASSERT_EQ(SaveKind(Scope(), "deps-2", {"d"}, ws), Kind::kSaved);
  ASSERT_EQ(unlink(BlobFor(root(), "new").c_str()), 0);  // a missing blob is corrupt too
  const stdfs::path out = NewWorkspace();
  auto hit = RestoreOk(Scope(), "deps-3", {"deps-"}, {"d"}, out);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->key, "deps-1");
  EXPECT_EQ(Read(out / "d/f"), "old");
  EXPECT_EQ(Warnings().size(), 1u);
}

// Rewrites the single manifest's first file path, as an attacker with write access to the
// cache directory (or a bug) could.
void RewriteFirstPath(const stdfs::path& manifest, const std::string& path) {
  std::ifstream in(manifest);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(in);
  j["files"][0]["path"] = path;
  std::ofstream(manifest, std::ios::trunc) << j.dump();
}

TEST_F(CacheTest, ManifestPathsCannotLeaveTheWorkspace) {
  for (const std::string evil : {"../escaped", "a/../../escaped", "/tmp/escaped-abs", "a//b"}) {
    SCOPED_TRACE(evil);
    const stdfs::path ws = NewWorkspace();
    Write(ws, "a", "payload");
    ASSERT_EQ(SaveKind(Scope(), "k", {"a"}, ws), Kind::kSaved);
    ASSERT_EQ(Manifests().size(), 1u);
    RewriteFirstPath(Manifests()[0], evil);

    const stdfs::path out = NewWorkspace();
    auto r = cache_->Restore(Scope(), "k", {}, {"a"}, out);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->has_value());
    EXPECT_FALSE(stdfs::exists(tmp_ / "escaped"));
    EXPECT_FALSE(stdfs::exists("/tmp/escaped-abs"));
    EXPECT_TRUE(stdfs::is_empty(out));
    ASSERT_FALSE(Warnings().empty());
    EXPECT_NE(Warnings().back().find("unsafe path"), std::string::npos) << Warnings().back();
    EXPECT_TRUE(Manifests().empty());  // removed: it can never be restored
  }
}

TEST_F(CacheTest, NeverRestoresThroughASymlinkedDirectory) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "out/a", "payload");
  ASSERT_EQ(SaveKind(Scope(), "k", {"out"}, ws), Kind::kSaved);
  const stdfs::path outside = NewWorkspace();
  const stdfs::path dest = NewWorkspace();
  ASSERT_EQ(symlink(outside.c_str(), (dest / "out").c_str()), 0);
  auto r = cache_->Restore(Scope(), "k", {}, {"out"}, dest);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(stdfs::is_empty(outside));
}

TEST_F(CacheTest, ThreadsSaveAndRestoreConcurrently) {
  cache_ = OpenCache(20'000);
  constexpr int kThreads = 8;
  std::vector<stdfs::path> workspaces;
  for (int t = 0; t < kThreads; ++t) {
    workspaces.push_back(NewWorkspace());
    Write(workspaces[t], "d/shared", std::string(1000, 's'));
  }
  std::atomic<int> own_saved{0}, same_saved{0}, same_existing{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        // Distinct content per thread and round: 41 KB in all, so eviction runs concurrently.
        Write(workspaces[t], "d/own", std::string(1000, static_cast<char>('A' + t * 5 + round)));
        auto own = cache_->Save(Scope(), "own-" + std::to_string(t) + "-" + std::to_string(round),
                                {"d"}, workspaces[t]);
        auto same = cache_->Save(Scope(), "same-key", {"d/shared"}, workspaces[t]);
        if (!own.ok() || !same.ok()) {
          ++failures;
          continue;
        }
        if (own->kind == Kind::kSaved) ++own_saved;
        if (same->kind == Kind::kSaved) ++same_saved;
        if (same->kind == Kind::kAlreadyExists) ++same_existing;
        auto hit =
            cache_->Restore(Scope(), "none", {"own-" + std::to_string(t)}, {"d"}, workspaces[t]);
        if (!hit.ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(own_saved.load(), kThreads * 5);
  // same-key is saved once, and again only after eviction removed it.
  EXPECT_GE(same_saved.load(), 1);
  EXPECT_EQ(same_saved.load() + same_existing.load(), kThreads * 5);
  EXPECT_TRUE(Warnings().empty());
  // Eviction kept the store within quota and consistent: every listed entry restores.
  auto list = cache_->List(std::nullopt);
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(list->empty());
  uint64_t blob_bytes = 0;
  for (const stdfs::path& b : Blobs()) blob_bytes += stdfs::file_size(b);
  EXPECT_LE(blob_bytes, 20'000u);
  for (const EntryInfo& e : *list) {
    const stdfs::path out = NewWorkspace();
    auto hit = cache_->Restore(Scope(), e.key, {}, e.paths, out);
    ASSERT_TRUE(hit.ok());
    EXPECT_TRUE(hit->has_value()) << e.key;
  }
  EXPECT_TRUE(stdfs::is_empty(root() / "tmp"));  // staging dirs cleaned up
}

TEST_F(CacheTest, ProcessesShareOneRoot) {
  const stdfs::path ws = NewWorkspace();
  for (int i = 0; i < 20; ++i) Write(ws, "d/f" + std::to_string(i), std::string(100, 'a' + i));
  std::vector<pid_t> children;
  for (int c = 0; c < 3; ++c) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto cache = OpenCache(uint64_t{1} << 30);
      bool ok = cache != nullptr;
      for (int i = 0; ok && i < 10; ++i) {
        ok = cache->Save(Scope(), "key-" + std::to_string(i), {"d"}, ws).ok() &&
             cache->Save(Scope(), "child-" + std::to_string(c) + "-" + std::to_string(i), {"d"}, ws)
                 .ok();
      }
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto list = cache_->List(std::nullopt);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 10u + 30u);
  EXPECT_EQ(BlobCount(), 20u);
}

}  // namespace
}  // namespace slipway::cache::testing
