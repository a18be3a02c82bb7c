// A pipeline using every feature of the sheet, loaded into the exact model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr std::string_view kPipeline = R"(name: shop
on:
  push:
    branches: [main, 'release/**', '!release/old']
    tags: v*
    paths-ignore: ['docs/**']
  schedule:
    - cron: '0 3 * * 1-5'
    - cron: '@daily'
  manual:
    inputs:
      target:
        type: choice
        description: Where to deploy
        options: [staging, production]
        default: staging
        required: true
      dry-run:
        type: boolean
        default: false
      count:
        type: number
        default: 3
      note: {}
env:
  GREETING: hello ${{ branch }}
  RETRIES: 3
  DEBUG: false
concurrency: deploy-${{ branch }}
jobs:
  build:
    runs-on: [linux, x64]
    outputs: [version]
    timeout: 1h30m
    retry: 2
    cache:
      key: deps-${{ hashFiles('**/package-lock.json') }}
      restore-keys: deps-
      paths: [node_modules, .npm]
    artifacts: dist/**
    steps:
      - run: |
          make build
          echo "version=1.2.3" >> "$SLIPWAY_OUTPUT"
      - name: Package ${{ env.GREETING }}
        run: tar czf dist/app.tgz build
        shell: sh
        working-directory: app/${{ branch }}
        env:
          LEVEL: 9
        timeout: 90s
        continue-on-error: true
        if: always()
  test:
    needs: build
    matrix:
      os: [linux, macos]
      node: [18, 20]
      include:
        - os: linux
          node: 20
          coverage: true
      exclude:
        - os: macos
          node: 18
      fail-fast: false
      max-parallel: 2
    env:
      NODE: ${{ matrix.node }}
    retry:
      max: 3
      on: [failure, infra]
      exit-codes: [1, 137]
    reports:
      junit: reports/**/*.xml
    steps:
      - run: npm test -- --os ${{ matrix.os }}
        if: matrix.coverage == 'true'
  deploy:
    needs: [build, test]
    if: ${{ branch == 'main' && needs.test.result == 'success' }}
    runs-on: prod
    concurrency:
      group: prod
      cancel-in-progress: true
    artifacts:
      paths: [dist/app.tgz]
    cache:
      - key: k1
        paths: a
      - key: k2
        paths: [b, c]
    steps:
      - run: ./deploy ${{ needs.build.outputs.version }} ${{ inputs.target }}
        shell: perl {0}
)";

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = ParsePipeline(kPipeline, "/repo/shop/.slipway.yml");
    for (const Diagnostic& d : result_.diagnostics) ADD_FAILURE() << d.ToString();
    ASSERT_TRUE(result_.ok());
  }
  const Pipeline& pipeline() const { return *result_.pipeline; }
  LoadResult result_;
};

TEST_F(ModelTest, TopLevel) {
  EXPECT_EQ(pipeline().file, "/repo/shop/.slipway.yml");
  EXPECT_EQ(pipeline().name, "shop");
  EXPECT_THAT(pipeline().env, ElementsAre(Pair("GREETING", "hello ${{ branch }}"),
                                          Pair("RETRIES", "3"), Pair("DEBUG", "false")));
  ASSERT_TRUE(pipeline().concurrency.has_value());
  EXPECT_EQ(pipeline().concurrency->group, "deploy-${{ branch }}");
  EXPECT_FALSE(pipeline().concurrency->cancel_in_progress);
  EXPECT_EQ(pipeline().concurrency->pos.line, 29);
  ASSERT_EQ(pipeline().jobs.size(), 3u);
  EXPECT_EQ(pipeline().jobs[0].name, "build");
  EXPECT_EQ(pipeline().jobs[1].name, "test");
  EXPECT_EQ(pipeline().jobs[2].name, "deploy");
  EXPECT_EQ(pipeline().FindJob("test"), &pipeline().jobs[1]);
  EXPECT_EQ(pipeline().FindJob("nope"), nullptr);
}

