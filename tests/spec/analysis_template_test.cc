// `analysis-templates:` and the analyses deploy jobs use: the model, defaults, and every problem
// reported with its position before anything is deployed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::Pair;

// Lines 1-9; templates start at line 10.
constexpr std::string_view kHead = R"(environments:
  production:
    target: {process: {command: './server --port {port}'}}
    router: {proxy: {listen: 127.0.0.1:8080}}
  edge:
    target: {process: {command: './server --port {port}', instances: 2}}
    router: {haproxy: {socket: /run/haproxy.sock, backend: app, servers: 4}}
jobs:
  build: {steps: [{run: make}]}
)";

std::string Pipeline(std::string_view templates, std::string_view jobs = "") {
  return std::string(kHead) + std::string(jobs) + "analysis-templates:\n" + std::string(templates);
}

std::string CanaryJob(std::string_view environment, std::string_view analysis) {
  return "  deploy:\n    deploy:\n      environment: " + std::string(environment) +
         "\n      artifact: app:1\n      strategy:\n        canary:\n          steps:\n" +
         "            - analysis: " + std::string(analysis) + "\n";
}

TEST(AnalysisTemplates, AreLoadedIntoTheModel) {
  const std::string yaml = Pipeline(R"(  canary:
    args: {service: null, threshold: '0.5'}
    interval: 5s
    count: 12
    on-inconclusive: fail
    extend: 3
    metrics:
      - name: errors
        provider: {proxy: {signal: error-rate}}
        judge: {direction: increase, allowed-change: 0.5, confidence: 0.99, critical: true, min-samples: 200}
      - name: latency
        provider:
          prometheus:
            address: http://127.0.0.1:9090
            query: 'histogram_quantile(0.99, rate(x{service="${{ args.service }}",rev="${{ revision }}"}[1m]))'
            range: 2m
            step: 15s
        success-condition: result < double(args.threshold)
        failure-limit: 2
        consecutive-error-limit: 1
      - name: smoke
        provider: {http: {url: 'http://127.0.0.1:8080/health', method: POST, headers: {X-Probe: '1'}}}
        failure-condition: result.status != 200
      - name: script
        provider: {exec: {command: './probe ${{ environment }}', timeout: 3s}}
        success-condition: result == 1
)");
  LoadResult result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const AnalysisTemplate* canary = result.pipeline->FindAnalysisTemplate("canary");
  ASSERT_NE(canary, nullptr);
  EXPECT_THAT(canary->args, ElementsAre(Pair("service", ""), Pair("threshold", "0.5")));
  EXPECT_EQ(canary->interval, seconds(5));
  EXPECT_EQ(canary->count, 12);
  EXPECT_EQ(canary->on_inconclusive, AnalysisTemplate::OnInconclusive::kFail);
  EXPECT_EQ(canary->extend, 3);
  ASSERT_EQ(canary->metrics.size(), 4u);

  const AnalysisMetric& errors = canary->metrics[0];
  ASSERT_TRUE(errors.provider.proxy);
  EXPECT_EQ(errors.provider.proxy->signal, ProxyMetricSpec::Signal::kErrorRate);
  ASSERT_TRUE(errors.judge);
  EXPECT_EQ(errors.judge->bad, JudgeSpec::Direction::kIncrease);
  EXPECT_DOUBLE_EQ(errors.judge->allowed_change, 0.5);
  EXPECT_DOUBLE_EQ(errors.judge->confidence, 0.99);
  EXPECT_TRUE(errors.judge->critical);
  EXPECT_EQ(errors.judge->min_samples, 200);

  const AnalysisMetric& latency = canary->metrics[1];
  ASSERT_TRUE(latency.provider.prometheus);
  EXPECT_EQ(latency.provider.prometheus->address, "http://127.0.0.1:9090");
  EXPECT_EQ(latency.provider.prometheus->range, seconds(120));
  EXPECT_EQ(latency.provider.prometheus->step, seconds(15));
  EXPECT_EQ(latency.success_condition, "result < double(args.threshold)");
  EXPECT_EQ(latency.failure_limit, 2);
  EXPECT_EQ(latency.consecutive_error_limit, 1);
  EXPECT_FALSE(latency.judge);

  ASSERT_TRUE(canary->metrics[2].provider.http);
  EXPECT_EQ(canary->metrics[2].provider.http->method, "POST");
  EXPECT_EQ(canary->metrics[2].failure_condition, "result.status != 200");
  ASSERT_TRUE(canary->metrics[3].provider.exec);
  EXPECT_EQ(canary->metrics[3].provider.exec->timeout, seconds(3));
}

