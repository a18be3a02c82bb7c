// Alert intake through the API: POST /api/v1/alerts/alertmanager with Alertmanager's webhook
// payloads, the alert and incident lists, /metrics. Deploys are a fake DeployControl here (the
// real Alertmanager and deploys: tests/e2e/alertmanager_test.cc).
#include <fstream>
#include <map>
#include <mutex>

#include "api/alert_intake.h"
#include "api/json_io.h"
#include "api_fixture.h"
#include "fault_store.h"

namespace slipway::api::testing {
namespace {

// Environments with a deploy id and whether a rollout runs; records rollbacks.
class FakeDeploys final : public DeployControl {
 public:
  std::optional<Current> CurrentDeploy(const std::string& project,
                                       const std::string& environment) override {
    std::lock_guard lock(mutex_);
    auto found = environments_.find({project, environment});
    if (found == environments_.end()) return std::nullopt;
    return found->second;
  }
  Status Rollback(const std::string& project, const std::string& environment,
                  const std::string& reason) override {
    std::lock_guard lock(mutex_);
    auto found = environments_.find({project, environment});
    if (found == environments_.end() || !found->second.rolling_out) {
      return FailedPrecondition("no rollout of " + environment + " is running");
    }
    if (fail_rollback) return FailedPrecondition("the rollout is past its point of no return");
    found->second.rolling_out = false;
    rollbacks_.push_back(project + "/" + environment + ": " + reason);
    return Status::Ok();
  }

  void Set(const std::string& project, const std::string& environment, int64_t deploy_id,
           bool rolling_out) {
    std::lock_guard lock(mutex_);
    environments_[{project, environment}] = {.deploy_id = deploy_id, .rolling_out = rolling_out};
  }
  std::atomic<bool> fail_rollback{false};
  std::vector<std::string> rollbacks() {
    std::lock_guard lock(mutex_);
    return rollbacks_;
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Current> environments_;
  std::vector<std::string> rollbacks_;
};

json AlertOf(const std::string& fingerprint, const std::string& status,
             const std::string& severity = "warning", const std::string& service = "shop",
             const std::string& environment = "production") {
  return {{"status", status},
          {"labels",
           {{"alertname", "HighErrorRate"},
            {"severity", severity},
            {"service", service},
            {"environment", environment}}},
          {"annotations", {{"summary", "5xx above 5%"}}},
          {"startsAt", "2026-11-27T14:00:00.123456789+01:00"},
          {"endsAt", status == "resolved" ? "2026-11-27T13:10:00Z" : "0001-01-01T00:00:00Z"},
          {"generatorURL", "http://prometheus.example/graph"},
          {"fingerprint", fingerprint}};
}

json Payload(std::vector<json> alerts) {
  return {{"version", "4"},
          {"groupKey", "{}:{alertname=\"HighErrorRate\"}"},
          {"truncatedAlerts", 0},
          {"status", alerts.empty() ? "firing" : alerts[0]["status"]},
          {"receiver", "slipway"},
          {"groupLabels", {{"alertname", "HighErrorRate"}}},
          {"commonLabels", json::object()},
          {"commonAnnotations", json::object()},
          {"externalURL", "http://alertmanager.example:9093"},
          {"alerts", alerts}};
}

class AlertsApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alertmanager_ = AddToken("alertmanager", store::Role::kDeveloper);
    deploys_.Set("shop", "production", 7, false);
  }
  ApiContext Context() override {
    ApiContext context = ApiTest::Context();
    context.deploy_control = &deploys_;
    return context;
  }
  Reply Post(const json& payload) {
    return Call("POST", "/api/v1/alerts/alertmanager", payload.dump(), alertmanager_);
  }
  Reply PostRaw(const std::string& body) {
    return Call("POST", "/api/v1/alerts/alertmanager", body, alertmanager_);
  }
  size_t StoredAlerts() {
    auto alerts = store_->ListAlerts({});
    EXPECT_TRUE(alerts.ok());
    return alerts.ok() ? alerts->size() : 0;
  }