TEST_F(ModelTest, Triggers) {
  const Triggers& on = pipeline().on;
  ASSERT_TRUE(on.push.has_value());
  EXPECT_THAT(on.push->branches, ElementsAre("main", "release/**", "!release/old"));
  EXPECT_THAT(on.push->tags, ElementsAre("v*"));
  EXPECT_THAT(on.push->paths_ignore, ElementsAre("docs/**"));
  EXPECT_TRUE(on.push->branches_ignore.empty());
  EXPECT_TRUE(on.push->paths.empty());
  EXPECT_EQ(on.push->pos.line, 3);
  ASSERT_EQ(on.schedule.size(), 2u);
  EXPECT_EQ(on.schedule[0].cron, "0 3 * * 1-5");
  EXPECT_EQ(on.schedule[0].pos.line, 8);
  EXPECT_EQ(on.schedule[0].pos.column, 13);
  EXPECT_EQ(on.schedule[1].cron, "@daily");
  EXPECT_TRUE(on.manual);
  ASSERT_EQ(on.inputs.size(), 4u);

  const InputSpec& target = on.inputs[0];
  EXPECT_EQ(target.name, "target");
  EXPECT_EQ(target.type, InputType::kChoice);
  EXPECT_EQ(target.description, "Where to deploy");
  EXPECT_THAT(target.options, ElementsAre("staging", "production"));
  EXPECT_EQ(target.default_value, "staging");
  EXPECT_TRUE(target.required);
  EXPECT_EQ(target.pos.line, 12);
  EXPECT_EQ(target.pos.column, 7);

  EXPECT_EQ(on.inputs[1].name, "dry-run");
  EXPECT_EQ(on.inputs[1].type, InputType::kBoolean);
  EXPECT_EQ(on.inputs[1].default_value, "false");
  EXPECT_FALSE(on.inputs[1].required);
  EXPECT_EQ(on.inputs[2].type, InputType::kNumber);
  EXPECT_EQ(on.inputs[2].default_value, "3");
  EXPECT_EQ(on.inputs[3].name, "note");
  EXPECT_EQ(on.inputs[3].type, InputType::kString);
  EXPECT_FALSE(on.inputs[3].default_value.has_value());
}

