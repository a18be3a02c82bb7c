// SLO math: error budget, burn rates, the workbook's alerts, and the PromQL-backed SLI source.
// Numbers are worked by hand in the comments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers a fixed error ratio (or error) per window; `otherwise` for windows not listed.
class FakeSli : public SliSource {
 public:
  std::map<milliseconds, Result<double>> ratios;
  double otherwise = 0;
  std::vector<milliseconds> asked;

  Result<double> ErrorRatio(milliseconds window) override {
    asked.push_back(window);
    auto it = ratios.find(window);
    return it == ratios.end() ? Result<double>(otherwise) : it->second;
  }
};

const SloObjective kAvailability{"availability", 99.9, days(30)};

TEST(Slo, ErrorBudgetAndBurnRatesFromTheErrorRatio) {
  FakeSli sli;
  sli.ratios.emplace(hours(1), 0.0144);  // 1.44% / 0.1% budget = 14.4
  sli.ratios.emplace(minutes(5), 0.02);  // 20
  sli.ratios.emplace(days(30), 0.0005);  // half the budget spent
  SloStatus status = EvaluateSlo(kAvailability, sli);
  EXPECT_NEAR(status.error_budget, 0.001, 1e-12);
  EXPECT_NEAR(*status.BurnRateOver(hours(1)), 14.4, 1e-9);
  EXPECT_NEAR(*status.BurnRateOver(minutes(5)), 20, 1e-9);
  EXPECT_EQ(*status.BurnRateOver(hours(6)), 0);
  EXPECT_NEAR(status.slo_window.error_ratio, 0.0005, 1e-12);
  EXPECT_NEAR(status.budget_remaining, 0.5, 1e-9);
  EXPECT_THAT(sli.asked,
              ElementsAre(minutes(5), minutes(30), hours(1), hours(6), days(3), days(30)));
}

TEST(Slo, PagesWhenOneHourAndFiveMinutesBurnAt14Point4) {
  FakeSli sli;
  sli.ratios.emplace(hours(1), 0.0144);
  sli.ratios.emplace(minutes(5), 0.0144);
  SloStatus status = EvaluateSlo(kAvailability, sli);
  EXPECT_EQ(status.state, SloState::kPage);
  ASSERT_EQ(status.alerts.size(), 3u);
  EXPECT_TRUE(status.alerts[0].firing);
  EXPECT_FALSE(status.alerts[1].firing);
  EXPECT_FALSE(status.alerts[2].firing);
  EXPECT_EQ(status.summary,
            "availability (99.9% over 30d): page: burn rate 14.4 over 1h and 14.4 over 5m ≥ "
            "14.4; 100% of the error budget left");
}

TEST(Slo, OneWindowAloneDoesNotPage) {
  FakeSli sli;
  sli.ratios.emplace(hours(1), 0.0143);  // 14.3 over 1h: just below
  sli.ratios.emplace(minutes(5), 0.5);   // a spike of 500 over 5m
  EXPECT_EQ(EvaluateSlo(kAvailability, sli).state, SloState::kHealthy);

  FakeSli recovered;
  recovered.ratios.emplace(hours(1), 0.05);  // 50 over 1h, but it stopped: 0 over 5m
  recovered.ratios.emplace(minutes(5), 0.0);
  EXPECT_EQ(EvaluateSlo(kAvailability, recovered).state, SloState::kHealthy);
}

TEST(Slo, PagesWhenSixHoursAndThirtyMinutesBurnAt6) {
  FakeSli sli;
  sli.ratios.emplace(hours(6), 0.006);  // 0.6% / 0.1% = 6
  sli.ratios.emplace(minutes(30), 0.007);
  SloStatus status = EvaluateSlo(kAvailability, sli);
  EXPECT_EQ(status.state, SloState::kPage);
  EXPECT_FALSE(status.alerts[0].firing);
  EXPECT_TRUE(status.alerts[1].firing);
  EXPECT_THAT(status.summary, HasSubstr("page: burn rate 6 over 6h and 7 over 30m ≥ 6;"));
}

