// SLOs on `slipway server`: GET /api/v1/projects/{project}/slos and the gauges on /metrics
// come from the project's pipeline at its default branch, evaluated against a real Prometheus
// scraping a service whose good/total counts the test sets; `slipway slo status --project`
// prints what the server answers.
#include "e2e/server_harness.h"
#include "verify/fake_source.h"
#include "verify/prometheus_server.h"

namespace slipway::e2e {
namespace {

using verify::testing::FakeSource;
using verify::testing::PrometheusServer;

class SloServerTest : public ServerE2eTest {};

std::string Slo(const std::string& name, const std::string& address, const std::string& good,
                const std::string& total) {
  return "  " + name +
         ":\n    objective: 99.9\n    sli:\n      prometheus:\n        address: " + address +
         "\n        good: 'max_over_time(" + good + "[${{ window }}])'\n" +
         "        total: 'max_over_time(" + total + "[${{ window }}])'\n";
}

std::pair<int, std::string> PromtoolCheckMetrics(const fs::path& file) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "promtool check metrics < '" + file.string() + "' 2>&1"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.timeout = std::chrono::seconds(30);
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { output += chunk; }, nullptr);
  return {outcome.kind == ProcessOutcome::Kind::kExited ? outcome.exit_code : -1, output};
}

