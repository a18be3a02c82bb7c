// `slos:`: the model, its defaults, and every problem reported with its position.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"
#include "util/fs.h"

namespace slipway::spec::testing {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Lines 1-7; SLOs start at line 8.
constexpr std::string_view kHead = R"(environments:
  production:
    target: {process: {command: './server --port {port}'}}
  staging:
    target: {process: {command: './server --port {port}'}}
jobs:
  build: {steps: [{run: make}]}
)";

std::string Pipeline(std::string_view slos) {
  return std::string(kHead) + "slos:\n" + std::string(slos);
}

// An SLO body (at 4 spaces) with a valid SLI; `extra` lines come first.
std::string SloWith(std::string_view extra) {
  return "  availability:\n" + std::string(extra) +
         "    sli:\n"
         "      prometheus:\n"
         "        address: http://127.0.0.1:9090\n"
         "        good: 'sum(increase(req{code!~\"5..\"}[${{ window }}]))'\n"
         "        total: 'sum(increase(req[${{ window }}]))'\n";
}

TEST(Slos, AreLoadedIntoTheModel) {
  const std::string yaml = Pipeline(R"(  availability:
    objective: 99.9
    window: 28d
    sli:
      prometheus:
        address: http://127.0.0.1:9090
        good: 'sum(increase(http_requests_total{code!~"5.."}[${{ window }}]))'
        total: sum(increase(http_requests_total[${{window}}]))
        timeout: 3s
    freeze: {environments: [production, staging, production], burn-rate: 1.5}
    alerting: false
)");
  LoadResult result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const Slo* slo = result.pipeline->FindSlo("availability");
  ASSERT_NE(slo, nullptr);
  EXPECT_EQ(slo->objective, 99.9);
  EXPECT_EQ(slo->window, hours(24 * 28));
  ASSERT_TRUE(slo->sli.prometheus);
  EXPECT_EQ(slo->sli.prometheus->address, "http://127.0.0.1:9090");
  EXPECT_EQ(slo->sli.prometheus->good,
            "sum(increase(http_requests_total{code!~\"5..\"}[${{ window }}]))");
  EXPECT_EQ(slo->sli.prometheus->total, "sum(increase(http_requests_total[${{window}}]))");
  EXPECT_EQ(slo->sli.prometheus->timeout, seconds(3));
  EXPECT_THAT(slo->freeze.environments, ElementsAre("production", "staging"));
  EXPECT_EQ(slo->freeze.burn_rate, 1.5);
  EXPECT_FALSE(slo->alerting);
  EXPECT_EQ(slo->pos.line, 9);
  EXPECT_EQ(result.pipeline->FindSlo("latency"), nullptr);
}

TEST(Slos, HaveDefaults) {
  const std::string yaml = Pipeline(SloWith("    objective: 99.5\n"));
  LoadResult result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  ASSERT_EQ(result.pipeline->slos.size(), 1u);
  const Slo& slo = result.pipeline->slos[0];
  EXPECT_EQ(slo.window, hours(24 * 30));
  EXPECT_THAT(slo.freeze.environments, IsEmpty());
  EXPECT_EQ(slo.freeze.burn_rate, 2);
  EXPECT_TRUE(slo.alerting);
  EXPECT_EQ(slo.sli.prometheus->timeout, seconds(5));
}

TEST(Slos, ObjectiveIsRequiredAndAPercentInRange) {
  EXPECT_THAT(Errors(Pipeline(SloWith(""))),
              ElementsAre("p.yml:10:5: SLO 'availability' is missing required key 'objective'"));
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: 0.999\n"))),
              ElementsAre("p.yml:10:16: expected a number between 50 and 99.9999, got 0.999"));
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: 100\n"))),
              ElementsAre("p.yml:10:16: expected a number between 50 and 99.9999, got 100"));
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: '99.9'\n"))),
              ElementsAre("p.yml:10:16: expected a number, got string '99.9'"));
}