  FakeDeploys deploys_;
  std::string alertmanager_;
};

TEST_F(AlertsApiTest, FiringThenResolvedOpensAndResolvesAnIncident) {
  Reply fired = Post(Payload({AlertOf("fp1", "firing")}));
  ASSERT_EQ(fired.status, 200) << fired.body;
  EXPECT_EQ(fired.doc["stored"], 1);
  EXPECT_EQ(fired.doc["deduplicated"], 0);
  EXPECT_EQ(fired.doc["rolled_back"], 0);
  ASSERT_EQ(fired.doc["incidents_opened"].size(), 1u);

  Reply alerts = Admin("GET", "/api/v1/alerts?project=shop&environment=production");
  ASSERT_EQ(alerts.status, 200) << alerts.body;
  ASSERT_EQ(alerts.doc.size(), 1u);
  const json& alert = alerts.doc[0];
  EXPECT_EQ(alert["fingerprint"], "fp1");
  EXPECT_EQ(alert["status"], "firing");
  EXPECT_EQ(alert["alertname"], "HighErrorRate");
  EXPECT_EQ(alert["severity"], "warning");
  EXPECT_EQ(alert["labels"]["service"], "shop");
  EXPECT_EQ(alert["annotations"]["summary"], "5xx above 5%");
  EXPECT_EQ(alert["starts_at"], "2026-11-27T13:00:00.123Z");  // +01:00 → UTC, milliseconds
  EXPECT_TRUE(alert["ends_at"].is_null());                    // Go's zero time
  EXPECT_EQ(alert["deploy_id"], 7);
  EXPECT_EQ(alert["incident_id"], fired.doc["incidents_opened"][0]);

  Reply open = Admin("GET", "/api/v1/incidents?project=shop&status=open");
  ASSERT_EQ(open.status, 200) << open.body;
  ASSERT_EQ(open.doc.size(), 1u);
  EXPECT_EQ(open.doc[0]["title"], "HighErrorRate: 5xx above 5%");
  EXPECT_EQ(open.doc[0]["started_at"], "2026-11-27T13:00:00.123Z");
  EXPECT_TRUE(open.doc[0]["resolved_at"].is_null());

  Reply resent = Post(Payload({AlertOf("fp1", "firing")}));
  ASSERT_EQ(resent.status, 200) << resent.body;
  EXPECT_EQ(resent.doc["stored"], 0);
  EXPECT_EQ(resent.doc["deduplicated"], 1);
  EXPECT_EQ(StoredAlerts(), 1u);

  Reply resolved = Post(Payload({AlertOf("fp1", "resolved")}));
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(resolved.doc["incidents_resolved"], fired.doc["incidents_opened"]);
  Reply closed = Admin("GET", "/api/v1/incidents?status=resolved");
  ASSERT_EQ(closed.doc.size(), 1u);
  EXPECT_EQ(closed.doc[0]["resolved_at"], "2026-11-27T13:10:00.000Z");
  EXPECT_EQ(Admin("GET", "/api/v1/incidents?status=open").doc.size(), 0u);
}

TEST_F(AlertsApiTest, CriticalAlertDuringARolloutRollsItBackAndIsAudited) {
  deploys_.Set("shop", "production", 8, true);
  Reply reply = Post(Payload({AlertOf("fp1", "firing", "critical"),
                              AlertOf("fp2", "firing", "critical")}));  // one rollback
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["rolled_back"], 1);
  EXPECT_EQ(deploys_.rollbacks(),
            std::vector<std::string>{"shop/production: alert HighErrorRate firing: 5xx above 5%"});
  bool audited = false;
  for (const store::AuditRecord& record : AuditTrail()) {
    if (record.action != "environment.rollback") continue;
    audited = true;
    EXPECT_EQ(record.actor, "alertmanager");
    EXPECT_EQ(record.target, "project/shop/environment/production");
    EXPECT_NE(record.details_json.find("alert HighErrorRate firing"), std::string::npos);
  }
  EXPECT_TRUE(audited);
}

