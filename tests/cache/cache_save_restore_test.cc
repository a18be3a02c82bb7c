// Save/restore round trips and the lookup order (exact, prefix, branch fallback, isolation).
#include <gtest/gtest.h>

#include "cache_fixture.h"

namespace slipway::cache::testing {
namespace {

using Kind = SaveOutcome::Kind;

TEST_F(CacheTest, RoundTripKeepsDirsModesAndSymlinks) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "deps/lib/a.txt", "alpha");
  Write(ws, "deps/bin/tool", "#!/bin/sh\n", 0755);
  Write(ws, "deps/secret.key", "k", 0600);
  stdfs::create_directories(ws / "deps/empty");
  ASSERT_EQ(symlink("lib/a.txt", (ws / "deps/link").c_str()), 0);
  ASSERT_EQ(symlink("/does/not/exist", (ws / "deps/dangling").c_str()), 0);
  Write(ws, "deps/ro/file", "ro", 0444);
  ASSERT_EQ(chmod((ws / "deps/ro").c_str(), 0555), 0);
  Write(ws, "build/out.bin", std::string(100000, 'x'));
  Write(ws, "logs/a.log", "log a");
  Write(ws, "logs/sub/b.log", "log b");
  Write(ws, "logs/c.txt", "not a log");

  const std::vector<std::string> paths = {"deps", "build/out.bin", "**/*.log", "missing"};
  auto saved = cache_->Save(Scope(), "key-1", paths, ws);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->kind, Kind::kSaved) << saved->message;
  EXPECT_EQ(saved->files, 9u);  // 4 regular + 2 symlinks in deps, out.bin, 2 logs
  ASSERT_EQ(chmod((ws / "deps/ro").c_str(), 0755), 0);

  const stdfs::path out = NewWorkspace();
  auto hit = RestoreOk(Scope(), "key-1", {}, paths, out);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->key, "key-1");
  EXPECT_EQ(hit->branch, "main");
  EXPECT_TRUE(hit->exact);
  EXPECT_EQ(hit->files, saved->files);
  EXPECT_EQ(hit->bytes, 5u + 10 + 1 + 2 + 100000 + 5 + 5);

  EXPECT_EQ(Read(out / "deps/lib/a.txt"), "alpha");
  EXPECT_EQ(Mode(out / "deps/bin/tool"), 0755u);
  EXPECT_EQ(Mode(out / "deps/secret.key"), 0600u);
  EXPECT_TRUE(stdfs::is_directory(out / "deps/empty"));
  EXPECT_TRUE(IsSymlink(out / "deps/link"));
  EXPECT_EQ(stdfs::read_symlink(out / "deps/link"), "lib/a.txt");
  EXPECT_EQ(Read(out / "deps/link"), "alpha");
  EXPECT_EQ(stdfs::read_symlink(out / "deps/dangling"), "/does/not/exist");
  EXPECT_EQ(Read(out / "deps/ro/file"), "ro");
  EXPECT_EQ(Mode(out / "deps/ro"), 0555u);
  EXPECT_EQ(Mode(out / "deps/ro/file"), 0444u);
  EXPECT_EQ(Read(out / "build/out.bin"), std::string(100000, 'x'));
  EXPECT_EQ(Read(out / "logs/a.log"), "log a");
  EXPECT_EQ(Read(out / "logs/sub/b.log"), "log b");
  EXPECT_FALSE(stdfs::exists(out / "logs/c.txt"));
  ASSERT_EQ(chmod((out / "deps/ro").c_str(), 0755), 0);
  EXPECT_TRUE(Warnings().empty());
}

TEST_F(CacheTest, RestoreReplacesExistingFilesAndSymlinksWithoutFollowing) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "out/a", "cached");
  ASSERT_EQ(SaveKind(Scope(), "k", {"out"}, ws), Kind::kSaved);

  const stdfs::path target = NewWorkspace();
  Write(target, "victim", "untouched");
  const stdfs::path dest = NewWorkspace();
  Write(dest, "out/other", "stays");
  ASSERT_EQ(symlink((target / "victim").c_str(), (dest / "out/a").c_str()), 0);
  ASSERT_TRUE(RestoreOk(Scope(), "k", {}, {"out"}, dest).has_value());
  EXPECT_FALSE(IsSymlink(dest / "out/a"));
  EXPECT_EQ(Read(dest / "out/a"), "cached");
  EXPECT_EQ(Read(target / "victim"), "untouched");
  EXPECT_EQ(Read(dest / "out/other"), "stays");
}

