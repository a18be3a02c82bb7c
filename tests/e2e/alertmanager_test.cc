// Alerts from a real Alertmanager (Debian's prometheus-alertmanager) reach `slipway server`
// through its webhook receiver with a bearer token: a firing alert for the deployed service
// opens an incident, its resolution resolves it, a critical alert during a canary rolls the
// canary back, an alert for an unknown service is stored and does nothing. A real Prometheus
// scrapes the server's /metrics with a token.
#include <spawn.h>

#include "e2e/canary_service.h"
#include "util/rfc3339.h"

namespace slipway::e2e {
namespace {

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";
constexpr char kPrometheus[] = "/usr/bin/prometheus";

// A program other than slipway, its output in `log`; killed and reaped on destruction.
class Child {
 public:
  Child(std::vector<std::string> argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, c_argv[0], &actions, nullptr, c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid_ = -1;
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// One HTTP exchange with a program the test started (status 0 when it does not answer).
ApiAnswer Send(const std::string& base_url, const std::string& method, const std::string& path,
               const std::string& body = "") {
  http::ClientOptions options;
  options.base_url = base_url;
  auto client = http::HttpClient::Create(options);
  if (!client.ok()) return {};
  http::Headers headers;
  if (!body.empty()) headers.Add("Content-Type", "application/json");
  auto response = (*client)->Send(method, path, body, headers);
  if (!response.ok()) return {};
  ApiAnswer answer{.status = response->status, .json = Json(), .body = response->body};
  answer.json = Json::parse(answer.body, nullptr, false);
  if (answer.json.is_discarded()) answer.json = Json();
  return answer;
}

// Polls `check` every 100 ms until it holds or `limit` passed.
template <typename Check>
bool Eventually(Check check, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return check();
}

std::string Rfc3339(std::chrono::system_clock::time_point at) { return FormatRfc3339(at); }

class AlertmanagerTest : public CanaryServiceTest {
 protected:
  AlertmanagerTest() : CanaryServiceTest(/*instances=*/1, /*self_heal=*/false) {}

  void SetUp() override {
    CanaryServiceTest::SetUp();
    if (!fs::exists(kAlertmanager)) GTEST_SKIP() << kAlertmanager << " is not installed";
  }

  void TearDown() override {
    alertmanager_.reset();
    prometheus_.reset();
    CanaryServiceTest::TearDown();
  }

  // A developer token for all projects, as docs/server.md tells operators to make for
  // Alertmanager.
  std::string MakeAlertmanagerToken() {
    ApiAnswer made = Call("POST", "/api/v1/tokens",
                          Json{{"name", "alertmanager"}, {"role", "developer"}}.dump());
    EXPECT_EQ(made.status, 201) << made;
    return made.json.is_object() ? made.json.value("token", "") : "";
  }

  // Starts Alertmanager with a webhook receiver pointing at the server; waits until ready.
  void StartAlertmanager(const std::string& token) {
    const uint16_t port = FreePort();
    alertmanager_url_ = "http://127.0.0.1:" + std::to_string(port);
    std::ofstream(root_ / "alertmanager.yml") << R"(route:
  receiver: slipway
  group_by: [alertname, service, environment]
  group_wait: 200ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: slipway
    webhook_configs:
      - url: )" + url() + R"(/api/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: ")" + token + R"("
)";
    fs::create_directories(root_ / "alertmanager-data");
    alertmanager_ = std::make_unique<Child>(
        std::vector<std::string>{
            kAlertmanager, "--config.file=" + (root_ / "alertmanager.yml").string(),
            "--storage.path=" + (root_ / "alertmanager-data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
        root_ / "alertmanager.log");
    ASSERT_TRUE(alertmanager_->started());
    ASSERT_TRUE(Eventually([&] {
      return Send(alertmanager_url_, "GET", "/-/ready").status == 200;
    })) << ReadText(root_ / "alertmanager.log");
  }

  // Posts one alert to Alertmanager's v2 API (endsAt in the past resolves it).
  void PostAlert(const Json& labels, const std::string& summary,
                 std::optional<std::chrono::system_clock::time_point> ends = std::nullopt) {
    Json alert = {{"labels", labels},
                  {"annotations", {{"summary", summary}}},
                  {"startsAt", Rfc3339(started_)}};
    if (ends) alert["endsAt"] = Rfc3339(*ends);
    ApiAnswer posted =
        Send(alertmanager_url_, "POST", "/api/v2/alerts", Json::array({alert}).dump());
    ASSERT_EQ(posted.status, 200) << posted << ReadText(root_ / "alertmanager.log");
  }

  Json Incidents(const std::string& query) { return Call("GET", "/api/v1/incidents" + query).json; }

  std::string alertmanager_url_;
  std::unique_ptr<Child> alertmanager_, prometheus_;
  const std::chrono::system_clock::time_point started_ =
      std::chrono::system_clock::now() - std::chrono::minutes(1);
};

TEST_F(AlertmanagerTest, AlertsOpenAndResolveIncidentsAndACriticalOneRollsBackACanary) {
  StartServer();
  AddProject("svc");
  const int first = StartRun("svc");
  ASSERT_GT(first, 0);
  ASSERT_EQ(WaitForRun(first, "svc").value("status", ""), "success") << ServerLog();
  ASSERT_EQ(Production(), "200 v1\n");
  const std::string token = MakeAlertmanagerToken();
  ASSERT_NO_FATAL_FAILURE(StartAlertmanager(token));

  // Firing: stored, correlated with deploy 1, an incident opened.
  const Json slow = {{"alertname", "SlowRequests"},
                     {"service", "svc"},
                     {"environment", "production"},
                     {"severity", "warning"}};
  PostAlert(slow, "p99 above 1s");
  ASSERT_TRUE(Eventually([&] { return Incidents("?status=open").size() == 1; }))
      << ReadText(root_ / "alertmanager.log") << ServerLog();
  Json alerts = Call("GET", "/api/v1/alerts?project=svc&environment=production").json;
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump(2);
  EXPECT_EQ(alerts[0]["alertname"], "SlowRequests");
  EXPECT_EQ(alerts[0]["status"], "firing");
  EXPECT_EQ(alerts[0]["deploy_id"], 1);
  EXPECT_EQ(alerts[0]["starts_at"], Rfc3339(started_));
  const Json incident = Incidents("?status=open")[0];
  EXPECT_EQ(incident["title"], "SlowRequests: p99 above 1s");
  EXPECT_EQ(incident["started_at"], Rfc3339(started_));

  // Resolved (endsAt in the past): the incident resolves at that time.
  const auto ended = std::chrono::system_clock::now() - std::chrono::seconds(5);
  PostAlert(slow, "p99 above 1s", ended);
  ASSERT_TRUE(Eventually([&] { return Incidents("?status=resolved").size() == 1; }))
      << Incidents("").dump(2) << ReadText(root_ / "alertmanager.log");
  EXPECT_EQ(Incidents("?status=resolved")[0]["resolved_at"], Rfc3339(ended));
  EXPECT_EQ(Incidents("?status=open").size(), 0u);
  // The same through the CLI.
  const Outcome listed = Slipway({"incidents", "--server", url(), "--token", AdminToken(),
                                  "--project", "svc", "--status", "resolved"});
  ASSERT_EQ(listed.exit_code, 0) << listed.all();
  EXPECT_CONTAINS(listed.out, "SlowRequests: p99 above 1s");
  EXPECT_CONTAINS(listed.out, "production");
  EXPECT_CONTAINS(listed.out, "resolved");
  const Outcome alerted = Slipway({"alerts", "--server", url(), "--token", AdminToken(),
                                   "--project", "svc", "--environment", "production"});
  ASSERT_EQ(alerted.exit_code, 0) << alerted.all();
  EXPECT_CONTAINS(alerted.out, "SlowRequests");
  EXPECT_CONTAINS(alerted.out, "resolved");
  const Outcome alerted_json =
      Slipway({"alerts", "--server", url(), "--token", AdminToken(), "--json", "--limit", "1"});
  ASSERT_EQ(alerted_json.exit_code, 0) << alerted_json.all();
  ASSERT_EQ(alerted_json.json.size(), 1u) << alerted_json.out;
  EXPECT_EQ(alerted_json.json[0]["alertname"], "SlowRequests");
  EXPECT_EQ(alerted_json.json[0]["deploy_id"], 1);
  const Outcome bad =
      Slipway({"incidents", "--server", url(), "--token", AdminToken(), "--status", "closed"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_CONTAINS(bad.err, "'status' must be");

  // An alert for a service slipway does not deploy: stored uncorrelated, nothing else.
  PostAlert({{"alertname", "DiskFull"}, {"service", "billing"}, {"severity", "critical"}},
            "disk 99%");
  ASSERT_TRUE(Eventually([&] { return Call("GET", "/api/v1/alerts?project=").json.size() == 1; }));
  EXPECT_EQ(Incidents("").size(), 1u);

  // v2 pauses at 50%; a critical alert for svc/production rolls it back.
  Write("VERSION", "v2\n");
  Commit("v2");
  const int second = StartRun("svc");
  ASSERT_TRUE(WaitForPause()) << ServerLog();
  PostAlert({{"alertname", "HighErrorRate"},
             {"service", "svc"},
             {"environment", "production"},
             {"severity", "critical"}},
            "5xx above 5%");
  const Json failed = WaitForRun(second, "svc");
  EXPECT_EQ(failed.value("status", ""), "failure") << failed.dump(2);
  EXPECT_CONTAINS(RunJobs(second, "svc")["deploy"].dump(),
                  "alert HighErrorRate firing: 5xx above 5%");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Production(), "200 v1\n");
  bool audited = false;
  const Json trail = Call("GET", "/api/v1/audit?limit=1000").json;  // kept alive for the loop
  for (const Json& record : trail["records"]) {
    audited = audited ||
              (record["action"] == "environment.rollback" && record["actor"] == "alertmanager" &&
               record["target"] == "project/svc/environment/production");
  }
  EXPECT_TRUE(audited) << trail.dump(2);
  const Json open = Incidents("?status=open");
  ASSERT_EQ(open.size(), 1u) << open.dump(2);
  EXPECT_EQ(open[0]["severity"], "critical");
  EXPECT_EQ(open[0]["deploy_id"], 2);
  // /metrics tells Prometheus what runs where and when the last deploy started and finished.
  const ApiAnswer metrics = Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics;
  EXPECT_CONTAINS(metrics.body,
                  "slipway_deploy_info{project=\"svc\",environment=\"production\",service=\"svc\","
                  "revision=\"r1\"");
  EXPECT_CONTAINS(metrics.body,
                  "slipway_deploy_started_timestamp_seconds{project=\"svc\",environment="
                  "\"production\",service=\"svc\",revision=\"r2\"} ");
  EXPECT_CONTAINS(metrics.body, "slipway_deploy_finished_timestamp_seconds{project=\"svc\"");
  EXPECT_CONTAINS(metrics.body,
                  "slipway_incidents_open{project=\"svc\",environment=\"production\"} 1\n");
  EXPECT_CONTAINS(metrics.body,
                  "slipway_incidents_total{project=\"svc\",environment=\"production\"} 2\n");
  // The token never shows in the server's log.
  EXPECT_NOT_CONTAINS(ServerLog(), token);
}

TEST_F(AlertmanagerTest, BadPayloadsChangeNothing) {
  StartServer();
  const std::string token = MakeAlertmanagerToken();
  const Json bad = {{"version", "4"},
                    {"status", "firing"},
                    {"receiver", "slipway"},
                    {"alerts",
                     {{{"status", "firing"},
                       {"labels", {{"alertname", "X"}}},
                       {"annotations", Json::object()},
                       {"startsAt", "not a time"},
                       {"endsAt", "0001-01-01T00:00:00Z"},
                       {"fingerprint", "abc"}}}}};
  ApiAnswer refused = Call("POST", "/api/v1/alerts/alertmanager", bad.dump(), token);
  EXPECT_EQ(refused.status, 400) << refused;
  EXPECT_CONTAINS(refused.body, "alerts[0].startsAt");
  EXPECT_EQ(Call("POST", "/api/v1/alerts/alertmanager", bad.dump(), "").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/alerts").json.size(), 0u);
}

// Prometheus scrapes /metrics with the token (the scrape config docs/server.md shows).
TEST_F(AlertmanagerTest, PrometheusScrapesTheServersMetrics) {
  if (!fs::exists(kPrometheus)) GTEST_SKIP() << kPrometheus << " is not installed";
  StartServer();
  const std::string host = url().substr(std::string("http://").size());
  std::ofstream(root_ / "prometheus.yml") << R"(global:
  scrape_interval: 1s
scrape_configs:
  - job_name: slipway
    authorization:
      credentials: ")" + AdminToken() + R"("
    static_configs:
      - targets: [")" + host + R"("]
)";
  const uint16_t port = FreePort();
  fs::create_directories(root_ / "prometheus-data");
  prometheus_ = std::make_unique<Child>(
      std::vector<std::string>{kPrometheus, "--config.file=" + (root_ / "prometheus.yml").string(),
                               "--storage.tsdb.path=" + (root_ / "prometheus-data").string(),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      root_ / "prometheus.log");
  ASSERT_TRUE(prometheus_->started());
  const std::string prometheus = "http://127.0.0.1:" + std::to_string(port);
  auto query = [&](const std::string& expr) {
    return Send(prometheus, "GET", "/api/v1/query?query=" + expr).json;
  };
  // up == 1 once a scrape succeeded; the series of our text are there.
  EXPECT_TRUE(Eventually(
      [&] {
        const Json up = query("up%7Bjob%3D%22slipway%22%7D");
        return up.is_object() && !up["data"]["result"].empty() &&
               up["data"]["result"][0]["value"][1] == "1";
      },
      std::chrono::seconds(60)))
      << ReadText(root_ / "prometheus.log");
  const Json received = query("slipway_alerts_received_total");
  ASSERT_TRUE(received.is_object()) << ReadText(root_ / "prometheus.log");
  ASSERT_EQ(received["data"]["result"].size(), 1u) << received.dump(2);
  EXPECT_EQ(received["data"]["result"][0]["value"][1], "0");
}

}  // namespace
}  // namespace slipway::e2e
