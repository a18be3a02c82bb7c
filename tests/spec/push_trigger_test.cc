// PushTrigger::Matches follows GitHub Actions' filter rules.
#include <gtest/gtest.h>

#include "spec/spec.h"

namespace slipway::spec {
namespace {

const std::vector<std::string> kNoFiles;

TEST(PushTrigger, NoFiltersMatchEveryBranchAndTag) {
  PushTrigger push;
  EXPECT_TRUE(push.Matches("refs/heads/main", kNoFiles));
  EXPECT_TRUE(push.Matches("refs/tags/v1", kNoFiles));
  EXPECT_TRUE(push.Matches("main", kNoFiles));  // a bare name is a branch
}

TEST(PushTrigger, BranchFiltersUseGlobsAndLastMatchWins) {
  PushTrigger push;
  push.branches = {"main", "release/**", "!release/**-alpha", "release/1.0-alpha"};
  EXPECT_TRUE(push.Matches("refs/heads/main", kNoFiles));
  EXPECT_TRUE(push.Matches("refs/heads/release/2.0", kNoFiles));
  EXPECT_TRUE(push.Matches("refs/heads/release/a/b", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/heads/release/2.0-alpha", kNoFiles));
  EXPECT_TRUE(push.Matches("refs/heads/release/1.0-alpha", kNoFiles));  // re-included later
  EXPECT_FALSE(push.Matches("refs/heads/feature", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/heads/mainline", kNoFiles));
}

TEST(PushTrigger, SingleStarDoesNotCrossSlashes) {
  PushTrigger push;
  push.branches = {"feature/*"};
  EXPECT_TRUE(push.Matches("refs/heads/feature/x", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/heads/feature/x/y", kNoFiles));
}

TEST(PushTrigger, BranchFiltersAloneSkipTagPushes) {
  PushTrigger push;
  push.branches = {"**"};
  EXPECT_TRUE(push.Matches("refs/heads/anything", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/tags/v1", kNoFiles));
  push.branches.clear();
  push.branches_ignore = {"wip/**"};
  EXPECT_FALSE(push.Matches("refs/tags/v1", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/heads/wip/x", kNoFiles));
  EXPECT_TRUE(push.Matches("refs/heads/main", kNoFiles));
}

TEST(PushTrigger, TagFiltersAloneSkipBranchPushes) {
  PushTrigger push;
  push.tags = {"v*"};
  EXPECT_TRUE(push.Matches("refs/tags/v1.2", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/tags/nightly", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/heads/main", kNoFiles));
}

TEST(PushTrigger, BranchAndTagFiltersEachApplyToTheirKind) {
  PushTrigger push;
  push.branches = {"main"};
  push.tags_ignore = {"*-rc*"};
  EXPECT_TRUE(push.Matches("refs/heads/main", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/heads/dev", kNoFiles));
  EXPECT_TRUE(push.Matches("refs/tags/v1", kNoFiles));
  EXPECT_FALSE(push.Matches("refs/tags/v1-rc1", kNoFiles));
}

TEST(PushTrigger, OtherRefsOnlyMatchWithoutRefFilters) {
  PushTrigger push;
  EXPECT_TRUE(push.Matches("refs/pull/1/head", kNoFiles));
  push.branches = {"**"};
  EXPECT_FALSE(push.Matches("refs/pull/1/head", kNoFiles));
}

TEST(PushTrigger, PathsNeedOneIncludedFile) {
  PushTrigger push;
  push.paths = {"src/**", "!src/**/*.md"};
  EXPECT_TRUE(push.Matches("refs/heads/main", {"README.md", "src/a/b.cc"}));
  EXPECT_FALSE(push.Matches("refs/heads/main", {"README.md", "src/a/notes.md"}));
  EXPECT_FALSE(push.Matches("refs/heads/main", {"docs/x"}));
  EXPECT_TRUE(push.Matches("refs/heads/main", kNoFiles));  // unknown changes: filters pass
}

TEST(PushTrigger, PathsIgnoreSkipsOnlyWhenEveryFileIsIgnored) {
  PushTrigger push;
  push.paths_ignore = {"docs/**", "**/*.md"};
  EXPECT_FALSE(push.Matches("refs/heads/main", {"docs/a", "README.md"}));
  EXPECT_TRUE(push.Matches("refs/heads/main", {"docs/a", "src/main.cc"}));
  EXPECT_TRUE(push.Matches("refs/heads/main", kNoFiles));
}

TEST(PushTrigger, RefAndPathFiltersMustBothPass) {
  PushTrigger push;
  push.branches = {"main"};
  push.paths = {"src/**"};
  EXPECT_TRUE(push.Matches("refs/heads/main", {"src/x"}));
  EXPECT_FALSE(push.Matches("refs/heads/main", {"doc/x"}));
  EXPECT_FALSE(push.Matches("refs/heads/dev", {"src/x"}));
}

}  // namespace
}  // namespace slipway::spec
