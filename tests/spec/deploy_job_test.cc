// Jobs with `deploy:`: the model, the strategies' defaults, and every problem with its position.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kEnvironments = R"(environments:
  staging:
    target: {process: {command: './server --port {port}'}}
  production:
    target: {process: {command: './server --port {port}', instances: 2}}
    router: {proxy: {listen: 127.0.0.1:8080}}
)";

// Declared after the jobs, so that positions in the jobs do not depend on them.
constexpr std::string_view kTemplates = R"(analysis-templates:
  error-rate:
    metrics: [{name: errors, provider: {proxy: {signal: error-rate}}, judge: {}}]
  smoke:
    metrics: [{name: up, provider: {http: {url: 'http://127.0.0.1:1/'}}, success-condition: result.status == 200}]
)";

std::string WithJobs(std::string_view jobs) {
  return std::string(kEnvironments) + "jobs:\n  build:\n    outputs: [image]\n" +
         "    steps: [{run: make}]\n" + std::string(jobs) + std::string(kTemplates);
}

TEST(DeployJobs, CanaryIsLoadedIntoTheModel) {
  const std::string yaml = WithJobs(R"(  deploy-prod:
    needs: [build]
    if: branch == 'main'
    concurrency: production
    deploy:
      environment: production
      artifact: ${{ needs.build.outputs.image }}
      strategy:
        canary:
          steps:
            - set-weight: 5
            - pause: 30s
            - analysis: {}
            - set-weight: 25
            - pause: {}
            - pause: {duration: 1m}
            - pause:
            - analysis: {template: error-rate}
            - analysis:
            - set-weight: 100
)");
  LoadResult result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const Job* job = result.pipeline->FindJob("deploy-prod");
  ASSERT_NE(job, nullptr);
  EXPECT_THAT(job->steps, IsEmpty());
  EXPECT_THAT(job->needs, ElementsAre("build"));
  EXPECT_EQ(job->if_condition, "success() && (branch == 'main')");
  ASSERT_TRUE(job->concurrency);
  EXPECT_EQ(job->concurrency->group, "production");
  ASSERT_TRUE(job->deploy);
  const DeploySpec& deploy = *job->deploy;
  EXPECT_EQ(deploy.environment, "production");
  EXPECT_EQ(deploy.artifact, "${{ needs.build.outputs.image }}");
  EXPECT_EQ(deploy.pos.line, 15);
  EXPECT_EQ(deploy.pos.column, 5);
  EXPECT_FALSE(deploy.strategy.rolling);
  EXPECT_FALSE(deploy.strategy.blue_green);
  ASSERT_TRUE(deploy.strategy.canary);
  EXPECT_EQ(deploy.strategy.canary->pos.line, 19);
  EXPECT_EQ(deploy.strategy.canary->pos.column, 9);
  const std::vector<CanaryStep>& steps = deploy.strategy.canary->steps;
  ASSERT_EQ(steps.size(), 10u);
  using Kind = CanaryStep::Kind;
  EXPECT_EQ(steps[0].kind, Kind::kSetWeight);
  EXPECT_EQ(steps[0].weight, 5);
  EXPECT_EQ(steps[0].pos.line, 21);
  EXPECT_EQ(steps[0].pos.column, 15);
  EXPECT_EQ(steps[1].kind, Kind::kPause);
  EXPECT_EQ(steps[1].pause, seconds(30));
  EXPECT_EQ(steps[2].kind, Kind::kAnalysis);
  EXPECT_EQ(steps[2].analysis, "");
  EXPECT_EQ(steps[3].weight, 25);
  EXPECT_EQ(steps[4].kind, Kind::kPause);
  EXPECT_EQ(steps[4].pause, std::nullopt);  // until approved
  EXPECT_EQ(steps[5].pause, minutes(1));
  EXPECT_EQ(steps[6].kind, Kind::kPause);
  EXPECT_EQ(steps[6].pause, std::nullopt);
  EXPECT_EQ(steps[7].kind, Kind::kAnalysis);
  EXPECT_EQ(steps[7].analysis, "error-rate");
  EXPECT_EQ(steps[8].kind, Kind::kAnalysis);
  EXPECT_EQ(steps[8].analysis, "");
  EXPECT_EQ(steps[9].kind, Kind::kSetWeight);
  EXPECT_EQ(steps[9].weight, 100);
}

