#include <gtest/gtest.h>

#include "cache_fixture.h"

namespace slipway::cache::testing {
namespace {

class HashFilesTest : public CacheTest {};

TEST_F(HashFilesTest, StableOrderIndependentAndContentSensitive) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "package-lock.json", "{}");
  Write(ws, "sub/package-lock.json", "{\"a\":1}");
  Write(ws, "go.sum", "sum");
  auto a = HashFiles(ws, {"**/package-lock.json", "go.sum"});
  auto b = HashFiles(ws, {"go.sum", "**/package-lock.json", "go.sum"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *HashFiles(ws, {"**/package-lock.json", "go.sum"}));

  Write(ws, "sub/package-lock.json", "{\"a\":2}");
  auto changed = HashFiles(ws, {"**/package-lock.json", "go.sum"});
  EXPECT_NE(*a, *changed);

  // Moving content to another path changes the hash too.
  const stdfs::path ws2 = NewWorkspace();
  Write(ws2, "x/package-lock.json", "{}");
  Write(ws2, "sub/package-lock.json", "{\"a\":2}");
  Write(ws2, "go.sum", "sum");
  EXPECT_NE(*changed, *HashFiles(ws2, {"**/package-lock.json", "go.sum"}));
}

TEST_F(HashFilesTest, EmptyWhenNothingMatches) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "a.txt", "a");
  auto none = HashFiles(ws, {"**/*.lock", "missing"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
  EXPECT_EQ(*HashFiles(ws, {}), "");
}

TEST_F(HashFilesTest, DirectoriesExclusionsAndErrors) {
  const stdfs::path ws = NewWorkspace();
  Write(ws, "deps/a", "a");
  Write(ws, "deps/b.tmp", "b");
  auto dir = HashFiles(ws, {"deps"});
  auto glob = HashFiles(ws, {"deps/*"});
  ASSERT_TRUE(dir.ok() && glob.ok());
  EXPECT_EQ(*dir, *glob);
  auto without_tmp = HashFiles(ws, {"deps", "!**/*.tmp"});
  EXPECT_EQ(*without_tmp, *HashFiles(ws, {"deps/a"}));
  EXPECT_NE(*without_tmp, *dir);
  EXPECT_EQ(HashFiles(ws, {"../x"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFiles(ws, {"[bad"}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::cache::testing