TEST(Slo, TicketsWhenThreeDaysAndSixHoursBurnAtOne) {
  FakeSli sli;
  const SloObjective objective{"latency", 99, days(28)};  // budget 1%
  sli.ratios.emplace(days(3), 0.012);                     // 1.2
  sli.ratios.emplace(hours(6), 0.01);                     // 1
  sli.ratios.emplace(days(28), 0.03);                     // 3: 200% over budget
  SloStatus status = EvaluateSlo(objective, sli);
  EXPECT_EQ(status.state, SloState::kTicket);
  EXPECT_TRUE(status.alerts[2].firing);
  EXPECT_EQ(status.alerts[2].severity, "ticket");
  EXPECT_NEAR(status.budget_remaining, -2, 1e-9);
  EXPECT_EQ(status.summary,
            "latency (99% over 28d): ticket: burn rate 1.2 over 3d and 1 over 6h ≥ 1; -200% of "
            "the error budget left");
}

TEST(Slo, APageOutranksATicket) {
  FakeSli sli;
  sli.otherwise = 0.02;  // 20 everywhere
  SloStatus status = EvaluateSlo(kAvailability, sli);
  EXPECT_EQ(status.state, SloState::kPage);
  EXPECT_TRUE(status.alerts[0].firing && status.alerts[1].firing && status.alerts[2].firing);
}

TEST(Slo, ASourceErrorIsUnknownNeverHealthy) {
  FakeSli sli;
  sli.ratios.emplace(hours(6), Unavailable("prometheus at 127.0.0.1:9090: connection refused"));
  SloStatus status = EvaluateSlo(kAvailability, sli);
  EXPECT_EQ(status.state, SloState::kUnknown);
  EXPECT_EQ(status.error, "error ratio over 6h: prometheus at 127.0.0.1:9090: connection refused");
  EXPECT_EQ(status.summary,
            "availability (99.9% over 30d): unknown: error ratio over 6h: prometheus at "
            "127.0.0.1:9090: connection refused");
  EXPECT_FALSE(status.burns[3].known);
  EXPECT_TRUE(status.burns[2].known);  // the other windows are still shown
  for (const BurnAlert& alert : status.alerts) EXPECT_FALSE(alert.firing);
}

TEST(Slo, AnAnswerThatIsNotARatioIsUnknown) {
  FakeSli sli;
  sli.ratios.emplace(minutes(5), 1.5);
  SloStatus status = EvaluateSlo(kAvailability, sli);
  EXPECT_EQ(status.state, SloState::kUnknown);
  EXPECT_EQ(status.error,
            "error ratio over 5m: the source answered 1.5, not a ratio between 0 "
            "and 1");
}