TEST(DeployJobs, StrategiesAndTheirDefaults) {
  const std::string yaml = WithJobs(R"(  default:
    deploy: {environment: staging, artifact: hello/app:1.4.2}
  rolling:
    deploy:
      environment: staging
      artifact: hello/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      strategy: {rolling: {batch-size: 2, max-unavailable: 1}}
  rolling-null:
    deploy:
      environment: staging
      artifact: hello/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      strategy: {rolling: }
  blue-green:
    deploy:
      environment: production
      artifact: app:${{ branch }}
      strategy:
        blue-green: {pre-promotion-analysis: smoke, scale-down-delay: 5m, auto-promote: false}
  blue-green-defaults:
    deploy:
      environment: production
      artifact: app:latest
      strategy: {blue-green: {}}
)");
  LoadResult result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const Pipeline& pipeline = *result.pipeline;

  const DeploySpec& implicit = *pipeline.FindJob("default")->deploy;
  EXPECT_EQ(implicit.artifact, "hello/app:1.4.2");
  ASSERT_TRUE(implicit.strategy.rolling);  // the default, filled in by the loader
  EXPECT_FALSE(implicit.strategy.canary);
  EXPECT_FALSE(implicit.strategy.blue_green);
  EXPECT_EQ(implicit.strategy.rolling->batch_size, 1);
  EXPECT_EQ(implicit.strategy.rolling->max_unavailable, 0);

  const DeploySpec& rolling = *pipeline.FindJob("rolling")->deploy;
  ASSERT_TRUE(rolling.strategy.rolling);
  EXPECT_EQ(rolling.strategy.rolling->batch_size, 2);
  EXPECT_EQ(rolling.strategy.rolling->max_unavailable, 1);
  ASSERT_TRUE(pipeline.FindJob("rolling-null")->deploy->strategy.rolling);

  const DeploySpec& blue_green = *pipeline.FindJob("blue-green")->deploy;
  ASSERT_TRUE(blue_green.strategy.blue_green);
  EXPECT_FALSE(blue_green.strategy.rolling);
  EXPECT_EQ(blue_green.strategy.blue_green->pre_promotion_analysis, "smoke");
  EXPECT_EQ(blue_green.strategy.blue_green->scale_down_delay, minutes(5));
  EXPECT_FALSE(blue_green.strategy.blue_green->auto_promote);

  const BlueGreenStrategy& defaults =
      *pipeline.FindJob("blue-green-defaults")->deploy->strategy.blue_green;
  EXPECT_EQ(defaults.pre_promotion_analysis, "");
  EXPECT_EQ(defaults.scale_down_delay, seconds(30));
  EXPECT_TRUE(defaults.auto_promote);
}

TEST(DeployJobs, LiteralArtifactsAreRegistryReferences) {
  auto artifact = [](std::string_view value) {
    return Errors(WithJobs(
        "  d:\n    deploy: {environment: staging, artifact: " + std::string(value) + "}\n"));
  };
  const std::string hint =
      " (use REPOSITORY:TAG or REPOSITORY@sha256:DIGEST of slipway's registry, or ./PATH in the "
      "job's workspace, e.g. hello/app:1.4.2)";
  EXPECT_THAT(artifact("hello/app"),
              ElementsAre("p.yml:12:46: artifact 'hello/app' names no tag or digest" + hint));
  EXPECT_THAT(artifact("Hello/App:1"),
              ElementsAre("p.yml:12:46: artifact 'Hello/App:1' does not start with a repository "
                          "name" +
                          hint));
  EXPECT_THAT(artifact("app@sha256:abc"),
              ElementsAre("p.yml:12:46: artifact 'app@sha256:abc' has an invalid digest" + hint));
  EXPECT_THAT(artifact("'app:-x'"),
              ElementsAre("p.yml:12:46: artifact 'app:-x' has an invalid tag" + hint));
  EXPECT_THAT(artifact("'localhost:5000/app:1'"),
              ElementsAre("p.yml:12:46: artifact 'localhost:5000/app:1' does not start with a "
                          "repository name" +
                          hint));
  EXPECT_THAT(artifact("./dist/app.tar.gz"), ElementsAre());
  EXPECT_THAT(artifact("./dist/../../etc"),
              ElementsAre("p.yml:12:46: artifact './dist/../../etc' leaves the workspace (name a "
                          "path inside the job's workspace, without '..')"));
  EXPECT_THAT(artifact("1.0"), ElementsAre("p.yml:12:46: expected a string, got number 1.0 (quote "
                                           "it to use it as text: '1.0')"));
}

