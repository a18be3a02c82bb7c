// LoadOptions limits: file size, instances per matrix, instances per pipeline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(Limits, OversizedTextIsRejectedBeforeParsing) {
  LoadOptions options;
  options.max_file_bytes = 16;
  // Not even valid YAML: parsing never starts.
  EXPECT_THAT(Errors("jobs: [[[[[[[[[[[[[[[[[[[[", options),
              ElementsAre("p.yml: the pipeline file is 26 bytes, more than the limit of 16"));
}

TEST(Limits, OversizedFileIsRejectedBeforeReading) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("spec_limits_" + std::to_string(getpid()) + ".yml");
  {
    std::ofstream out(file);
    out << std::string(100, '#');
  }
  LoadOptions options;
  options.max_file_bytes = 50;
  LoadResult result = LoadPipelineFile(file, options);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].pos.line, 0);
  EXPECT_NE(result.diagnostics[0].message.find("limit of 50"), std::string::npos)
      << result.diagnostics[0].message;
  std::filesystem::remove(file);
}

constexpr std::string_view kThreeAxes = R"(jobs:
  build:
    matrix:
      a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      c: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    steps: [{run: x}]
)";

TEST(Limits, MatrixOverTheLimitSaysHowBigItWouldBe) {
  EXPECT_THAT(Errors(kThreeAxes), ElementsAre("p.yml:4:7: matrix of job 'build' expands to 1000 "
                                              "instances, more than the limit of 256"));
  LoadOptions options;
  options.max_matrix_instances = 1000;
  EXPECT_THAT(Errors(kThreeAxes, options), IsEmpty());
  options.max_matrix_instances = 999;
  EXPECT_THAT(Errors(kThreeAxes, options), ElementsAre("p.yml:4:7: matrix of job 'build' expands "
                                                       "to 1000 instances, more than the limit "
                                                       "of 999"));
}

TEST(Limits, ExcludeAndIncludeCountTowardsTheLimit) {
  LoadOptions options;
  options.max_matrix_instances = 3;
  const std::string base =
      "jobs:\n  j:\n    steps: [{run: x}]\n    matrix:\n      a: [1, 2]\n"
      "      b: [x, y]\n";
  EXPECT_THAT(Errors(base, options),
              ElementsAre("p.yml:5:7: matrix of job 'j' expands to 4 instances, more than the "
                          "limit of 3"));
  EXPECT_THAT(Errors(base + "      exclude: [{a: 1, b: x}]\n", options), IsEmpty());
  EXPECT_THAT(Errors(base + "      exclude: [{a: 1, b: x}]\n      include: [{a: 3}]\n", options),
              ElementsAre("p.yml:5:7: matrix of job 'j' expands to 4 instances, more than the "
                          "limit of 3"));
}

TEST(Limits, HugeMatrixIsNotEnumerated) {
  std::string yaml = "jobs:\n  j:\n    steps: [{run: x}]\n    matrix:\n";
  for (char axis = 'a'; axis < 'a' + 10; ++axis) {
    yaml += std::string("      ") + axis + ": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n";
  }
  EXPECT_THAT(Errors(yaml), ElementsAre("p.yml:5:7: matrix of job 'j' has 10000000000 "
                                        "combinations before exclude, more than the limit of "
                                        "256"));
}

TEST(Limits, PipelineInstancesOverMaxJobs) {
  const std::string_view yaml = R"(jobs:
  a:
    matrix: {v: [1, 2]}
    steps: [{run: x}]
  b:
    matrix: {v: [1, 2, 3]}
    steps: [{run: x}]
  c:
    steps: [{run: x}]
)";
  LoadOptions options;
  options.max_jobs = 5;
  EXPECT_THAT(Errors(yaml, options), ElementsAre("p.yml:1:1: the pipeline expands to 6 job "
                                                 "instances, more than the limit of 5"));
  options.max_jobs = 6;
  EXPECT_THAT(Errors(yaml, options), IsEmpty());
}

TEST(Limits, InstanceNamesMustBeDistinct) {
  EXPECT_THAT(Errors("jobs:\n  j:\n    steps: [{run: x}]\n    matrix:\n      include: [{a: 1}, "
                     "{b: 1}]\n"),
              ElementsAre("p.yml:5:7: matrix of job 'j' has two instances named 'j (1)' (give the "
                          "include entries distinct values)"));
}

TEST(Limits, DeepNestingIsAnErrorNotACrash) {
  std::vector<std::string> errors =
      Errors("jobs: " + std::string(10000, '[') + std::string(10000, ']'));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("p.yml:1:"));
  EXPECT_THAT(errors[0], ::testing::HasSubstr("nesting is too deep"));
  // Unbalanced, it is a syntax error at the end of the input, not a crash either.
  EXPECT_THAT(
      Errors("jobs: " + std::string(10000, '[')),
      ElementsAre("p.yml:1:10007: YAML syntax error: while parsing a flow node: did not find "
                  "expected node content"));
}

}  // namespace
}  // namespace slipway::spec::testing