TEST(AnalysisTemplates, DefaultsAreArgoRolloutsLike) {
  const std::string yaml =
      Pipeline("  t:\n    metrics: [{name: m, provider: {proxy: {signal: latency}}, judge: {}}]\n");
  LoadResult result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const AnalysisTemplate& t = *result.pipeline->FindAnalysisTemplate("t");
  EXPECT_EQ(t.interval, seconds(10));
  EXPECT_EQ(t.count, 6);
  EXPECT_FALSE(t.extend.has_value());
  EXPECT_EQ(t.on_inconclusive, AnalysisTemplate::OnInconclusive::kPause);
  const AnalysisMetric& m = t.metrics[0];
  EXPECT_EQ(m.failure_limit, 0);
  EXPECT_EQ(m.inconclusive_limit, 0);
  EXPECT_EQ(m.consecutive_error_limit, 4);
  EXPECT_EQ(m.judge->bad, JudgeSpec::Direction::kIncrease);
  EXPECT_DOUBLE_EQ(m.judge->allowed_change, 0.1);
  EXPECT_DOUBLE_EQ(m.judge->confidence, 0.95);
  EXPECT_EQ(m.judge->min_samples, 20);
}

TEST(AnalysisTemplates, ProblemsAreReportedWithTheirPosition) {
  auto errors = [](std::string_view metric) {
    return Errors(Pipeline("  t:\n    args: {service: null}\n    metrics:\n      - " +
                           std::string(metric) + "\n"));
  };
  // The metric sits on line 14, from column 9.
  EXPECT_THAT(errors("{name: m, provider: {promethus: {}}, judge: {}}"),
              ElementsAre("p.yml:14:19: provider needs one of 'prometheus', 'http', 'exec' or "
                          "'proxy'",
                          "p.yml:14:30: unknown key 'promethus' in provider (did you mean "
                          "'prometheus'?)"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}, judge: {}, "
                     "success-condition: result < 1}"),
              ElementsAre("p.yml:14:9: metric has both 'judge' and a condition (a metric is "
                          "either judged against the baseline or checked by conditions)"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}}"),
              ElementsAre("p.yml:14:9: metric needs 'judge' or "
                          "'success-condition'/'failure-condition' (e.g. success-condition: "
                          "result < 0.01)"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}, success-condition: "
                     "result == (1}"),
              ElementsAre(::testing::StartsWith("p.yml:14:76: invalid expression:")));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}, success-condition: "
                     "reslt == 1}"),
              ElementsAre("p.yml:14:76: 'reslt' is not an analysis variable (did you mean "
                          "'result'?)"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}, success-condition: "
                     "result + 1}"),
              ElementsAre("p.yml:14:76: a condition must be a bool; this one is int (compare "
                          "the result, e.g. result < 0.01)"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}, success-condition: "
                     "result < 'x' + 1}"),
              ElementsAre("p.yml:14:89: found no matching overload for '+' applied to (string, "
                          "int)"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}, success-condition: "
                     "'math.abs(result) < 0.5 && [0.1, 0.2].exists(x, result < x)'}"),
              ::testing::IsEmpty());
  EXPECT_THAT(errors("{name: m, provider: {exec: {command: 'x ${{ args.sevice }}'}}, "
                     "success-condition: result == 1}"),
              ElementsAre("p.yml:14:53: analysis template 't' has no argument 'sevice' "
                          "(declare it under 'args:', e.g. args: {sevice: null})"));
  EXPECT_THAT(errors("{name: m, provider: {http: {url: 'https://x:1/'}}, success-condition: "
                     "result == 1}"),
              ElementsAre("p.yml:14:42: 'https://x:1/' is not an http://HOST:PORT URL (e.g. "
                          "http://127.0.0.1:9090 (https is not supported yet))"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latncy}}, judge: {}}"),
              ElementsAre("p.yml:14:46: expected error-rate or latency, got 'latncy' (did you "
                          "mean 'latency'?)"));
  EXPECT_THAT(errors("{name: m, provider: {proxy: {signal: latency}}, judge: {confidence: 2}}"),
              ElementsAre("p.yml:14:77: expected a number between 0.5 and 0.9999, got 2"));
}

TEST(AnalysisTemplates, StepsMustNameADeclaredTemplateWithItsArguments) {
  const std::string templates = R"(  errors:
    args: {service: null}
    metrics: [{name: m, provider: {proxy: {signal: error-rate}}, judge: {}}]
)";
  // The analysis step sits on line 17; its template name at column 36.
  EXPECT_THAT(Errors(Pipeline(templates, CanaryJob("production", "{template: erors}"))),
              ElementsAre("p.yml:17:36: job 'deploy' uses analysis template 'erors', which is "
                          "not declared (did you mean 'errors'?)"));
  EXPECT_THAT(Errors(Pipeline(templates, CanaryJob("production", "{template: errors}"))),
              ElementsAre("p.yml:17:36: analysis template 'errors' needs argument 'service' "
                          "(add args: {service: VALUE})"));
  EXPECT_THAT(
      Errors(Pipeline(templates,
                      CanaryJob("production", "{template: errors, args: {service: a, x: b}}"))),
      ElementsAre("p.yml:17:36: analysis template 'errors' has no argument 'x'"));
  EXPECT_THAT(Errors(Pipeline(templates, CanaryJob("edge",
                                                   "{template: errors, args: {service: "
                                                   "a}}"))),
              ElementsAre("p.yml:17:36: metric 'm' of analysis template 'errors' reads the "
                          "built-in proxy, and environment 'edge' routes through haproxy "
                          "(measure it with prometheus, http or exec instead)"));
  EXPECT_TRUE(ParsePipeline(Pipeline(templates, CanaryJob("production",
                                                          "{template: errors, "
                                                          "args: {service: a}}")),
                            "p.yml")
                  .ok());
}