TEST(DeployJobs, ArtifactTemplatesAreCheckedLikeOtherTemplates) {
  EXPECT_THAT(Errors(WithJobs("  d:\n    needs: build\n    deploy:\n      environment: staging\n"
                              "      artifact: ${{ needs.build.outputs.imag }}\n")),
              ElementsAre("p.yml:15:21: job 'build' has no output 'imag' (did you mean "
                          "'image'?)"));
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy:\n      environment: staging\n"
                              "      artifact: app:${{ needs.build.outputs.image }}\n")),
              ElementsAre("p.yml:14:25: job 'd' does not need 'build' (add 'build' to its "
                          "needs)"));
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy:\n      environment: staging\n"
                              "      artifact: app:${{ hashFiles('x') }}\n")),
              ElementsAre("p.yml:14:25: 'hashFiles()' is only allowed in cache key and "
                          "restore-keys"));
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy:\n      environment: staging\n"
                              "      artifact: app:${{ branch ==  }}\n")),
              ElementsAre("p.yml:14:36: invalid expression: unexpected end of expression"));
}

TEST(DeployJobs, TheEnvironmentMustExist) {
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy: {environment: prodution, artifact: a:1}\n")),
              ElementsAre("p.yml:12:27: job 'd' deploys to 'prodution', which is not an "
                          "environment (did you mean 'production'?)"));
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy: {environment: qa, artifact: a:1}\n")),
              ElementsAre("p.yml:12:27: job 'd' deploys to 'qa', which is not an environment "
                          "(environments are staging or production)"));
  EXPECT_THAT(Errors("jobs:\n  d:\n    deploy: {environment: qa, artifact: a:1}\n"),
              ElementsAre("p.yml:3:27: job 'd' deploys to 'qa', which is not an environment "
                          "(declare it under environments:)"));
  // A broken environment is reported once, where it is broken.
  EXPECT_THAT(Errors("environments:\n  qa: {target: {}}\n"
                     "jobs:\n  d:\n    deploy: {environment: qa, artifact: a:1}\n"),
              ElementsAre("p.yml:2:8: target needs one of 'process' or 'exec'"));
}

TEST(DeployJobs, TrafficShiftingStrategiesNeedARouter) {
  EXPECT_THAT(
      Errors(WithJobs("  d:\n    deploy:\n      environment: staging\n      artifact: a:1\n"
                      "      strategy:\n        canary:\n          steps: [{set-weight: 100}]\n"
                      "  e:\n    deploy:\n      environment: staging\n      artifact: a:1\n"
                      "      strategy: {blue-green: {}}\n"
                      "  f:\n    deploy:\n      environment: staging\n      artifact: a:1\n"
                      "      strategy: {rolling: {}}\n")),
      ElementsAre("p.yml:16:9: a canary deploy shifts traffic, and environment 'staging' has no "
                  "router (add router: with proxy: or haproxy: to environment 'staging', or use "
                  "rolling)",
                  "p.yml:22:18: a blue-green deploy shifts traffic, and environment 'staging' has "
                  "no router (add router: with proxy: or haproxy: to environment 'staging', or "
                  "use rolling)"));
}

TEST(DeployJobs, ExactlyOneStrategy) {
  auto strategy = [](std::string_view body) {
    return Errors(
        WithJobs("  d:\n    deploy:\n      environment: production\n"
                 "      artifact: a:1\n      strategy:" +
                 std::string(body)));
  };
  EXPECT_THAT(strategy(" {}\n"),
              ElementsAre("p.yml:15:7: strategy needs one of 'rolling', 'blue-green' or "
                          "'canary'"));
  EXPECT_THAT(strategy("\n        rolling: {}\n        blue-green: {}\n"),
              ElementsAre("p.yml:17:9: strategy has both 'rolling' and 'blue-green' (keep one of "
                          "them)"));
  EXPECT_THAT(strategy("\n        canray: {steps: [{set-weight: 100}]}\n"),
              ElementsAre("p.yml:15:7: strategy needs one of 'rolling', 'blue-green' or 'canary'",
                          "p.yml:16:9: unknown key 'canray' in strategy (did you mean "
                          "'canary'?)"));
  EXPECT_THAT(strategy(" canary\n"),
              ElementsAre("p.yml:15:17: expected a map, got string 'canary'"));
}