TEST_F(CacheTest, GlobsTakeMatchingDirectoriesWholeAndExclusionsApply) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "app/node_modules/x/index.js", "x");
  Write(ws, "app/node_modules/x/tmp.log", "log");
  Write(ws, "lib/node_modules/y/index.js", "y");
  Write(ws, "src/main.js", "main");
  const std::vector<std::string> paths = {"**/node_modules", "!**/*.log"};
  ASSERT_EQ(SaveKind(Scope(), "modules", paths, ws), Kind::kSaved);
  const stdfs::path out = NewWorkspace();
  ASSERT_TRUE(RestoreOk(Scope(), "modules", {}, paths, out).has_value());
  EXPECT_EQ(Read(out / "app/node_modules/x/index.js"), "x");
  EXPECT_EQ(Read(out / "lib/node_modules/y/index.js"), "y");
  EXPECT_FALSE(stdfs::exists(out / "app/node_modules/x/tmp.log"));
  EXPECT_FALSE(stdfs::exists(out / "src"));
}

TEST_F(CacheTest, ExactKeyBeatsPrefixAndNewestPrefixWins) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/f", "one");
  ASSERT_EQ(SaveKind(Scope(), "deps-linux-aaa", {"d"}, ws), Kind::kSaved);
  Advance();
  Write(ws, "d/f", "two");
  ASSERT_EQ(SaveKind(Scope(), "deps-linux-bbb", {"d"}, ws), Kind::kSaved);
  Advance();
  Write(ws, "d/f", "three");
  ASSERT_EQ(SaveKind(Scope(), "deps-mac-ccc", {"d"}, ws), Kind::kSaved);

  const stdfs::path out = NewWorkspace();
  auto exact = RestoreOk(Scope(), "deps-linux-aaa", {"deps-"}, {"d"}, out);
  ASSERT_TRUE(exact.has_value());
  EXPECT_TRUE(exact->exact);
  EXPECT_EQ(Read(out / "d/f"), "one");

  auto prefix =
      RestoreOk(Scope(), "deps-linux-zzz", {"nothing-", "deps-linux-", "deps-"}, {"d"}, out);
  ASSERT_TRUE(prefix.has_value());
  EXPECT_FALSE(prefix->exact);
  EXPECT_EQ(prefix->key, "deps-linux-bbb");
  EXPECT_EQ(Read(out / "d/f"), "two");

  auto broad = RestoreOk(Scope(), "deps-linux-zzz", {"deps-"}, {"d"}, out);
  ASSERT_TRUE(broad.has_value());
  EXPECT_EQ(broad->key, "deps-mac-ccc");

  EXPECT_FALSE(RestoreOk(Scope(), "other", {"nope"}, {"d"}, out).has_value());
}

TEST_F(CacheTest, FallsBackToDefaultBranchAndIsolatesOtherBranchesAndProjects) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/f", "main");
  ASSERT_EQ(SaveKind(Scope("main"), "k-1", {"d"}, ws), Kind::kSaved);
  Write(ws, "d/f", "feature");
  ASSERT_EQ(SaveKind(Scope("feature"), "only-feature", {"d"}, ws), Kind::kSaved);

  const stdfs::path out = NewWorkspace();
  auto fallback = RestoreOk(Scope("feature"), "k-1", {}, {"d"}, out);
  ASSERT_TRUE(fallback.has_value());
  EXPECT_EQ(fallback->branch, "main");
  EXPECT_TRUE(fallback->exact);
  EXPECT_EQ(Read(out / "d/f"), "main");

  // Another feature branch never sees `feature`'s entries; nor does main.
  EXPECT_FALSE(RestoreOk(Scope("other"), "only-feature", {"only"}, {"d"}, out).has_value());
  EXPECT_FALSE(RestoreOk(Scope("main"), "only-feature", {"only"}, {"d"}, out).has_value());
  // Another project sees nothing of this one.
  EXPECT_FALSE(RestoreOk(Scope("main", "other-project"), "k-1", {"k"}, {"d"}, out).has_value());
  // No default branch: no fallback.
  EXPECT_FALSE(RestoreOk(Scope("feature", "proj", ""), "k-1", {}, {"d"}, out).has_value());

  // A prefix match in the own branch beats a newer one in the default branch.
  Advance();
  Write(ws, "d/f", "feature-k");
  ASSERT_EQ(SaveKind(Scope("feature"), "k-2", {"d"}, ws), Kind::kSaved);
  Advance();
  Write(ws, "d/f", "main-newer");
  ASSERT_EQ(SaveKind(Scope("main"), "k-3", {"d"}, ws), Kind::kSaved);
  auto own = RestoreOk(Scope("feature"), "k-9", {"k-"}, {"d"}, out);
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(own->key, "k-2");
  EXPECT_EQ(own->branch, "feature");
}