// A canary with two steps and `analysis:` beside them (line 19, its value at column 21).
std::string BackgroundJob(std::string_view environment, std::string_view analysis) {
  return "  deploy:\n    deploy:\n      environment: " + std::string(environment) +
         "\n      artifact: app:1\n      strategy:\n        canary:\n          steps:\n" +
         "            - set-weight: 25\n            - pause: 1m\n" +
         "          analysis: " + std::string(analysis) + "\n";
}

TEST(AnalysisTemplates, BackgroundAnalysisIsLoadedBesideTheCanarySteps) {
  const std::string templates = R"(  errors:
    args: {service: null}
    metrics: [{name: m, provider: {proxy: {signal: error-rate}}, judge: {}}]
)";
  const std::string yaml = Pipeline(
      templates,
      BackgroundJob("production", "{template: errors, args: {service: web}, start-after-step: 1}"));
  auto result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const CanaryStrategy& canary = *result.pipeline->FindJob("deploy")->deploy->strategy.canary;
  ASSERT_TRUE(canary.analysis.has_value());
  EXPECT_EQ(canary.analysis->template_name, "errors");
  EXPECT_THAT(canary.analysis->args, ElementsAre(Pair("service", "web")));
  EXPECT_EQ(canary.analysis->start_after_step, 1);
  EXPECT_EQ(canary.steps.size(), 2u);

  // The short form: a template name, started with the canary.
  const std::string short_form = Pipeline(R"(  smoke:
    metrics: [{name: m, provider: {http: {url: 'http://127.0.0.1:1/'}}, success-condition: result.ok}]
)",
                                          BackgroundJob("production", "smoke"));
  auto loaded = ParsePipeline(short_form, "p.yml");
  ASSERT_TRUE(loaded.ok()) << ::testing::PrintToString(Errors(short_form));
  const auto& analysis = loaded.pipeline->FindJob("deploy")->deploy->strategy.canary->analysis;
  ASSERT_TRUE(analysis.has_value());
  EXPECT_EQ(analysis->template_name, "smoke");
  EXPECT_EQ(analysis->start_after_step, 0);
}

TEST(AnalysisTemplates, BackgroundAnalysisProblemsAreReportedWithTheirPosition) {
  const std::string templates = R"(  errors:
    args: {service: null}
    metrics: [{name: m, provider: {proxy: {signal: error-rate}}, judge: {}}]
)";
  auto errors = [&](std::string_view analysis, std::string_view environment = "production") {
    return Errors(Pipeline(templates, BackgroundJob(environment, analysis)));
  };
  EXPECT_THAT(errors("{template: erors, args: {service: a}}"),
              ElementsAre("p.yml:19:32: job 'deploy' uses analysis template 'erors', which is "
                          "not declared (did you mean 'errors'?)"));
  EXPECT_THAT(errors("{template: errors}"),
              ElementsAre("p.yml:19:32: analysis template 'errors' needs argument 'service' "
                          "(add args: {service: VALUE})"));
  EXPECT_THAT(errors("{template: errors, args: {service: a}, start-after-step: 2}"),
              ElementsAre("p.yml:19:78: start-after-step 2 is not before the last of the 2 "
                          "canary steps (the background analysis ends when the rollout is "
                          "promoted after the last step: use 0 to 1)"));
  EXPECT_THAT(errors("{template: errors, args: {service: a}, start-after-step: -1}"),
              ElementsAre("p.yml:19:78: expected an integer between 0 and 1000, got -1"));
  EXPECT_THAT(errors("{args: {service: a}}"),
              ElementsAre(::testing::StartsWith(
                  "p.yml:19:21: background analysis is missing required key 'template'")));
  EXPECT_THAT(errors("{template: errors, args: {service: a}, start-after: 1}"),
              ElementsAre(::testing::StartsWith("p.yml:19:60: unknown key 'start-after'")));
  EXPECT_THAT(errors("{template: errors, args: {service: a}}", "edge"),
              ElementsAre("p.yml:19:32: metric 'm' of analysis template 'errors' reads the "
                          "built-in proxy, and environment 'edge' routes through haproxy "
                          "(measure it with prometheus, http or exec instead)"));
}

}  // namespace
}  // namespace slipway::spec::testing
