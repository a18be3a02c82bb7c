// PrometheusRulesYaml: only SLOs with alerting: true get a group; the window is filled into
// each SLI template; latency SLIs use their fraction; a template that does not render is an
// error naming the SLO. (tests/e2e/slo_status_test.cc runs promtool and Prometheus on it.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

spec::Slo Slo(std::string name, bool alerting) {
  spec::Slo slo;
  slo.name = std::move(name);
  slo.objective = 99.5;
  slo.alerting = alerting;
  slo.sli.prometheus = spec::PrometheusSliSpec{};
  slo.sli.prometheus->good = "sum(increase(ok_total[${{ window }}]))";
  slo.sli.prometheus->total = "sum(increase(all_total[${{ window }}]))";
  return slo;
}

TEST(SloRules, OneGroupPerAlertingSloWithRecordsAndWorkbookAlerts) {
  spec::Slo latency = Slo("latency", true);
  latency.sli.prometheus->good.clear();
  latency.sli.prometheus->total.clear();
  latency.sli.prometheus->latency =
      "sum(rate(h_bucket{le=\"0.3\"}[${{ window }}])) / "
      "sum(rate(h_count[${{ window }}]))";
  const std::vector<spec::Slo> slos = {Slo("availability", true), Slo("quiet", false), latency};
  Result<std::string> rules = PrometheusRulesYaml(slos, "shop");
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  const std::string& yaml = rules.value();
  EXPECT_THAT(yaml, HasSubstr("  - name: \"slipway-slo-availability\"\n"));
  EXPECT_THAT(yaml, HasSubstr("  - name: \"slipway-slo-latency\"\n"));
  EXPECT_THAT(yaml, Not(HasSubstr("quiet")));
  EXPECT_THAT(yaml, HasSubstr("expr: \"1 - (sum(increase(ok_total[30m]))) / "
                              "(sum(increase(all_total[30m])))\""));
  EXPECT_THAT(yaml, HasSubstr("expr: \"1 - (sum(rate(h_bucket{le=\\\"0.3\\\"}[3d])) / "
                              "sum(rate(h_count[3d])))\""));
  // 99.5%: a budget of 0.005.
  EXPECT_THAT(yaml, HasSubstr("slipway:slo_errors:ratio_rate6h{slo=\\\"availability\\\","
                              "service=\\\"shop\\\"} >= (6 * 0.005) and "
                              "slipway:slo_errors:ratio_rate30m{slo=\\\"availability\\\","
                              "service=\\\"shop\\\"} >= (6 * 0.005)"));
  EXPECT_THAT(yaml, HasSubstr("          severity: \"ticket\"\n          long_window: \"3d\"\n"
                              "          short_window: \"6h\"\n"));
}

TEST(SloRules, NoAlertingSloGivesAnEmptyRulesFile) {
  const std::vector<spec::Slo> slos = {Slo("quiet", false)};
  Result<std::string> rules = PrometheusRulesYaml(slos, "shop");
  ASSERT_TRUE(rules.ok());
  EXPECT_THAT(rules.value(), HasSubstr("groups: []\n"));
}

TEST(SloRules, ATemplateThatDoesNotRenderNamesTheSlo) {
  spec::Slo broken = Slo("availability", true);
  broken.sli.prometheus->good = "sum(x[${{ windw }}])";
  const std::vector<spec::Slo> slos = {broken};
  Result<std::string> rules = PrometheusRulesYaml(slos, "shop");
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), HasSubstr("SLO availability"));
}

}  // namespace
}  // namespace slipway::verify