TEST_F(CacheTest, EntriesAreImmutable) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/f", "first");
  ASSERT_EQ(SaveKind(Scope(), "k", {"d"}, ws), Kind::kSaved);
  Write(ws, "d/f", "second");
  auto again = cache_->Save(Scope(), "k", {"d"}, ws);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kind, Kind::kAlreadyExists);
  EXPECT_NE(again->message.find("already exists"), std::string::npos);
  const stdfs::path out = NewWorkspace();
  ASSERT_TRUE(RestoreOk(Scope(), "k", {}, {"d"}, out).has_value());
  EXPECT_EQ(Read(out / "d/f"), "first");
  // The same key in another branch is a different entry.
  EXPECT_EQ(SaveKind(Scope("feature"), "k", {"d"}, ws), Kind::kSaved);
}

TEST_F(CacheTest, PathsAreTheEntryVersion) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "a/f", "a");
  Write(ws, "b/f", "b");
  ASSERT_EQ(SaveKind(Scope(), "k", {"a", "b"}, ws), Kind::kSaved);
  const stdfs::path out = NewWorkspace();
  EXPECT_FALSE(RestoreOk(Scope(), "k", {"k"}, {"a"}, out).has_value());
  EXPECT_TRUE(RestoreOk(Scope(), "k", {}, {"./b/", "a"}, out).has_value());  // same set
}

TEST_F(CacheTest, NothingToSave) {
  const stdfs::path ws = NewWorkspace();
  auto r = cache_->Save(Scope(), "k", {"missing", "*.none"}, ws);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, Kind::kNothingToSave);
  EXPECT_TRUE(Manifests().empty());
}

TEST_F(CacheTest, RejectsBadKeysScopesAndPaths) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "f", "x");
  EXPECT_EQ(cache_->Save(Scope(), "", {"f"}, ws).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache_->Save(Scope(), "a,b", {"f"}, ws).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache_->Save(Scope(), "a\nb", {"f"}, ws).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache_->Save(Scope(), std::string(513, 'k'), {"f"}, ws).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(cache_->Save(Scope(), std::string(512, 'k'), {"f"}, ws).ok());
  EXPECT_EQ(cache_->Save(Scope(""), "k", {"f"}, ws).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache_->Save(Scope(), "k", {}, ws).status().code(), StatusCode::kInvalidArgument);
  for (const char* bad : {"../f", "a/../../f", "/etc/passwd", "[oops"}) {
    EXPECT_EQ(cache_->Save(Scope(), "k", {bad}, ws).status().code(), StatusCode::kInvalidArgument)
        << bad;
    EXPECT_EQ(cache_->Restore(Scope(), "k", {}, {bad}, ws).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST_F(CacheTest, WorkspaceMustExist) {
  EXPECT_EQ(cache_->Save(Scope(), "k", {"f"}, tmp_ / "nope").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(cache_->Restore(Scope(), "k", {}, {"f"}, tmp_ / "nope").status().code(),
            StatusCode::kNotFound);
}

TEST_F(CacheTest, ProjectAndBranchNamesCannotTraverse) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "f", "x");
  const CacheScope evil{"../../outside", "../../../x/..", "main"};
  ASSERT_EQ(SaveKind(evil, "k", {"f"}, ws), Kind::kSaved);
  ASSERT_EQ(Manifests().size(), 1u);
  const std::string manifest = Manifests()[0].string();
  EXPECT_EQ(manifest.rfind((root() / "entries").string() + "/", 0), 0u) << manifest;
  EXPECT_EQ(manifest.find("/../"), std::string::npos) << manifest;
  EXPECT_FALSE(stdfs::exists(tmp_ / "outside"));
  auto list = cache_->List(std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].project, "../../outside");
  EXPECT_EQ((*list)[0].branch, "../../../x/..");
  const stdfs::path out = NewWorkspace();
  EXPECT_TRUE(RestoreOk(evil, "k", {}, {"f"}, out).has_value());
}

}  // namespace
}  // namespace slipway::cache::testing
