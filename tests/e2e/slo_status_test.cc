// `slipway slo status` against a real Prometheus scraping a service whose good/total event
// counts the test sets: burn rates, the workbook's alerts, and an SLI that reads nothing; and
// `slipway slo rules`, checked by promtool and loaded into that Prometheus, whose alerts fire.
#include <set>

#include "e2e/e2e_util.h"
#include "util/text_escape.h"
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

// Runs `promtool check ARGS…` on `file`; its exit code and output.
std::pair<int, std::string> Promtool(const std::string& what, const fs::path& file) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "promtool check " + what + " '" + file.string() + "' 2>&1"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.timeout = std::chrono::seconds(30);
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { output += chunk; }, nullptr);
  return {outcome.kind == ProcessOutcome::Kind::kExited ? outcome.exit_code : -1, output};
}

// An instant query's result vector (`data.result`), or null when Prometheus does not answer.
Json Query(const std::string& address, const std::string& promql) {
  http::ClientOptions options;
  options.base_url = address;
  auto client = http::HttpClient::Create(options);
  if (!client.ok()) return nullptr;
  auto answer = (*client)->Send("GET", "/api/v1/query?query=" + PercentEncode(promql));
  if (!answer.ok() || answer->status != 200) return nullptr;
  return Json::parse(answer->body, nullptr, false)["data"]["result"];
}

TEST_F(SloStatus, GeneratedRulesPassPromtoolAndTheirAlertsFireInARealPrometheus) {
  FakeSource service({"/metrics"});
  // checkout burns 15x its budget over every window; search burns nothing.
  service.Answer(200,
                 "checkout_good 985\ncheckout_total 1000\nsearch_good 1000\n"
                 "search_total 1000\n",
                 "text/plain; version=0.0.4");
  const std::string unused = "http://127.0.0.1:1";  // rules do not ask slipway's Prometheus
  Write(".slipway.yml", "name: shop\nslos:\n" +
                            Slo("checkout", unused, "checkout_good", "checkout_total") +
                            Slo("search", unused, "search_good", "search_total") +
                            Slo("quiet", unused, "checkout_good", "checkout_total") +
                            "    alerting: false\n" + "jobs:\n  build: {steps: [{run: 'true'}]}\n");
  const Outcome rules = Slipway({"slo", "rules"});
  ASSERT_EQ(rules.exit_code, 0) << rules.all();
  EXPECT_CONTAINS(rules.out, "slipway-slo-checkout");
  EXPECT_CONTAINS(rules.out, "slipway-slo-search");
  EXPECT_EQ(rules.out.find("slipway-slo-quiet"), std::string::npos) << "alerting: false";
  const fs::path file = root_ / "rules.yml";
  std::ofstream(file) << rules.out;
  const auto [code, output] = Promtool("rules", file);
  EXPECT_EQ(code, 0) << output << rules.out;
  EXPECT_CONTAINS(output, "SUCCESS: 16 rules found");  // 5 records + 3 alerts per SLO

  PrometheusServer prometheus({service.host_port()}, "", rules.out);
  ASSERT_TRUE(prometheus.ok()) << prometheus.error();
  // The alerts fire once the first scrape is in and the rules have run on it.
  std::set<std::string> firing;
  for (int i = 0; i < 80 && firing.size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    firing.clear();
    const Json alerts = Query(prometheus.address(), "ALERTS{alertstate=\"firing\"}");
    if (!alerts.is_array()) continue;
    for (const Json& alert : alerts) {
      const Json& labels = alert["metric"];
      firing.insert(labels.value("alertname", "") + " " + labels.value("slo", "") + " " +
                    labels.value("severity", "") + " " + labels.value("long_window", "") + "&" +
                    labels.value("short_window", "") + " " + labels.value("service", ""));
    }
  }
  EXPECT_EQ(firing, (std::set<std::string>{"SloErrorBudgetBurn checkout page 1h&5m shop",
                                           "SloErrorBudgetBurn checkout page 6h&30m shop",
                                           "SloErrorBudgetBurn checkout ticket 3d&6h shop"}));
  // The recorded error ratio is the SLI's: 1.5% for checkout, 0 for search.
  const Json ratio =
      Query(prometheus.address(), "slipway:slo_errors:ratio_rate1h{slo=\"checkout\"}");
  ASSERT_TRUE(ratio.is_array() && ratio.size() == 1) << ratio.dump();
  EXPECT_NEAR(std::stod(ratio[0]["value"][1].get<std::string>()), 0.015, 1e-9);
  // Each SLO's group is evaluated on its own: search's may not have run yet.
  Json search;
  for (int i = 0; i < 80 && !(search.is_array() && search.size() == 1); ++i) {
    search = Query(prometheus.address(), "slipway:slo_errors:ratio_rate3d{slo=\"search\"}");
    if (!(search.is_array() && search.size() == 1)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  ASSERT_TRUE(search.is_array() && search.size() == 1) << search.dump();
  EXPECT_EQ(std::stod(search[0]["value"][1].get<std::string>()), 0);
}

}  // namespace
}  // namespace slipway::e2e
