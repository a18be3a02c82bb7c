// ShouldStart: which pushes start which pipelines, through the pipeline's own `on.push`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "spec/spec.h"
#include "triggers/triggers.h"

namespace slipway::triggers {
namespace {

spec::Pipeline Load(const std::string& on) {
  const std::string text = on + "\njobs:\n  build:\n    steps:\n      - run: make\n";
  spec::LoadResult loaded = spec::ParsePipeline(text, ".slipway.yml");
  EXPECT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].ToString());
  return loaded.ok() ? *loaded.pipeline : spec::Pipeline();
}

PushEvent Push(const std::string& ref, std::vector<std::string> files = {"src/main.cc"}) {
  PushEvent event;
  event.ref = ref;
  event.before = "9049f1265b7d61be4a8904a9a27120d2064dab3b";
  event.after = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
  event.changed_files = std::move(files);
  return event;
}

TEST(ShouldStartTest, PipelineWithoutPushTriggerNeverStartsOnPush) {
  EXPECT_FALSE(ShouldStart(Load(""), Push("refs/heads/main")));
  EXPECT_FALSE(ShouldStart(Load("on: manual"), Push("refs/heads/main")));
  EXPECT_FALSE(
      ShouldStart(Load("on:\n  schedule:\n    - cron: '0 3 * * *'"), Push("refs/heads/main")));
}

TEST(ShouldStartTest, BarePushStartsOnEveryBranchAndTag) {
  const spec::Pipeline pipeline = Load("on: push");
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/heads/main")));
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/heads/feature/x")));
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/tags/v1.0")));
}

TEST(ShouldStartTest, DeletedRefNeverStarts) {
  PushEvent event = Push("refs/heads/main", {});
  event.after = std::string(40, '0');
  EXPECT_FALSE(ShouldStart(Load("on: push"), event));
}

TEST(ShouldStartTest, BranchFilters) {
  const spec::Pipeline pipeline =
      Load("on:\n  push:\n    branches: [main, 'release/**', '!release/old/**']");
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/heads/main")));
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/heads/release/2.x")));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/release/old/1.x")));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/feature/x")));
  // Branch filters alone: tag pushes do not start it.
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/tags/v1.0")));
}

TEST(ShouldStartTest, BranchesIgnore) {
  const spec::Pipeline pipeline = Load("on:\n  push:\n    branches-ignore: ['dependabot/**']");
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/heads/main")));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/dependabot/npm/x")));
}

TEST(ShouldStartTest, TagFilters) {
  const spec::Pipeline pipeline = Load("on:\n  push:\n    tags: ['v*']");
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/tags/v1.2.0")));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/tags/nightly")));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/main")));
}

TEST(ShouldStartTest, PathFilters) {
  const spec::Pipeline pipeline =
      Load("on:\n  push:\n    branches: [main]\n    paths: ['src/**', '!src/**/*.md']");
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/heads/main", {"README.md", "src/a/b.cc"})));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/main", {"README.md", "docs/x.md"})));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/main", {"src/notes.md"})));
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/dev", {"src/a.cc"})));
}

TEST(ShouldStartTest, PathsIgnore) {
  const spec::Pipeline pipeline = Load("on:\n  push:\n    paths-ignore: ['docs/**', '*.md']");
  EXPECT_FALSE(ShouldStart(pipeline, Push("refs/heads/main", {"docs/a.md", "README.md"})));
  EXPECT_TRUE(ShouldStart(pipeline, Push("refs/heads/main", {"docs/a.md", "src/a.cc"})));
}

TEST(ShouldStartTest, IncompleteFileListCountsAsUnknown) {
  const spec::Pipeline pipeline = Load("on:\n  push:\n    paths: ['src/**']");
  PushEvent event = Push("refs/heads/main", {"docs/a.md"});
  EXPECT_FALSE(ShouldStart(pipeline, event));
  // The provider cut its commit list: src/ may well have changed in a commit it left out.
  event.changed_files_complete = false;
  EXPECT_TRUE(ShouldStart(pipeline, event));
}

}  // namespace
}  // namespace slipway::triggers