TEST_F(ModelTest, BuildJob) {
  const Job& build = pipeline().jobs[0];
  EXPECT_EQ(build.pos.line, 31);
  EXPECT_EQ(build.pos.column, 3);
  EXPECT_TRUE(build.needs.empty());
  EXPECT_EQ(build.if_condition, "");
  EXPECT_THAT(build.runs_on, ElementsAre("linux", "x64"));
  EXPECT_THAT(build.outputs, ElementsAre("version"));
  EXPECT_EQ(build.timeout, milliseconds(90 * 60 * 1000));
  EXPECT_EQ(build.retry.max, 2);
  EXPECT_THAT(build.retry.on,
              ElementsAre(RetryReason::kFailure, RetryReason::kTimeout, RetryReason::kInfra));
  EXPECT_TRUE(build.retry.exit_codes.empty());
  ASSERT_EQ(build.caches.size(), 1u);
  EXPECT_EQ(build.caches[0].key, "deps-${{ hashFiles('**/package-lock.json') }}");
  EXPECT_THAT(build.caches[0].restore_keys, ElementsAre("deps-"));
  EXPECT_THAT(build.caches[0].paths, ElementsAre("node_modules", ".npm"));
  EXPECT_EQ(build.caches[0].pos.line, 37);
  EXPECT_THAT(build.artifacts, ElementsAre("dist/**"));
  EXPECT_FALSE(build.matrix.has_value());
  EXPECT_FALSE(build.concurrency.has_value());
  EXPECT_EQ(build.junit_reports, "");

  ASSERT_EQ(build.steps.size(), 2u);
  const Step& make = build.steps[0];
  EXPECT_EQ(make.name, "make build");  // first line of run
  EXPECT_EQ(make.run, "make build\necho \"version=1.2.3\" >> \"$SLIPWAY_OUTPUT\"\n");
  EXPECT_EQ(make.shell, "");
  EXPECT_EQ(make.if_condition, "");
  EXPECT_FALSE(make.timeout.has_value());
  EXPECT_FALSE(make.continue_on_error);
  EXPECT_EQ(make.pos.line, 42);
  EXPECT_EQ(make.pos.column, 9);

  const Step& package = build.steps[1];
  EXPECT_EQ(package.name, "Package ${{ env.GREETING }}");
  EXPECT_EQ(package.run, "tar czf dist/app.tgz build");
  EXPECT_EQ(package.shell, "sh");
  EXPECT_EQ(package.working_directory, "app/${{ branch }}");
  EXPECT_THAT(package.env, ElementsAre(Pair("LEVEL", "9")));
  EXPECT_EQ(package.timeout, milliseconds(90'000));
  EXPECT_TRUE(package.continue_on_error);
  EXPECT_EQ(package.if_condition, "always()");  // has a status function: kept as written
}

TEST_F(ModelTest, MatrixJob) {
  const Job& test = pipeline().jobs[1];
  EXPECT_THAT(test.needs, ElementsAre("build"));
  EXPECT_EQ(test.timeout, milliseconds(60 * 60 * 1000));  // default
  ASSERT_TRUE(test.matrix.has_value());
  const MatrixSpec& matrix = *test.matrix;
  ASSERT_EQ(matrix.axes.size(), 2u);
  EXPECT_EQ(matrix.axes[0].first, "os");
  EXPECT_THAT(matrix.axes[0].second, ElementsAre("linux", "macos"));
  EXPECT_EQ(matrix.axes[1].first, "node");
  EXPECT_THAT(matrix.axes[1].second, ElementsAre("18", "20"));
  ASSERT_EQ(matrix.include.size(), 1u);
  EXPECT_THAT(matrix.include[0],
              ElementsAre(Pair("coverage", "true"), Pair("node", "20"), Pair("os", "linux")));
  ASSERT_EQ(matrix.exclude.size(), 1u);
  EXPECT_THAT(matrix.exclude[0], ElementsAre(Pair("node", "18"), Pair("os", "macos")));
  EXPECT_FALSE(matrix.fail_fast);
  EXPECT_EQ(matrix.max_parallel, 2);
  EXPECT_EQ(matrix.pos.line, 57);  // the map under `matrix:`
  EXPECT_THAT(test.env, ElementsAre(Pair("NODE", "${{ matrix.node }}")));
  EXPECT_EQ(test.retry.max, 3);
  EXPECT_THAT(test.retry.on, ElementsAre(RetryReason::kFailure, RetryReason::kInfra));
  EXPECT_THAT(test.retry.exit_codes, ElementsAre(1, 137));
  EXPECT_EQ(test.junit_reports, "reports/**/*.xml");
  ASSERT_EQ(test.steps.size(), 1u);
  // No status function: the implicit success() is made explicit.
  EXPECT_EQ(test.steps[0].if_condition, "success() && (matrix.coverage == 'true')");

  std::vector<JobInstance> instances = ExpandJob(test);
  ASSERT_EQ(instances.size(), 3u);
  EXPECT_EQ(instances[0].id, "test (linux, 18)");
  EXPECT_EQ(instances[1].id, "test (linux, 20, true)");
  EXPECT_THAT(instances[1].matrix,
              ElementsAre(Pair("os", "linux"), Pair("node", "20"), Pair("coverage", "true")));
  EXPECT_EQ(instances[2].id, "test (macos, 20)");
  EXPECT_EQ(instances[2].job, &test);
}

TEST_F(ModelTest, DeployJob) {
  const Job& deploy = pipeline().jobs[2];
  EXPECT_THAT(deploy.needs, ElementsAre("build", "test"));
  // The `${{ }}` wrapper is removed and the implicit success() added.
  EXPECT_EQ(deploy.if_condition,
            "success() && (branch == 'main' && needs.test.result == 'success')");
  EXPECT_THAT(deploy.runs_on, ElementsAre("prod"));
  ASSERT_TRUE(deploy.concurrency.has_value());
  EXPECT_EQ(deploy.concurrency->group, "prod");
  EXPECT_TRUE(deploy.concurrency->cancel_in_progress);
  EXPECT_THAT(deploy.artifacts, ElementsAre("dist/app.tgz"));
  ASSERT_EQ(deploy.caches.size(), 2u);
  EXPECT_EQ(deploy.caches[0].key, "k1");
  EXPECT_THAT(deploy.caches[0].paths, ElementsAre("a"));
  EXPECT_EQ(deploy.caches[1].key, "k2");
  EXPECT_THAT(deploy.caches[1].paths, ElementsAre("b", "c"));
  ASSERT_EQ(deploy.steps.size(), 1u);
  EXPECT_EQ(deploy.steps[0].shell, "perl {0}");
  EXPECT_EQ(deploy.steps[0].name,
            "./deploy ${{ needs.build.outputs.version }} ${{ inputs.target }}");
}

TEST_F(ModelTest, ExpandPipelineListsEveryInstanceInFileOrder) {
  std::vector<JobInstance> instances = ExpandPipeline(pipeline());
  std::vector<std::string> ids;
  for (const JobInstance& instance : instances) ids.push_back(instance.id);
  EXPECT_THAT(ids, ElementsAre("build", "test (linux, 18)", "test (linux, 20, true)",
                               "test (macos, 20)", "deploy"));
  EXPECT_TRUE(instances[0].matrix.empty());
  EXPECT_EQ(instances[4].job, &pipeline().jobs[2]);
}

TEST(Model, OnIsAKeyNotABoolean) {
  // YAML 1.1 parsers read a bare `on` as true; the sheet's `on:` must stay a key.
  LoadResult result =
      ParsePipeline("on: [push, manual]\njobs:\n  a:\n    steps: [{run: x}]\n", "p.yml");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.pipeline->on.push.has_value());
  EXPECT_TRUE(result.pipeline->on.manual);
  EXPECT_TRUE(result.pipeline->on.push->branches.empty());

  result = ParsePipeline("on: push\njobs:\n  a:\n    steps: [{run: x}]\n", "p.yml");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.pipeline->on.push.has_value());
  EXPECT_FALSE(result.pipeline->on.manual);

  result = ParsePipeline("on:\n  push:\n  manual:\njobs:\n  a:\n    steps: [{run: x}]\n", "p.yml");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.pipeline->on.push.has_value());
  EXPECT_TRUE(result.pipeline->on.manual);
}

