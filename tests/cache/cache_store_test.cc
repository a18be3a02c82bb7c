// Storage: dedup, quota and LRU eviction, garbage collection, List and Clear.
#include <gtest/gtest.h>

#include "cache_fixture.h"

namespace slipway::cache::testing {
namespace {

using Kind = SaveOutcome::Kind;

TEST_F(CacheTest, SharedContentIsStoredOnce) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/same1", "shared content");
  Write(ws, "d/same2", "shared content");
  Write(ws, "d/own", "one");
  ASSERT_EQ(SaveKind(Scope(), "a", {"d"}, ws), Kind::kSaved);
  EXPECT_EQ(BlobCount(), 2u);
  Write(ws, "d/own", "two");
  ASSERT_EQ(SaveKind(Scope(), "b", {"d"}, ws), Kind::kSaved);
  ASSERT_EQ(SaveKind(Scope("feature", "other-project"), "c", {"d"}, ws), Kind::kSaved);
  EXPECT_EQ(BlobCount(), 3u);  // "shared content", "one", "two"
  auto list = cache_->List(std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  for (const EntryInfo& e : *list) EXPECT_EQ(e.size, 14u + 3u) << e.key;  // distinct bytes
}

TEST_F(CacheTest, EvictsLeastRecentlyUsedToStayWithinQuota) {
  cache_ = OpenCache(3000);
  const stdfs::path ws = NewWorkspace();
  for (const char* key : {"e1", "e2", "e3"}) {
    Write(ws, "d/f", std::string(1000, key[1]));
    ASSERT_EQ(SaveKind(Scope(), key, {"d"}, ws), Kind::kSaved);
    Advance();
  }
  // Using e1 makes e2 the least recently used.
  const stdfs::path out = NewWorkspace();
  ASSERT_TRUE(RestoreOk(Scope(), "e1", {}, {"d"}, out).has_value());
  Advance();
  Write(ws, "d/f", std::string(1000, '4'));
  auto saved = cache_->Save(Scope(), "e4", {"d"}, ws);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->kind, Kind::kSaved);
  EXPECT_EQ(saved->evicted, 1u);

  auto list = cache_->List(std::nullopt);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> keys;
  for (const EntryInfo& e : *list) keys.push_back(e.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"e4", "e1", "e3"}));  // most recently used first
  EXPECT_EQ(BlobCount(), 3u);                                     // e2's blob is gone
  EXPECT_EQ((*list)[1].last_used, Now() - std::chrono::seconds(10));
  EXPECT_LT((*list)[1].created, (*list)[1].last_used);
  EXPECT_FALSE(RestoreOk(Scope(), "e2", {}, {"d"}, out).has_value());
}

TEST_F(CacheTest, SharedBlobsCountOnceTowardsTheQuota) {
  cache_ = OpenCache(2500);
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/big", std::string(2000, 'b'));
  for (int i = 0; i < 5; ++i) {
    Write(ws, "d/small", std::to_string(i));
    auto saved = cache_->Save(Scope(), "k" + std::to_string(i), {"d"}, ws);
    ASSERT_TRUE(saved.ok());
    EXPECT_EQ(saved->evicted, 0u) << i;
    Advance();
  }
  EXPECT_EQ(cache_->List(std::nullopt)->size(), 5u);
}

TEST_F(CacheTest, EntryLargerThanQuotaIsNotSaved) {
  cache_ = OpenCache(100);
  const stdfs::path ws = NewWorkspace();
  Write(ws, "small", "s");
  ASSERT_EQ(SaveKind(Scope(), "small", {"small"}, ws), Kind::kSaved);
  Write(ws, "big", std::string(200, 'x'));
  auto r = cache_->Save(Scope(), "big", {"big"}, ws);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, Kind::kTooLarge);
  EXPECT_EQ(r->bytes, 200u);
  EXPECT_NE(r->message.find("quota"), std::string::npos);
  EXPECT_EQ(cache_->List(std::nullopt)->size(), 1u);  // nothing evicted for it either
  EXPECT_EQ(BlobCount(), 1u);
}

TEST_F(CacheTest, UnreferencedBlobsAreDeleted) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "d/a", "a");
  Write(ws, "d/b", "b");
  ASSERT_EQ(SaveKind(Scope(), "ab", {"d"}, ws), Kind::kSaved);
  ASSERT_EQ(BlobCount(), 2u);
  // A stray blob (a crashed process's leftover) goes at the next collection.
  const stdfs::path stray = root() / "blobs/00" / std::string(64, '0');
  stdfs::create_directories(stray.parent_path());
  Write(stray.parent_path(), stray.filename(), "stray");
  ASSERT_EQ(SaveKind(Scope(), "again", {"d/a"}, ws), Kind::kSaved);
  EXPECT_FALSE(stdfs::exists(stray));
  EXPECT_EQ(BlobCount(), 2u);

  auto cleared = cache_->Clear(std::nullopt, std::nullopt, std::string("ab"));
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->entries, 1u);
  EXPECT_EQ(cleared->bytes, 1u);  // "b" only: "a" is still used by "again"
  EXPECT_EQ(BlobCount(), 1u);
}

TEST_F(CacheTest, ListAndClearFilter) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "f", "x");
  struct Spec {
    const char* project;
    const char* branch;
    const char* key;
  };
  for (const Spec& s : {Spec{"p1", "main", "deps-1"}, Spec{"p1", "main", "build-1"},
                        Spec{"p1", "feat", "deps-2"}, Spec{"p2", "main", "deps-3"}}) {
    ASSERT_EQ(SaveKind(Scope(s.branch, s.project), s.key, {"f"}, ws), Kind::kSaved);
    Advance();
  }
  auto all = cache_->List(std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].key, "deps-3");
  EXPECT_EQ((*all)[0].files, 1u);
  EXPECT_EQ((*all)[0].paths, std::vector<std::string>{"f"});
  auto p1 = cache_->List(std::string("p1"));
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->size(), 3u);
  EXPECT_TRUE(cache_->List(std::string("nobody"))->empty());

  auto c1 = cache_->Clear(std::string("p1"), std::string("main"), std::string("deps-"));
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ(c1->entries, 1u);
  EXPECT_EQ(c1->bytes, 0u);  // the blob is shared with the others
  auto c2 = cache_->Clear(std::nullopt, std::string("main"), std::nullopt);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->entries, 2u);  // p1/main build-1, p2/main deps-3
  auto left = cache_->List(std::nullopt);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].branch, "feat");
  auto c3 = cache_->Clear(std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(c3.ok());
  EXPECT_EQ(c3->entries, 1u);
  EXPECT_EQ(c3->bytes, 1u);
  EXPECT_EQ(BlobCount(), 0u);
  EXPECT_TRUE(Manifests().empty());
}

TEST_F(CacheTest, OpenValidatesOptions) {
  CacheOptions none;
  EXPECT_EQ(Cache::Open(none).status().code(), StatusCode::kInvalidArgument);
  CacheOptions zero;
  zero.root = tmp_ / "z";
  zero.quota_bytes = 0;
  EXPECT_EQ(Cache::Open(zero).status().code(), StatusCode::kInvalidArgument);
  const stdfs::path ws = NewWorkspace();
  Write(ws, "file", "x");
  CacheOptions on_file;
  on_file.root = ws / "file";
  EXPECT_FALSE(Cache::Open(on_file).ok());
}

}  // namespace
}  // namespace slipway::cache::testing