TEST(Slos, UnknownKeysAreReported) {
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: 99.9\n    objectve: 99\n"))),
              ElementsAre("p.yml:11:5: unknown key 'objectve' in SLO 'availability' (did you "
                          "mean 'objective'?)"));
  EXPECT_THAT(Errors(Pipeline(R"(  availability:
    objective: 99.9
    sli: {prometheus: {address: http://127.0.0.1:9090, good: 'a[${{ window }}]', total: 'b[${{ window }}]', query: x}}
)")),
              ElementsAre("p.yml:11:109: unknown key 'query' in prometheus SLI (expected address, "
                          "good, total, latency or timeout)"));
}

TEST(Slos, WindowIsADurationInRange) {
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: 99.9\n    window: 30m\n"))),
              ElementsAre("p.yml:11:13: an SLO window must be between 1h and 365d (the usual "
                          "window is 28d or 30d)"));
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: 99.9\n    window: soon\n"))).size(), 1u);
}

TEST(Slos, SliNeedsASource) {
  EXPECT_THAT(Errors(Pipeline("  availability:\n    objective: 99.9\n    sli: {}\n")),
              ElementsAre("p.yml:11:5: sli needs one of 'prometheus'"));
  EXPECT_THAT(Errors(Pipeline("  availability:\n    objective: 99.9\n")),
              ElementsAre("p.yml:10:5: SLO 'availability' is missing required key 'sli'"));
}

TEST(Slos, SliQueriesMayOnlyUseTheWindow) {
  EXPECT_THAT(
      Errors(Pipeline(R"(  availability:
    objective: 99.9
    sli:
      prometheus:
        address: http://127.0.0.1:9090
        good: 'sum(rate(ok{rev="${{ revision }}"}[${{ window }}]))'
        total: sum(rate(all[1h]))
)")),
      ElementsAre("p.yml:14:37: 'revision' is not an SLI variable (an SLI query may only use "
                  "${{ window }}, the PromQL range)",
                  "p.yml:15:16: the 'total' query does not use ${{ window }} (write the range as "
                  "[${{ window }}] so each burn-rate window measures its own range)"));
}

TEST(Slos, FreezeNamesDeclaredEnvironments) {
  EXPECT_THAT(
      Errors(Pipeline(SloWith("    objective: 99.9\n    freeze: {environments: [prod]}\n"))),
      ElementsAre("p.yml:11:29: the freeze names 'prod', which is not an environment (environments "
                  "are production or staging)"));
  EXPECT_THAT(
      Errors(Pipeline(SloWith("    objective: 99.9\n    freeze: {environments: productoin}\n"))),
      ElementsAre("p.yml:11:28: the freeze names 'productoin', which is not an environment (did "
                  "you mean 'production'?)"));
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: 99.9\n    freeze: {burn-rate: 0}\n"))),
              ElementsAre("p.yml:11:25: expected a number between 0.1 and 1000, got 0"));
}

TEST(Slos, NamesAndAlertingAreChecked) {
  EXPECT_THAT(Errors(Pipeline("  9lives:\n    objective: 99\n")),
              ElementsAre("p.yml:9:3: invalid SLO name '9lives' (use letters, digits, '_' and "
                          "'-', starting with a letter or '_')"));
  EXPECT_THAT(Errors(Pipeline(SloWith("    objective: 99.9\n    alerting: yes\n"))),
              ElementsAre(::testing::StartsWith("p.yml:11:15: expected a boolean")));
}

TEST(Slos, ALatencySliIsOneQueryOfTheFractionOfGoodEvents) {
  const std::string yaml = Pipeline(R"(  fast:
    objective: 99
    sli:
      prometheus:
        address: http://127.0.0.1:9090
        latency: {query: 'sum(rate(h_bucket{le="0.3"}[${{ window }}])) / sum(rate(h_count[${{ window }}]))'}
)");
  LoadResult result = ParsePipeline(yaml, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const PrometheusSliSpec& sli = *result.pipeline->slos.at(0).sli.prometheus;
  EXPECT_EQ(sli.latency,
            "sum(rate(h_bucket{le=\"0.3\"}[${{ window }}])) / sum(rate(h_count[${{ window }}]))");
  EXPECT_EQ(sli.good, "");
  EXPECT_EQ(sli.total, "");
}

TEST(Slos, ALatencySliHasNoGoodOrTotal) {
  EXPECT_THAT(Errors(Pipeline(R"(  fast:
    objective: 99
    sli:
      prometheus:
        address: http://127.0.0.1:9090
        latency: {query: 'f[${{ window }}]'}
        good: 'g[${{ window }}]'
)")),
              ElementsAre("p.yml:15:9: prometheus SLI has both 'latency' and 'good' (a latency "
                          "SLI's query answers the fraction of good events by itself)"));
  EXPECT_THAT(Errors(Pipeline(R"(  fast:
    objective: 99
    sli: {prometheus: {address: 'http://127.0.0.1:9090', latency: {query: 'f[5m]'}}}
)")),
              ElementsAre("p.yml:11:75: the 'latency' query does not use ${{ window }} (write the "
                          "range as [${{ window }}] so each burn-rate window measures its own "
                          "range)"));
  EXPECT_THAT(Errors(Pipeline(R"(  fast:
    objective: 99
    sli: {prometheus: {address: 'http://127.0.0.1:9090'}}
)")),
              ElementsAre("p.yml:11:11: prometheus SLI needs 'good' and 'total', or 'latency' "
                          "(good and total count events over [${{ window }}])"));
  EXPECT_THAT(Errors(Pipeline(R"(  fast:
    objective: 99
    sli: {prometheus: {address: 'http://127.0.0.1:9090', good: 'g[${{ window }}]'}}
)")),
              ElementsAre("p.yml:11:23: prometheus SLI is missing required key 'total'"));
}

// docs/slo.md's example is a pipeline the loader accepts, with the values the text describes.
TEST(Slos, TheDocumentedExampleLoads) {
  Result<std::string> doc = ReadFile(std::string(SLIPWAY_SOURCE_DIR) + "/docs/slo.md", 1 << 20);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  const size_t begin = doc->find("```yaml\n");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc->find("```", begin + 8);
  const std::string yaml = doc->substr(begin + 8, end - begin - 8);
  LoadResult result = ParsePipeline(yaml, "slo.md");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(yaml));
  const Slo* slo = result.pipeline->FindSlo("availability");
  ASSERT_NE(slo, nullptr);
  EXPECT_EQ(slo->objective, 99.9);
  EXPECT_THAT(slo->freeze.environments, ElementsAre("production"));
}

}  // namespace
}  // namespace slipway::spec::testing