TEST(Slo, BurnRateOverOneWindow) {
  FakeSli sli;
  sli.ratios.emplace(hours(1), 0.003);
  EXPECT_NEAR(BurnRate(kAvailability, sli, hours(1)).value(), 3, 1e-9);
  sli.ratios.emplace(minutes(5), Unavailable("down"));
  Result<double> failed = BurnRate(kAvailability, sli, minutes(5));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "availability: error ratio over 5m: down");
  EXPECT_EQ(BurnRate({"x", 100, days(30)}, sli, hours(1)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(PromQlRange, UsesTheLargestWholeUnit) {
  EXPECT_EQ(PromQlRange(days(30)), "30d");
  EXPECT_EQ(PromQlRange(hours(72)), "3d");
  EXPECT_EQ(PromQlRange(minutes(90)), "90m");
  EXPECT_EQ(PromQlRange(minutes(5)), "5m");
  EXPECT_EQ(PromQlRange(std::chrono::seconds(45)), "45s");
  EXPECT_EQ(PromQlRange(milliseconds(1500)), "1500ms");
}

TEST(PromQlSli, FillsTheWindowAndDividesGoodByTotal) {
  std::vector<std::string> queries;
  auto source =
      MakePromQlSliSource("sum(increase(ok[${{ window }}]))", "sum(increase(all[${{window}}]))",
                          [&](const std::string& promql) -> Result<double> {
                            queries.push_back(promql);
                            return promql.starts_with("sum(increase(ok") ? 990.0 : 1000.0;
                          });
  ASSERT_TRUE(source.ok()) << source.status().message();
  Result<double> ratio = source.value()->ErrorRatio(hours(1));
  ASSERT_TRUE(ratio.ok()) << ratio.status().message();
  EXPECT_NEAR(ratio.value(), 0.01, 1e-12);
  EXPECT_THAT(queries, ElementsAre("sum(increase(ok[1h]))", "sum(increase(all[1h]))"));
}

TEST(PromQlSli, NoTrafficIsNoErrorsAndSkewIsClamped) {
  double good = 0, total = 0;
  auto source = MakePromQlSliSource(
      "g[${{ window }}]", "t[${{ window }}]",
      [&](const std::string& promql) -> Result<double> { return promql[0] == 'g' ? good : total; });
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(source.value()->ErrorRatio(minutes(5)).value(), 0);
  good = 1001;  // scraped a moment after total
  total = 1000;
  EXPECT_EQ(source.value()->ErrorRatio(minutes(5)).value(), 0);
}

TEST(PromQlSli, QueryErrorsAndGarbageAreErrors) {
  Result<double> answer = Unavailable("no series for `g[5m]`");
  auto source = MakePromQlSliSource("g[${{ window }}]", "t[${{ window }}]",
                                    [&](const std::string&) { return answer; });
  ASSERT_TRUE(source.ok());
  Result<double> failed = source.value()->ErrorRatio(minutes(5));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "SLI good query: no series for `g[5m]`");
  answer = -1.0;
  EXPECT_EQ(source.value()->ErrorRatio(minutes(5)).status().message(),
            "SLI good query `g[5m]` answered -1.000000, not a count of events");
}

TEST(PromQlSli, BadTemplatesAreRejected) {
  auto query = [](const std::string&) -> Result<double> { return 1.0; };
  auto bad = MakePromQlSliSource("g[${{ window ]", "t", query);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("the SLI's good query at column"));
  EXPECT_FALSE(MakePromQlSliSource("g", "t", nullptr).ok());
}

TEST(PromQlLatencySli, TheErrorRatioIsTheShareOfSlowEvents) {
  double fraction = 0.97;  // 97% of requests under the threshold
  std::vector<std::string> queries;
  auto source = MakePromQlFractionSliSource(
      "sum(rate(h_bucket{le=\"0.3\"}[${{ window }}])) / sum(rate(h_count[${{ window }}]))",
      [&](const std::string& promql) -> Result<double> {
        queries.push_back(promql);
        return fraction;
      });
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_NEAR(source.value()->ErrorRatio(minutes(30)).value(), 0.03, 1e-12);
  EXPECT_THAT(queries,
              ElementsAre("sum(rate(h_bucket{le=\"0.3\"}[30m])) / sum(rate(h_count[30m]))"));
  fraction = std::nan("");  // 0/0: no requests in the window
  EXPECT_EQ(source.value()->ErrorRatio(minutes(30)).value(), 0);
  fraction = 1.2;
  EXPECT_EQ(source.value()->ErrorRatio(minutes(30)).status().message(),
            "SLI latency query `sum(rate(h_bucket{le=\"0.3\"}[30m])) / sum(rate(h_count[30m]))` "
            "answered 1.200000, not a fraction between 0 and 1");
}

TEST(PromQlLatencySli, FeedsTheBurnRate) {
  // 99% of requests promised under the threshold; 5.6% slow over 1h → burn 5.6.
  auto source = MakePromQlFractionSliSource(
      "f[${{ window }}]", [](const std::string&) -> Result<double> { return 0.944; });
  ASSERT_TRUE(source.ok());
  EXPECT_NEAR(BurnRate({"latency", 99, days(30)}, *source.value(), hours(1)).value(), 5.6, 1e-9);
  EXPECT_FALSE(MakePromQlFractionSliSource("f[${{ window", [](const std::string&) {
                 return Result<double>(1.0);
               }).ok());
}

}  // namespace
}  // namespace slipway::verify
