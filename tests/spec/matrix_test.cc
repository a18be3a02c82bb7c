// Matrix expansion, checked against the examples in GitHub Actions' documentation
// ("Running variations of jobs in a workflow").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// Loads a one-job pipeline with `matrix` (indented under `matrix:`) and returns instance ids.
std::vector<std::string> Ids(std::string_view matrix, LoadResult* out = nullptr) {
  LoadResult result = ParsePipeline(
      "jobs:\n  j:\n    steps: [{run: x}]\n    matrix:\n" + std::string(matrix), "p.yml");
  std::vector<std::string> ids;
  for (const Diagnostic& d : result.diagnostics) ADD_FAILURE() << d.ToString();
  if (!result.ok()) return ids;
  for (const JobInstance& instance : ExpandJob(result.pipeline->jobs[0]))
    ids.push_back(instance.id);
  if (out) *out = std::move(result);
  return ids;
}

TEST(Matrix, CartesianProductLastAxisFastest) {
  EXPECT_THAT(
      Ids("      version: [10, 12, 14]\n      os: [ubuntu-latest, windows-latest]\n"),
      ElementsAre("j (10, ubuntu-latest)", "j (10, windows-latest)", "j (12, ubuntu-latest)",
                  "j (12, windows-latest)", "j (14, ubuntu-latest)", "j (14, windows-latest)"));
}

TEST(Matrix, IncludeMergesIntoMatchingCombinationsOrAddsNewOnes) {
  // GitHub's "Example: Expanding configurations" with fruit and animal.
  LoadResult result;
  EXPECT_THAT(
      Ids(R"(      fruit: [apple, pear]
      animal: [cat, dog]
      include:
        - color: green
        - color: pink
          animal: cat
        - fruit: apple
          shape: circle
        - fruit: banana
        - fruit: banana
          animal: cat
)",
          &result),
      ElementsAre("j (apple, cat, pink, circle)", "j (apple, dog, green, circle)",
                  "j (pear, cat, pink)", "j (pear, dog, green)", "j (banana)", "j (banana, cat)"));
  ASSERT_TRUE(result.ok());
  std::vector<JobInstance> instances = ExpandJob(result.pipeline->jobs[0]);
  EXPECT_THAT(instances[0].matrix, ElementsAre(Pair("fruit", "apple"), Pair("animal", "cat"),
                                               Pair("color", "pink"), Pair("shape", "circle")));
  EXPECT_THAT(instances[5].matrix, ElementsAre(Pair("fruit", "banana"), Pair("animal", "cat")));
}

TEST(Matrix, IncludeAddsKeysToOneCombination) {
  // GitHub: "Example: Adding configurations" (npm only for windows + node 16).
  EXPECT_THAT(Ids(R"(      os: [windows-latest, ubuntu-latest]
      node: [14, 16]
      include:
        - os: windows-latest
          node: 16
          npm: 6
)"),
              ElementsAre("j (windows-latest, 14)", "j (windows-latest, 16, 6)",
                          "j (ubuntu-latest, 14)", "j (ubuntu-latest, 16)"));
}

TEST(Matrix, IncludeThatContradictsEveryCombinationIsANewOne) {
  EXPECT_THAT(
      Ids(R"(      os: [windows-latest, ubuntu-latest]
      node: [12, 14, 16]
      include:
        - os: windows-latest
          node: 17
)"),
      ElementsAre("j (windows-latest, 12)", "j (windows-latest, 14)", "j (windows-latest, 16)",
                  "j (ubuntu-latest, 12)", "j (ubuntu-latest, 14)", "j (ubuntu-latest, 16)",
                  "j (windows-latest, 17)"));
}

TEST(Matrix, IncludeOnly) {
  LoadResult result;
  EXPECT_THAT(Ids(R"(      include:
        - site: production
          datacenter: site-a
        - site: staging
          datacenter: site-b
)",
                  &result),
              // Keys of a stand-alone include entry that are not axes come in name order.
              ElementsAre("j (site-a, production)", "j (site-b, staging)"));
}

TEST(Matrix, ExcludeRemovesEveryMatchingCombination) {
  // GitHub: "Excluding matrix configurations": 12 combinations, 1 + 2 excluded.
  std::vector<std::string> ids = Ids(R"(      os: [macos-latest, windows-latest]
      version: [12, 14, 16]
      environment: [staging, production]
      exclude:
        - os: macos-latest
          version: 12
          environment: production
        - os: windows-latest
          version: 16
)");
  EXPECT_THAT(ids,
              ElementsAre("j (macos-latest, 12, staging)", "j (macos-latest, 14, staging)",
                          "j (macos-latest, 14, production)", "j (macos-latest, 16, staging)",
                          "j (macos-latest, 16, production)", "j (windows-latest, 12, staging)",
                          "j (windows-latest, 12, production)", "j (windows-latest, 14, staging)",
                          "j (windows-latest, 14, production)"));
}

TEST(Matrix, ExcludeRunsBeforeInclude) {
  // The excluded combination is not there to merge into, so the include entry stands alone;
  // an include may also overwrite a key an earlier include added.
  EXPECT_THAT(Ids(R"(      os: [linux, mac]
      exclude: [{os: mac}]
      include:
        - {os: mac, arch: arm}
        - {flavour: a}
        - {os: linux, flavour: b}
)"),
              ElementsAre("j (linux, b)", "j (mac, arm)"));
}

TEST(Matrix, RepeatedStandaloneIncludesCollapse) {
  EXPECT_THAT(Ids("      include: [{v: 1}, {v: 1}, {v: 2}]\n"), ElementsAre("j (1)", "j (2)"));
}

TEST(Matrix, JobWithoutMatrixHasOneInstance) {
  Job job;
  job.name = "build";
  std::vector<JobInstance> instances = ExpandJob(job);
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].id, "build");
  EXPECT_EQ(instances[0].job, &job);
  EXPECT_TRUE(instances[0].matrix.empty());
}

TEST(Matrix, ExpandJobWorksOnAHandBuiltModel) {
  Job job;
  job.name = "t";
  job.matrix.emplace();
  job.matrix->axes = {{"a", {"1", "2"}}, {"b", {"x"}}};
  job.matrix->exclude = {{{"a", "1"}}};
  std::vector<JobInstance> instances = ExpandJob(job);
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].id, "t (2, x)");
  EXPECT_THAT(instances[0].matrix, ElementsAre(Pair("a", "2"), Pair("b", "x")));
}

}  // namespace
}  // namespace slipway::spec::testing