TEST(Model, MissingOnMeansNoTriggers) {
  LoadResult result = ParsePipeline("jobs:\n  a:\n    steps: [{run: x}]\n", "dir/p.yml");
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.pipeline->on.push.has_value());
  EXPECT_FALSE(result.pipeline->on.manual);
  EXPECT_TRUE(result.pipeline->on.schedule.empty());
  EXPECT_EQ(result.pipeline->name, "dir");
}

TEST(Model, ScalarsKeepTheirYamlTextInEnvAndMatrix) {
  LoadResult result = ParsePipeline(R"(env: {A: 1.50, B: true, C: 'x', D: 0x1F}
jobs:
  a:
    matrix: {v: [1.0, false, '3']}
    steps: [{run: x}]
)",
                                    "p.yml");
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result.pipeline->env,
              ElementsAre(Pair("A", "1.50"), Pair("B", "true"), Pair("C", "x"), Pair("D", "0x1F")));
  EXPECT_THAT(result.pipeline->jobs[0].matrix->axes[0].second, ElementsAre("1.0", "false", "3"));
}

TEST(Model, LoadPipelineFileReadsTheFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("spec_model_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "myrepo");
  const std::filesystem::path file = dir / "myrepo" / ".slipway.yml";
  {
    std::ofstream out(file);
    out << "jobs:\n  a:\n    steps: [{run: echo hi}]\n";
  }
  LoadResult result = LoadPipelineFile(file);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.pipeline->name, "myrepo");
  EXPECT_EQ(result.pipeline->file, file.string());
  EXPECT_EQ(result.pipeline->jobs[0].steps[0].run, "echo hi");

  LoadResult missing = LoadPipelineFile(dir / "nope.yml");
  ASSERT_FALSE(missing.ok());
  ASSERT_EQ(missing.diagnostics.size(), 1u);
  EXPECT_EQ(missing.diagnostics[0].pos.line, 0);
  EXPECT_EQ(missing.diagnostics[0].file, (dir / "nope.yml").string());
  EXPECT_NE(missing.diagnostics[0].message.find("No such file"), std::string::npos)
      << missing.diagnostics[0].message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace slipway::spec::testing
