// PipelineCache: an agent parses a pipeline once for all the jobs it runs of it, and holds a
// bounded number of pipelines.
#include "agent/pipeline_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace slipway::agent {
namespace {

std::string Pipeline(const std::string& step) {
  return "jobs:\n"
         "  build:\n"
         "    steps: [{run: " +
         step +
         "}]\n"
         "  test:\n"
         "    needs: build\n"
         "    matrix: {n: [1, 2]}\n"
         "    steps: [{run: \"true\"}]\n";
}

TEST(PipelineCacheTest, ParsesOncePerPipelineTextAndFindsEveryInstance) {
  PipelineCache cache;
  auto first = cache.Get(".slipway.yml", Pipeline("make"));
  auto second = cache.Get(".slipway.yml", Pipeline("make"));
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(cache.parses(), 1u);
  ASSERT_TRUE(first->loaded.ok());
  const spec::JobInstance* test = first->Find("test (2)");
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->job->name, "test");
  EXPECT_EQ(test->matrix, (std::vector<std::pair<std::string, std::string>>{{"n", "2"}}));
  EXPECT_EQ(first->Find("deploy"), nullptr);
}

TEST(PipelineCacheTest, OtherTextOrFileNameIsAnotherEntry) {
  PipelineCache cache;
  auto make = cache.Get(".slipway.yml", Pipeline("make"));
  auto ninja = cache.Get(".slipway.yml", Pipeline("ninja"));
  auto elsewhere = cache.Get("sub/.slipway.yml", Pipeline("make"));
  EXPECT_NE(make.get(), ninja.get());
  EXPECT_NE(make.get(), elsewhere.get());
  EXPECT_EQ(cache.parses(), 3u);
  EXPECT_EQ(ninja->Find("build")->job->steps[0].run, "ninja");
}

TEST(PipelineCacheTest, HoldsAtMostItsCapacityDroppingTheLeastRecentlyUsed) {
  PipelineCache cache(2);
  auto a = cache.Get("f", Pipeline("a"));
  cache.Get("f", Pipeline("b"));
  cache.Get("f", Pipeline("a"));  // a is now more recent than b
  cache.Get("f", Pipeline("c"));  // drops b
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.parses(), 3u);
  cache.Get("f", Pipeline("a"));
  cache.Get("f", Pipeline("c"));
  EXPECT_EQ(cache.parses(), 3u);
  cache.Get("f", Pipeline("b"));
  EXPECT_EQ(cache.parses(), 4u);
  EXPECT_EQ(a->Find("build")->job->steps[0].run, "a");  // still valid while held
}

TEST(PipelineCacheTest, APipelineThatDoesNotLoadKeepsItsDiagnostics) {
  PipelineCache cache;
  auto broken = cache.Get(".slipway.yml", "jobs:\n  a:\n    step: []\n");
  EXPECT_FALSE(broken->loaded.ok());
  std::string diagnostics;
  for (const auto& d : broken->loaded.diagnostics) diagnostics += d.ToString() + "\n";
  EXPECT_NE(diagnostics.find(".slipway.yml:3:5: unknown key 'step'"), std::string::npos)
      << diagnostics;
  EXPECT_EQ(broken->Find("a"), nullptr);
  EXPECT_EQ(cache.Get(".slipway.yml", "jobs:\n  a:\n    step: []\n").get(), broken.get());
}

TEST(PipelineCacheTest, WorkersSharingItGetOneEntry) {
  PipelineCache cache;
  std::vector<std::thread> workers;
  std::vector<std::shared_ptr<const ParsedPipeline>> held(8);
  for (size_t i = 0; i < held.size(); ++i) {
    workers.emplace_back([&, i] { held[i] = cache.Get(".slipway.yml", Pipeline("make")); });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(cache.size(), 1u);
  for (const auto& pipeline : held) EXPECT_TRUE(pipeline->Find("test (1)") != nullptr);
}

}  // namespace
}  // namespace slipway::agent
