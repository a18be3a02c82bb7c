// PrometheusSliSources: an SLO's Prometheus SLI becomes an SliSource whose queries go to the
// SLI's server with the window filled in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/deploy.h"
#include "verify/verify.h"

namespace slipway::deploy {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;

struct Query {
  std::string address, promql;
  bool operator==(const Query&) const = default;
};

spec::Slo SloWith(spec::PrometheusSliSpec prometheus) {
  spec::Slo slo;
  slo.name = "availability";
  slo.objective = 99.9;
  prometheus.address = "http://127.0.0.1:9090";
  slo.sli.prometheus = std::move(prometheus);
  return slo;
}

TEST(PrometheusSliSources, GoodAndTotalQueriesGoToTheSlisServer) {
  std::vector<Query> queries;
  SliSourceFactory factory = PrometheusSliSources(
      [&](const spec::PrometheusSliSpec& server, const std::string& promql) -> Result<double> {
        queries.push_back({server.address, promql});
        return promql.starts_with("good") ? 98.0 : 100.0;
      });
  spec::PrometheusSliSpec prometheus;
  prometheus.good = "good[${{ window }}]";
  prometheus.total = "total[${{ window }}]";
  auto source = factory(SloWith(prometheus));
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_NEAR(source.value()->ErrorRatio(hours(6)).value(), 0.02, 1e-12);
  EXPECT_THAT(queries, ElementsAre(Query{"http://127.0.0.1:9090", "good[6h]"},
                                   Query{"http://127.0.0.1:9090", "total[6h]"}));
}

TEST(PrometheusSliSources, ALatencySliIsOneFractionQuery) {
  SliSourceFactory factory = PrometheusSliSources(
      [](const spec::PrometheusSliSpec&, const std::string& promql) -> Result<double> {
        if (promql != "fast[1h]") return InvalidArgument("unexpected " + promql);
        return 0.9;
      });
  spec::PrometheusSliSpec prometheus;
  prometheus.latency = "fast[${{ window }}]";
  auto source = factory(SloWith(prometheus));
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_NEAR(source.value()->ErrorRatio(hours(1)).value(), 0.1, 1e-12);
}

TEST(PrometheusSliSources, AnSloWithoutAPrometheusSliIsAnError) {
  SliSourceFactory factory = PrometheusSliSources(
      [](const spec::PrometheusSliSpec&, const std::string&) -> Result<double> { return 1.0; });
  spec::Slo slo;
  slo.name = "x";
  EXPECT_EQ(factory(slo).status().message(), "SLO x has no Prometheus SLI");
}

}  // namespace
}  // namespace slipway::deploy