TEST_F(SloServerTest, TheApiAndMetricsShowBudgetsBurnRatesAlertsAndFreezes) {
  FakeSource service({"/metrics"});
  // checkout: 1.5% bad against a 0.1% budget (burn rate 15: pages, freezes production);
  // search: nothing bad.
  service.Answer(200,
                 "checkout_good 985\ncheckout_total 1000\nsearch_good 1000\n"
                 "search_total 1000\n",
                 "text/plain; version=0.0.4");
  PrometheusServer prometheus({service.host_port()});
  ASSERT_TRUE(prometheus.ok()) << prometheus.error();
  CommitPipeline(
      "name: shop\non:\n  manual:\nenvironments:\n  production:\n    target: {process: "
      "{command: 'sleep 1000'}}\nslos:\n" +
      Slo("checkout", prometheus.address(), "checkout_good", "checkout_total") +
      "    freeze: {environments: [production]}\n" +
      Slo("search", prometheus.address(), "search_good", "search_total") +
      "    freeze: {environments: production, burn-rate: 3}\n" +
      "jobs:\n  build: {steps: [{run: 'true'}]}\n");
  StartServer();
  AddProject("shop");

  // Wait for Prometheus's first scrape.
  ApiAnswer answer;
  for (int i = 0; i < 80; ++i) {
    answer = Call("GET", "/api/v1/projects/shop/slos");
    if (answer.status == 200 && answer.json["slos"].size() == 2 &&
        answer.json["slos"][0]["state"] == "page") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(answer.status, 200) << answer;
  EXPECT_EQ(answer.json["project"], "shop");
  EXPECT_EQ(answer.json["branch"], "main");
  EXPECT_EQ(answer.json["commit"].get<std::string>().size(), 40u);
  const Json& checkout = answer.json["slos"][0];
  EXPECT_EQ(checkout["name"], "checkout");
  EXPECT_EQ(checkout["state"], "page") << checkout.dump(2);
  EXPECT_EQ(checkout["objective"], 99.9);
  EXPECT_EQ(checkout["window"], "30d");
  EXPECT_EQ(checkout["sli"], "good/total");
  EXPECT_NEAR(checkout["budget_remaining"].get<double>(), -14, 1e-6);
  EXPECT_NEAR(checkout["burns"][2]["burn_rate"].get<double>(), 15, 1e-6);
  EXPECT_TRUE(checkout["alerts"][0]["firing"]);
  EXPECT_EQ(checkout["freeze"]["environments"][0]["environment"], "production");
  EXPECT_TRUE(checkout["freeze"]["environments"][0]["frozen"]);
  const Json& search = answer.json["slos"][1];
  EXPECT_EQ(search["state"], "healthy") << search.dump(2);
  EXPECT_EQ(search["budget_remaining"], 1);
  EXPECT_FALSE(search["freeze"]["environments"][0]["frozen"]);
  EXPECT_EQ(search["freeze"]["burn_rate"], 3);

  const ApiAnswer metrics = Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics;
  const std::string labels = "{project=\"shop\",service=\"shop\",slo=\"checkout\"";
  EXPECT_CONTAINS(metrics.body, "slipway_slo_up" + labels + "} 1\n");
  EXPECT_CONTAINS(metrics.body, "slipway_slo_objective_ratio" + labels + "} 0.999\n");
  EXPECT_CONTAINS(metrics.body, "slipway_slo_error_budget_remaining" + labels + "} -14");
  EXPECT_CONTAINS(metrics.body, "slipway_slo_burn_rate" + labels + ",window=\"1h\"} 15");
  EXPECT_CONTAINS(metrics.body,
                  "slipway_slo_alert_firing" + labels +
                      ",severity=\"page\",long_window=\"1h\",short_window=\"5m\"} 1\n");
  EXPECT_CONTAINS(metrics.body,
                  "slipway_slo_error_budget_remaining{project=\"shop\",service=\"shop\",slo="
                  "\"search\"} 1\n");
  EXPECT_CONTAINS(metrics.body,
                  "slipway_release_frozen{project=\"shop\",environment=\"production\"} 1\n");
  const fs::path file = root_ / "metrics.txt";
  std::ofstream(file) << metrics.body;
  const auto [code, output] = PromtoolCheckMetrics(file);
  EXPECT_EQ(code, 0) << output << metrics.body;

  // The CLI asks the server with --project.
  const Outcome status =
      Slipway({"slo", "status", "--project", "shop", "--server", url(), "--token", AdminToken()});
  EXPECT_EQ(status.exit_code, 1) << status.all();  // checkout pages
  EXPECT_CONTAINS(status.out, "checkout: page");
  EXPECT_CONTAINS(status.out, "FIRING page: burn rate >= 14.4 over 1h and 5m");
  EXPECT_CONTAINS(status.out, "release freeze of production: holding deploys");
  EXPECT_CONTAINS(status.out, "search: healthy");
  const Outcome json = Slipway(
      {"slo", "status", "--project", "shop", "--server", url(), "--token", AdminToken(), "--json"});
  ASSERT_TRUE(json.json.is_array()) << json.all();
  // The service's counts do not change: the CLI prints what the API answered.
  EXPECT_EQ(json.json, answer.json["slos"]);
  // --server without --project would silently evaluate the local file: refused.
  const Outcome ambiguous = Slipway({"slo", "status", "--server", url()});
  EXPECT_EQ(ambiguous.exit_code, 2) << ambiguous.all();
  EXPECT_CONTAINS(ambiguous.err, "--project");

  // An unknown project is a 404 naming it; so is the CLI's error.
  EXPECT_EQ(Call("GET", "/api/v1/projects/nope/slos").status, 404);
  const Outcome missing =
      Slipway({"slo", "status", "--project", "nope", "--server", url(), "--token", AdminToken()});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_CONTAINS(missing.all(), "nope");
}

TEST_F(SloServerTest, APipelineThatDoesNotLoadIsReportedNotGuessed) {
  CommitPipeline(
      "slos:\n  x:\n    objective: 120\n    sli: {prometheus: {address: "
      "'http://127.0.0.1:1', good: 'a[${{ window }}]', total: 'b[${{ window }}]'}}\n"
      "jobs:\n  build: {steps: [{run: 'true'}]}\n");
  StartServer();
  AddProject("shop");
  const ApiAnswer answer = Call("GET", "/api/v1/projects/shop/slos");
  EXPECT_EQ(answer.status, 412) << answer;
  EXPECT_CONTAINS(answer.body, ".slipway.yml:3:16:");
  // /metrics still answers, without gauges for that project.
  const ApiAnswer metrics = Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics;
  EXPECT_EQ(metrics.body.find("slipway_slo_up{"), std::string::npos);
}

}  // namespace
}  // namespace slipway::e2e