TEST(DeployJobs, CanarySteps) {
  auto canary = [](std::string_view steps) {
    return Errors(
        WithJobs("  d:\n    deploy:\n      environment: production\n"
                 "      artifact: a:1\n      strategy:\n        canary:\n" +
                 std::string(steps)));
  };
  EXPECT_THAT(canary("          steps: []\n"),
              ElementsAre("p.yml:17:18: a canary needs at least one step (e.g. [{set-weight: 10}, "
                          "{pause: 1m}, {set-weight: 100}])"));
  EXPECT_THAT(canary("          stpes: []\n"),
              ElementsAre("p.yml:17:11: unknown key 'stpes' in canary (did you mean 'steps'?)",
                          "p.yml:17:11: canary is missing required key 'steps'"));
  EXPECT_THAT(
      canary("          steps:\n"
             "            - setWeight: 5\n"
             "            - set-weight: 101\n"
             "            - set-weight: '5'\n"
             "            - {set-weight: 5, pause: 1m}\n"
             "            - pause: 0s\n"
             "            - pause: {duration: 1m, until: approved}\n"
             "            - analysis: {templates: [{templateName: x}]}\n"
             "            - analysis: {template: 'error rate'}\n"
             "            - {}\n"),
      ElementsAre("p.yml:18:15: unknown key 'setWeight' in canary step (did you mean "
                  "'set-weight'?)",
                  "p.yml:18:15: canary step needs one of 'set-weight', 'pause' or 'analysis'",
                  "p.yml:19:27: expected an integer between 0 and 100, got 101",
                  "p.yml:20:27: expected an integer, got string '5'",
                  "p.yml:21:31: canary step has both 'set-weight' and 'pause' (keep one of them)",
                  "p.yml:22:22: duration '0s' must be greater than 0",
                  "p.yml:23:37: unknown key 'until' in pause (expected duration)",
                  "p.yml:24:26: unknown key 'templates' in analysis (did you mean 'template'?)",
                  "p.yml:25:36: invalid analysis template name 'error rate' (use letters, "
                  "digits, '_' and '-', starting with a letter or '_')",
                  "p.yml:26:15: canary step needs one of 'set-weight', 'pause' or "
                  "'analysis'"));
}

TEST(DeployJobs, RollingAndBlueGreenFields) {
  auto strategy = [](std::string_view body) {
    return Errors(
        WithJobs("  d:\n    deploy:\n      environment: production\n"
                 "      artifact: a:1\n      strategy:\n" +
                 std::string(body)));
  };
  EXPECT_THAT(strategy("        rolling: {batch-size: 0, max-unavailable: 65, surge: 1}\n"),
              ElementsAre("p.yml:16:31: expected an integer between 1 and 64, got 0",
                          "p.yml:16:51: expected an integer between 0 and 64, got 65",
                          "p.yml:16:55: unknown key 'surge' in rolling (expected batch-size or "
                          "max-unavailable)"));
  EXPECT_THAT(
      strategy("        blue-green:\n          scale-down-delay: 30\n          auto-promote: yes\n"
               "          pre-promotion-analysis: [a]\n          autoPromote: true\n"),
      ElementsAre(
          "p.yml:17:29: duration '30' has no unit (add a unit, e.g. 30s or 10m)",
          "p.yml:18:25: expected a boolean, got string 'yes' (use true or false)",
          "p.yml:19:35: expected a template name or {template: NAME, args: {…}}, got a list",
          "p.yml:20:11: unknown key 'autoPromote' in blue-green (did you mean "
          "'auto-promote'?)"));
}

