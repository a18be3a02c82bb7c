// EvaluateSlos and its JSON and Prometheus forms with fake SLI sources: freezes follow the 1h
// burn rate (unknown holds), an unreadable SLO has no numbers but says why, and every metric
// family has its HELP and TYPE once for all projects.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "deploy/deploy.h"

namespace slipway::deploy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The same error ratio over every window; or failing when `ratio` is negative.
class FixedSli : public verify::SliSource {
 public:
  explicit FixedSli(double ratio) : ratio_(ratio) {}
  Result<double> ErrorRatio(std::chrono::milliseconds) override {
    if (ratio_ < 0) return Unavailable("prometheus http://127.0.0.1:1 is down");
    return ratio_;
  }

 private:
  double ratio_;
};

spec::Slo Slo(std::string name, std::vector<std::string> freezes, double burn_rate = 2) {
  spec::Slo slo;
  slo.name = std::move(name);
  slo.objective = 99.9;
  slo.sli.prometheus = spec::PrometheusSliSpec{};
  slo.freeze.environments = std::move(freezes);
  slo.freeze.burn_rate = burn_rate;
  return slo;
}

// Sources by SLO name: the error ratio each answers (negative: down; absent: cannot be built).
SliSourceFactory Sources(std::map<std::string, double> ratios) {
  return [ratios](const spec::Slo& slo) -> Result<std::unique_ptr<verify::SliSource>> {
    auto found = ratios.find(slo.name);
    if (found == ratios.end()) return InvalidArgument("no source for " + slo.name);
    return std::unique_ptr<verify::SliSource>(new FixedSli(found->second));
  };
}

TEST(SloReports, FreezesFollowTheHourlyBurnRateAndUnknownHolds) {
  spec::Pipeline pipeline;
  pipeline.slos = {Slo("checkout", {"production"}),              // burn 3 > 2: holds
                   Slo("search", {"production", "staging"}, 5),  // burn 3 <= 5: does not
                   Slo("down", {"staging"}),                     // unreadable: holds
                   Slo("unbuilt", {})};                          // no source at all
  const std::vector<SloReport> reports =
      EvaluateSlos(pipeline, Sources({{"checkout", 0.003}, {"search", 0.003}, {"down", -1}}));
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[0].status.state, verify::SloState::kTicket);
  EXPECT_EQ(reports[0].frozen, (std::vector<std::pair<std::string, bool>>{{"production", true}}));
  EXPECT_EQ(reports[1].frozen,
            (std::vector<std::pair<std::string, bool>>{{"production", false}, {"staging", false}}));
  EXPECT_EQ(reports[2].status.state, verify::SloState::kUnknown);
  EXPECT_EQ(reports[2].frozen, (std::vector<std::pair<std::string, bool>>{{"staging", true}}));
  EXPECT_EQ(reports[3].status.state, verify::SloState::kUnknown);
  EXPECT_EQ(reports[3].status.error, "no source for unbuilt");

  const nlohmann::json json = nlohmann::json::parse(SloReportsJson(reports));
  ASSERT_EQ(json.size(), 4u);
  EXPECT_EQ(json[0]["name"], "checkout");
  EXPECT_EQ(json[0]["state"], "ticket");
  EXPECT_EQ(json[0]["window"], "30d");
  EXPECT_NEAR(json[0]["budget_remaining"].get<double>(), -2, 1e-9);
  EXPECT_EQ(json[0]["freeze"]["environments"][0]["frozen"], true);
  EXPECT_EQ(json[2]["state"], "unknown");
  EXPECT_TRUE(json[2]["budget_remaining"].is_null()) << "no number when nothing could be read";
  EXPECT_THAT(json[2]["error"].get<std::string>(), HasSubstr("is down"));

  const std::string text = SloMetricsText({{"shop", reports}, {"empty", {}}});
  EXPECT_THAT(text,
              HasSubstr("slipway_slo_up{project=\"shop\",service=\"shop\",slo=\"checkout\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("slipway_slo_up{project=\"shop\",service=\"shop\",slo=\"down\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("slipway_slo_burn_rate{project=\"shop\",service=\"shop\",slo="
                              "\"checkout\",window=\"1h\"} 3\n"));
  // An unreadable SLO has no numbers, only its `up` and objective.
  EXPECT_THAT(text, Not(HasSubstr("slipway_slo_error_budget_remaining{project=\"shop\",service="
                                  "\"shop\",slo=\"down\"}")));
  EXPECT_THAT(text, Not(HasSubstr("slipway_slo_alert_firing{project=\"shop\",service=\"shop\","
                                  "slo=\"down\"")));
  // Per environment: frozen when any SLO holds it.
  EXPECT_THAT(text,
              HasSubstr("slipway_release_frozen{project=\"shop\",environment=\"production\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("slipway_release_frozen{project=\"shop\",environment=\"staging\"} 1\n"));
  size_t helps = 0;
  for (size_t at = text.find("# HELP "); at != std::string::npos;
       at = text.find("# HELP ", at + 1)) {
    ++helps;
  }
  EXPECT_EQ(helps, 6u);
}

TEST(SloReports, WithoutSourcesEverySloIsUnknownNeverHealthy) {
  spec::Pipeline pipeline;
  pipeline.slos = {Slo("checkout", {"production"})};
  const std::vector<SloReport> reports = EvaluateSlos(pipeline, nullptr);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].status.state, verify::SloState::kUnknown);
  EXPECT_EQ(reports[0].status.error, "SLOs are not evaluated here");
  EXPECT_TRUE(reports[0].frozen[0].second);
}

}  // namespace
}  // namespace slipway::deploy
