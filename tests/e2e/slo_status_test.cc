// `slipway slo status` against a real Prometheus scraping a service whose good/total event
// counts the test sets: burn rates, the workbook's alerts, and an SLI that reads nothing.
#include "e2e/e2e_util.h"
#include "verify/fake_source.h"
#include "verify/prometheus_server.h"

namespace slipway::e2e {
namespace {

using verify::testing::FakeSource;
using verify::testing::PrometheusServer;

class SloStatus : public E2eTest {};

std::string Slo(const std::string& name, const std::string& address, const std::string& good,
                const std::string& total) {
  return "  " + name +
         ":\n    objective: 99.9\n    sli:\n      prometheus:\n        address: " + address +
         "\n        good: 'max_over_time(" + good + "[${{ window }}])'\n" +
         "        total: 'max_over_time(" + total + "[${{ window }}])'\n";
}

TEST_F(SloStatus, BurnRatesAndAlertsFromARealPrometheus) {
  FakeSource service({"/metrics"});
  // 1.5% of events bad against a 0.1% budget: a burn rate of 15 over every window.
  service.Answer(200,
                 "checkout_good 985\ncheckout_total 1000\nsearch_good 1000\n"
                 "search_total 1000\n",
                 "text/plain; version=0.0.4");
  PrometheusServer prometheus({service.host_port()});
  ASSERT_TRUE(prometheus.ok()) << prometheus.error();
  Write(".slipway.yml",
        "slos:\n" + Slo("checkout", prometheus.address(), "checkout_good", "checkout_total") +
            Slo("search", prometheus.address(), "search_good", "search_total") +
            Slo("typo", prometheus.address(), "serch_good", "search_total") +
            "jobs:\n  build: {steps: [{run: 'true'}]}\n");
  // Wait for the first scrape.
  Outcome status;
  for (int i = 0; i < 40; ++i) {
    status = Slipway({"slo", "status", "--json"});
    if (status.json.is_array() && status.json.size() == 3 && status.json[0]["state"] == "page") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(status.json.is_array()) << status.all();
  EXPECT_EQ(status.exit_code, 1) << status.all();  // an SLO pages
  const Json& checkout = status.json[0];
  EXPECT_EQ(checkout["state"], "page") << checkout.dump();
  EXPECT_NEAR(checkout["burns"][2]["burn_rate"].get<double>(), 15, 1e-6);  // 1h
  EXPECT_EQ(checkout["burns"][2]["window"], "1h");
  EXPECT_TRUE(checkout["alerts"][0]["firing"]);              // page: 1h & 5m >= 14.4
  EXPECT_TRUE(checkout["alerts"][1]["firing"]);              // page: 6h & 30m >= 6
  EXPECT_TRUE(checkout["alerts"][2]["firing"]);              // ticket: 3d & 6h >= 1
  EXPECT_LT(checkout["budget_remaining"].get<double>(), 0);  // 15x the budget spent
  EXPECT_EQ(status.json[1]["state"], "healthy") << status.json[1].dump();
  EXPECT_EQ(status.json[1]["budget_remaining"].get<double>(), 1);
  // A misspelt metric reads nothing: unknown, never healthy.
  EXPECT_EQ(status.json[2]["state"], "unknown") << status.json[2].dump();
  EXPECT_CONTAINS(status.json[2]["error"].get<std::string>(), "serch_good");

  const Outcome text = Slipway({"slo", "status"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_CONTAINS(text.out, "checkout: page");
  EXPECT_CONTAINS(text.out, "FIRING page: burn rate >= 14.4 over 1h and 5m");
  EXPECT_CONTAINS(text.out, "search: healthy");
}

TEST_F(SloStatus, ABadFileIsReportedWithItsPosition) {
  Write(".slipway.yml",
        "slos:\n  x:\n    objective: 120\n    sli: {prometheus: {address: "
        "'http://127.0.0.1:1', good: 'a[${{ window }}]', total: 'b[${{ window "
        "}}]'}}\njobs:\n  build: {steps: [{run: 'true'}]}\n");
  const Outcome status = Slipway({"slo", "status"});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_CONTAINS(status.err, ".slipway.yml:3:16:");
}

}  // namespace
}  // namespace slipway::e2e