TEST(DeployJobs, ADeployJobRunsNoSteps) {
  EXPECT_THAT(
      Errors(WithJobs("  d:\n    runs-on: linux\n    matrix: {region: [eu, us]}\n"
                      "    timeout: 1h\n    retry: 2\n    env: {A: b}\n"
                      "    steps: [{run: ./deploy.sh}]\n"
                      "    deploy: {environment: staging, artifact: a:1}\n")),
      ElementsAre("p.yml:12:5: deploy job 'd' cannot have 'runs-on' (a deploy job has needs, if, "
                  "concurrency or deploy)",
                  "p.yml:13:5: deploy job 'd' cannot have 'matrix' (write one deploy job per "
                  "environment)",
                  "p.yml:14:5: deploy job 'd' cannot have 'timeout' (a deploy job has needs, if, "
                  "concurrency or deploy)",
                  "p.yml:15:5: deploy job 'd' cannot have 'retry' (a deploy job has needs, if, "
                  "concurrency or deploy)",
                  "p.yml:16:5: deploy job 'd' cannot have 'env' (a deploy job has needs, if, "
                  "concurrency or deploy)",
                  "p.yml:17:5: deploy job 'd' cannot have 'steps' (run them in a job that the "
                  "deploy job needs)"));
  // A broken `deploy` is not also a job without steps.
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy:\n")),
              ElementsAre("p.yml:12:5: expected a map, got null"));
  EXPECT_THAT(Errors(WithJobs("  d:\n    deplyo: {environment: staging, artifact: a:1}\n")),
              ElementsAre("p.yml:11:3: job 'd' has no steps (add steps: with at least one step "
                          "with 'run')",
                          "p.yml:12:5: unknown key 'deplyo' in job 'd' (did you mean "
                          "'deploy'?)"));
}

TEST(DeployJobs, DeployJobsTakePartInTheNeedsGraph) {
  EXPECT_THAT(Errors(WithJobs("  d:\n    needs: [buld]\n"
                              "    deploy: {environment: staging, artifact: a:1}\n"
                              "  after:\n    needs: d\n    steps: [{run: ./smoke-test}]\n")),
              ElementsAre("p.yml:12:13: job 'd' needs 'buld', which is not a job (did you mean "
                          "'build'?)"));
}

// Every problem is reported in one pass: a broken part of an environment or of a deploy does
// not hide the checks of the other parts.
TEST(DeployJobs, ProblemsInOnePartDoNotHideTheOthers) {
  EXPECT_THAT(
      Errors("environments:\n"
             "  staging:\n"
             "    target: {process: {command: ./server, instances: 0}}\n"
             "  production:\n"
             "    promote-from: [stagign]\n"
             "    target: {process: {command: ./server}}\n"
             "    router: {proxy: {listen: ':8080'}}\n"
             "jobs:\n"
             "  d:\n"
             "    deploy:\n"
             "      environment: prodution\n"
             "      artifact: a:1\n"
             "      strategy: {canary: {steps: [{setWeight: 5}]}}\n"
             "  e:\n"
             "    deploy: {environment: production, artifact: a:1, strategy: {canary: {steps: "
             "[{set-weight: 100}]}}}\n"),
      ElementsAre("p.yml:3:54: expected an integer between 1 and 64, got 0",
                  "p.yml:5:20: environment 'production' promotes from 'stagign', which is not an "
                  "environment (did you mean 'staging'?)",
                  "p.yml:7:30: ':8080' has no host (e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for "
                  "every interface)",
                  "p.yml:11:20: job 'd' deploys to 'prodution', which is not an environment (did "
                  "you mean 'production'?)",
                  "p.yml:13:35: canary step needs one of 'set-weight', 'pause' or 'analysis'",
                  "p.yml:13:36: unknown key 'setWeight' in canary step (did you mean "
                  "'set-weight'?)"));
}

TEST(DeployJobs, DeployFieldsAreRequiredAndChecked) {
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy: {}\n")),
              ElementsAre("p.yml:12:13: deploy is missing required key 'environment'",
                          "p.yml:12:13: deploy is missing required key 'artifact'"));
  EXPECT_THAT(Errors(WithJobs("  d:\n    deploy: {environment: staging, artifact: ' ', env: x}\n")),
              ElementsAre("p.yml:12:46: 'artifact' must not be empty (e.g. ${{ "
                          "needs.build.outputs.image }} or hello/app:1.4.2)",
                          "p.yml:12:51: unknown key 'env' in deploy (expected environment, "
                          "artifact or strategy)"));
}

}  // namespace
}  // namespace slipway::spec::testing