TEST_F(AlertsApiTest, ARollbackThatCannotHappenIsReportedAndTheAlertsAreStored) {
  deploys_.Set("shop", "production", 8, true);
  deploys_.fail_rollback = true;
  Reply reply = Post(Payload({AlertOf("fp1", "firing", "critical")}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["rolled_back"], 0);
  ASSERT_EQ(reply.doc["rollbacks"].size(), 1u);
  EXPECT_EQ(reply.doc["rollbacks"][0]["rolled_back"], false);
  EXPECT_EQ(reply.doc["rollbacks"][0]["error"], "the rollout is past its point of no return");
  EXPECT_EQ(StoredAlerts(), 1u);
  for (const store::AuditRecord& record : AuditTrail()) {
    EXPECT_NE(record.action, "environment.rollback");
  }
}

TEST_F(AlertsApiTest, OnlyCriticalFiringAlertsDuringARolloutRollBack) {
  deploys_.Set("shop", "production", 8, true);
  ASSERT_EQ(Post(Payload({AlertOf("w", "firing", "warning")})).status, 200);
  ASSERT_EQ(Post(Payload({AlertOf("r", "resolved", "critical")})).status, 200);
  EXPECT_TRUE(deploys_.rollbacks().empty());
  deploys_.Set("shop", "production", 8, false);  // the rollout finished
  Reply reply = Post(Payload({AlertOf("c", "firing", "critical")}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["rolled_back"], 0);
  EXPECT_TRUE(deploys_.rollbacks().empty());
}

TEST_F(AlertsApiTest, AlertForAnUnknownServiceIsStoredAndActsOnNothing) {
  deploys_.Set("shop", "production", 8, true);
  Reply reply = Post(Payload({AlertOf("u1", "firing", "critical", "nosuch"),
                              AlertOf("u2", "firing", "critical", "shop", "nosuch-env")}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["stored"], 2);
  EXPECT_EQ(reply.doc["rolled_back"], 0);
  EXPECT_TRUE(reply.doc["incidents_opened"].empty());
  EXPECT_TRUE(deploys_.rollbacks().empty());
  Reply alerts = Admin("GET", "/api/v1/alerts?project=");
  ASSERT_EQ(alerts.doc.size(), 2u);
  EXPECT_EQ(alerts.doc[0]["project"], "");
  EXPECT_EQ(alerts.doc[0]["deploy_id"], 0);
}

TEST_F(AlertsApiTest, ServiceAndEnvironmentLabelsHaveAlternatives) {
  json alert = AlertOf("alt", "firing");
  alert["labels"] = {{"alertname", "Down"}, {"slipway_project", "shop"}, {"env", "production"}};
  Reply reply = Post(Payload({alert}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["incidents_opened"].size(), 1u);
}

TEST_F(AlertsApiTest, BadPayloadsAre400NamingTheFieldAndStoreNothing) {
  const size_t audit_before = AuditTrail().size();
  json good = AlertOf("ok", "firing");
  auto without = [&](const char* field) {
    json alert = good;
    alert.erase(field);
    return Payload({good, alert});  // the good one is not stored either
  };
  json bad_time = good;
  bad_time["startsAt"] = "yesterday";
  json bad_label = good;
  bad_label["labels"]["severity"] = 3;
  json bad_status = good;
  bad_status["status"] = "pending";
  json wrong_version = Payload({good});
  wrong_version["version"] = "3";
  json no_alerts = Payload({good});
  no_alerts.erase("alerts");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"version\": \"4\", \"alerts\": [", "not valid JSON"},
      {"[]", "JSON object"},
      {wrong_version.dump(), "version must be \"4\""},
      {no_alerts.dump(), "alerts is missing"},
      {without("startsAt").dump(), "alerts[1].startsAt is missing"},
      {without("fingerprint").dump(), "alerts[1].fingerprint is missing"},
      {without("labels").dump(), "alerts[1].labels is missing"},
      {Payload({good, bad_time}).dump(), "alerts[1].startsAt must be an RFC 3339 time"},
      {Payload({bad_label}).dump(), "alerts[0].labels.severity must be a string"},
      {Payload({good, bad_status}).dump(), "alerts[1].status must be \"firing\" or \"resolved\""},
  };
  for (const auto& [body, message] : cases) {
    Reply reply = PostRaw(body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(reply.ErrorCode(), "invalid_argument") << reply.body;
    const std::string said = reply.doc.is_object() ? reply.doc["error"].value("message", "") : "";
    EXPECT_NE(said.find(message), std::string::npos) << reply.body;
  }
  // Larger than the route's limit: refused before it is read.
  json huge = AlertOf("big", "firing");
  huge["annotations"]["description"] = std::string(6 << 20, 'x');
  EXPECT_EQ(Post(Payload({huge})).status, 413);
  EXPECT_EQ(StoredAlerts(), 0u);
  EXPECT_EQ(AuditTrail().size(), audit_before);
}

TEST_F(AlertsApiTest, IntakeNeedsADeveloperTokenForAllProjects) {
  const std::string body = Payload({AlertOf("fp", "firing")}).dump();
  EXPECT_EQ(Call("POST", "/api/v1/alerts/alertmanager", body).status, 401);
  const std::string viewer = AddToken("viewer", store::Role::kViewer);
  EXPECT_EQ(Call("POST", "/api/v1/alerts/alertmanager", body, viewer).status, 403);
  MakeRepo("shop-repo");
  AddProject("shop", *MakeRepo("shop2"));
  auto shop = store_->GetProject("shop");
  ASSERT_TRUE(shop.ok());
  const std::string scoped = AddToken("scoped", store::Role::kAdmin, shop->id);
  EXPECT_EQ(Call("POST", "/api/v1/alerts/alertmanager", body, scoped).status, 403);
  EXPECT_EQ(StoredAlerts(), 0u);
  // A project's token reads its own project's alerts only.
  ASSERT_EQ(
      Post(Payload({AlertOf("fp", "firing"), AlertOf("x", "firing", "info", "other")})).status,
      200);
  Reply own = Call("GET", "/api/v1/alerts", "", scoped);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.doc.size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/incidents?project=other", "", scoped).status, 403);
  EXPECT_EQ(Admin("GET", "/api/v1/incidents?status=closed").status, 400);
}

TEST_F(AlertsApiTest, MetricsNeedATokenAndParseWithPromtool) {
  EXPECT_EQ(Call("GET", "/metrics").status, 401);
  ASSERT_EQ(Post(Payload({AlertOf("fp1", "firing"), AlertOf("fp2", "firing")})).status, 200);
  ASSERT_EQ(Post(Payload({AlertOf("fp1", "firing")})).status, 200);
  Reply metrics = Admin("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.headers.Get("Content-Type").value_or(""),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("slipway_alerts_received_total 3\n"), std::string::npos)
      << metrics.body;
  EXPECT_NE(
      metrics.body.find("slipway_incidents_open{project=\"shop\",environment=\"production\"} 1\n"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(
      metrics.body.find("slipway_incidents_total{project=\"shop\",environment=\"production\"} 1\n"),
      std::string::npos);

  // Prometheus's own linter parses the exposition (Debian's promtool).
  const fs::path file = dir_ / "metrics.txt";
  std::ofstream(file) << metrics.body;
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "promtool check metrics < '" + file.string() + "'"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.timeout = 30s;
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { output += chunk; }, nullptr);
  EXPECT_EQ(outcome.kind, ProcessOutcome::Kind::kExited) << outcome.error;
  EXPECT_EQ(outcome.exit_code, 0) << output;
}

class AlertsFaultTest : public WithFaultStore<AlertsApiTest> {};

// The database refuses the batch: 503, nothing stored, and no rollback either.
TEST_F(AlertsFaultTest, AStoreFailureStoresNothingAndRollsNothingBack) {
  deploys_.Set("shop", "production", 8, true);
  faulty_->fail_writes = true;
  Reply reply = Post(Payload({AlertOf("fp1", "firing", "critical")}));
  EXPECT_EQ(reply.status, 503) << reply.body;
  faulty_->fail_writes = false;
  EXPECT_EQ(StoredAlerts(), 0u);
  EXPECT_TRUE(deploys_.rollbacks().empty());
}

TEST(AlertPayloadTest, ReadsAlertmanagersFormat) {
  auto payload =
      ParseAlertmanagerPayload(Payload({AlertOf("a", "firing"), AlertOf("b", "resolved")}).dump());
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  EXPECT_EQ(payload->receiver, "slipway");
  ASSERT_EQ(payload->alerts.size(), 2u);
  EXPECT_EQ(payload->alerts[0].labels.at("severity"), "warning");
  EXPECT_FALSE(payload->alerts[0].ends_at.has_value());
  EXPECT_EQ(payload->alerts[1].status, store::AlertStatus::kResolved);
  ASSERT_TRUE(payload->alerts[1].ends_at.has_value());
  EXPECT_EQ(FormatTime(*payload->alerts[1].ends_at), "2026-11-27T13:10:00.000Z");
  EXPECT_EQ(payload->alerts[1].generator_url, "http://prometheus.example/graph");
}

TEST(AlertPayloadTest, AResolvedAlertNeedsAnEnd) {
  json alert = AlertOf("a", "resolved");
  alert["endsAt"] = "0001-01-01T00:00:00Z";
  auto payload = ParseAlertmanagerPayload(Payload({alert}).dump());
  ASSERT_FALSE(payload.ok());
  EXPECT_EQ(payload.status().message(), "alerts[0].endsAt must be set for a resolved alert");
}

TEST(AlertPayloadTest, RefusesTooManyAlerts) {
  std::vector<json> alerts(kMaxAlertsPerPayload + 1, AlertOf("a", "firing"));
  auto payload = ParseAlertmanagerPayload(Payload(alerts).dump());
  ASSERT_FALSE(payload.ok());
  EXPECT_NE(payload.status().message().find("at most 1000"), std::string::npos);
}

}  // namespace
}  // namespace slipway::api::testing
