// Alerts and incidents (Store::RecordAlerts and the lists), on both backends.
#include <gtest/gtest.h>

#include <thread>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

Alert Firing(std::string fingerprint, std::string project = "shop",
             std::string environment = "production", int64_t deploy_id = 3) {
  Alert a;
  a.fingerprint = std::move(fingerprint);
  a.status = AlertStatus::kFiring;
  a.alertname = "HighErrorRate";
  a.severity = "warning";
  a.labels_json = R"({"alertname":"HighErrorRate","service":"shop"})";
  a.annotations_json = R"({"summary":"5xx above 5%"})";
  a.starts_at = At(10000);
  a.received_at = At(12000);
  a.project = std::move(project);
  a.environment = std::move(environment);
  a.deploy_id = deploy_id;
  return a;
}

Alert Resolved(Alert a, int64_t ends_ms) {
  a.status = AlertStatus::kResolved;
  a.ends_at = At(ends_ms);
  a.received_at = At(ends_ms + 500);
  return a;
}

IncidentFilter IncidentsWith(std::optional<std::string> project,
                             std::optional<IncidentStatus> status) {
  IncidentFilter filter;
  filter.project = std::move(project);
  filter.status = status;
  return filter;
}

AlertFilter AlertsOf(std::optional<std::string> project, std::optional<std::string> environment) {
  AlertFilter filter;
  filter.project = std::move(project);
  filter.environment = std::move(environment);
  return filter;
}

class AlertsTest : public StoreTest {};
SLIPWAY_STORE_TEST_SUITE(AlertsTest);

TEST_P(AlertsTest, FiringAlertOpensAnIncidentWithItsTimes) {
  ASSERT_OK_AND_ASSIGN(AlertBatchResult result, store().RecordAlerts({Firing("aaa")}));
  EXPECT_EQ(result.stored, 1);
  EXPECT_EQ(result.deduplicated, 0);
  ASSERT_EQ(result.incidents_opened.size(), 1u);
  ASSERT_EQ(result.alerts.size(), 1u);
  EXPECT_EQ(result.alerts[0].incident_id, result.incidents_opened[0]);

  ASSERT_OK_AND_ASSIGN(std::vector<Incident> incidents, store().ListIncidents({}));
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& incident = incidents[0];
  EXPECT_EQ(incident.project, "shop");
  EXPECT_EQ(incident.environment, "production");
  EXPECT_EQ(incident.title, "HighErrorRate: 5xx above 5%");
  EXPECT_EQ(incident.severity, "warning");
  EXPECT_EQ(incident.status, IncidentStatus::kOpen);
  EXPECT_EQ(incident.started_at, At(10000));
  EXPECT_EQ(incident.detected_at, At(12000));
  EXPECT_FALSE(incident.resolved_at.has_value());
  EXPECT_EQ(incident.deploy_id, 3);

  ASSERT_OK_AND_ASSIGN(std::vector<Alert> alerts, store().ListAlerts({}));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].fingerprint, "aaa");
  EXPECT_EQ(alerts[0].labels_json, Firing("aaa").labels_json);
  EXPECT_EQ(alerts[0].annotations_json, Firing("aaa").annotations_json);
  EXPECT_EQ(alerts[0].starts_at, At(10000));
  EXPECT_FALSE(alerts[0].ends_at.has_value());
  EXPECT_EQ(alerts[0].incident_id, incident.id);
  EXPECT_EQ(alerts[0].received_count, 1);
}

TEST_P(AlertsTest, ResentAlertUpdatesItsRowInsteadOfAddingOne) {
  ASSERT_OK(store().RecordAlerts({Firing("aaa")}).status());
  Alert again = Firing("aaa");
  again.received_at = At(60000);
  again.annotations_json = R"({"summary":"5xx above 7%"})";
  ASSERT_OK_AND_ASSIGN(AlertBatchResult result, store().RecordAlerts({again}));
  EXPECT_EQ(result.stored, 0);
  EXPECT_EQ(result.deduplicated, 1);
  EXPECT_TRUE(result.incidents_opened.empty());

  ASSERT_OK_AND_ASSIGN(std::vector<Alert> alerts, store().ListAlerts({}));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].received_at, At(60000));
  EXPECT_EQ(alerts[0].annotations_json, again.annotations_json);
  EXPECT_EQ(alerts[0].received_count, 2);
  ASSERT_OK_AND_ASSIGN(std::vector<Incident> incidents, store().ListIncidents({}));
  EXPECT_EQ(incidents.size(), 1u);

  // The same fingerprint during another deploy is another alert.
  ASSERT_OK_AND_ASSIGN(AlertBatchResult other,
                       store().RecordAlerts({Firing("aaa", "shop", "production", 4)}));
  EXPECT_EQ(other.stored, 1);
  ASSERT_OK_AND_ASSIGN(AlertStats stats, store().GetAlertStats());
  EXPECT_EQ(stats.alerts_received, 3);
}

TEST_P(AlertsTest, IncidentResolvesWhenAllItsAlertsAreResolved) {
  ASSERT_OK_AND_ASSIGN(AlertBatchResult opened,
                       store().RecordAlerts({Firing("aaa"), Firing("bbb")}));
  ASSERT_EQ(opened.incidents_opened.size(), 1u);  // both attach to one incident
  EXPECT_EQ(opened.alerts[0].incident_id, opened.alerts[1].incident_id);

  ASSERT_OK_AND_ASSIGN(AlertBatchResult one,
                       store().RecordAlerts({Resolved(Firing("aaa"), 20000)}));
  EXPECT_TRUE(one.incidents_resolved.empty());  // bbb still fires

  ASSERT_OK_AND_ASSIGN(AlertBatchResult both,
                       store().RecordAlerts({Resolved(Firing("bbb"), 30000)}));
  ASSERT_EQ(both.incidents_resolved.size(), 1u);
  ASSERT_OK_AND_ASSIGN(
      std::vector<Incident> incidents,
      store().ListIncidents(IncidentsWith(std::nullopt, IncidentStatus::kResolved)));
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].resolved_at, At(30000));  // the latest endsAt

  // Firing again afterwards opens a new incident.
  ASSERT_OK_AND_ASSIGN(AlertBatchResult refired, store().RecordAlerts({Firing("aaa")}));
  ASSERT_EQ(refired.incidents_opened.size(), 1u);
  EXPECT_NE(refired.incidents_opened[0], incidents[0].id);
  ASSERT_OK_AND_ASSIGN(std::vector<Incident> open,
                       store().ListIncidents(IncidentsWith(std::nullopt, IncidentStatus::kOpen)));
  EXPECT_EQ(open.size(), 1u);
}

TEST_P(AlertsTest, CriticalAlertRaisesTheIncidentsSeverity) {
  ASSERT_OK(store().RecordAlerts({Firing("aaa")}).status());
  Alert critical = Firing("ccc");
  critical.severity = "critical";
  ASSERT_OK(store().RecordAlerts({critical}).status());
  Alert info = Firing("ddd");
  info.severity = "info";
  ASSERT_OK(store().RecordAlerts({info}).status());
  ASSERT_OK_AND_ASSIGN(std::vector<Incident> incidents, store().ListIncidents({}));
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].severity, "critical");
}

TEST_P(AlertsTest, UncorrelatedAlertIsStoredButOpensNothing) {
  ASSERT_OK_AND_ASSIGN(AlertBatchResult result, store().RecordAlerts({Firing("zzz", "", "", 0)}));
  EXPECT_EQ(result.stored, 1);
  EXPECT_TRUE(result.incidents_opened.empty());
  EXPECT_EQ(result.alerts[0].incident_id, 0);
  ASSERT_OK_AND_ASSIGN(std::vector<Incident> incidents, store().ListIncidents({}));
  EXPECT_TRUE(incidents.empty());
  ASSERT_OK_AND_ASSIGN(std::vector<Alert> uncorrelated,
                       store().ListAlerts(AlertsOf("", std::nullopt)));
  EXPECT_EQ(uncorrelated.size(), 1u);
}

TEST_P(AlertsTest, EnvironmentsHaveIncidentsOfTheirOwn) {
  ASSERT_OK(store()
                .RecordAlerts({Firing("aaa"), Firing("bbb", "shop", "staging", 1),
                               Firing("ccc", "cart", "production", 2)})
                .status());
  ASSERT_OK_AND_ASSIGN(std::vector<Incident> all, store().ListIncidents({}));
  EXPECT_EQ(all.size(), 3u);
  ASSERT_OK_AND_ASSIGN(std::vector<Incident> shop,
                       store().ListIncidents(IncidentsWith("shop", std::nullopt)));
  EXPECT_EQ(shop.size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::vector<Alert> staging, store().ListAlerts(AlertsOf("shop", "staging")));
  ASSERT_EQ(staging.size(), 1u);
  EXPECT_EQ(staging[0].fingerprint, "bbb");

  ASSERT_OK(store().RecordAlerts({Resolved(Firing("aaa"), 20000)}).status());
  ASSERT_OK_AND_ASSIGN(AlertStats stats, store().GetAlertStats());
  EXPECT_EQ(stats.alerts_received, 4);
  ASSERT_EQ(stats.incidents.size(), 3u);
  EXPECT_EQ(stats.incidents[0].project, "cart");
  EXPECT_EQ(stats.incidents[2].environment, "staging");
  EXPECT_EQ(stats.incidents[1].open, 0);  // shop/production resolved
  EXPECT_EQ(stats.incidents[1].total, 1);
  EXPECT_EQ(stats.incidents[2].open, 1);
}

// Several servers receiving alerts at once still leave one open incident per environment.
TEST_P(AlertsTest, ConcurrentBatchesOpenOneIncident) {
  std::vector<std::thread> threads;
  std::vector<Status> statuses(6);
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back(
        [&, i] { statuses[i] = store().RecordAlerts({Firing("f" + std::to_string(i))}).status(); });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : statuses) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(std::vector<Incident> incidents, store().ListIncidents({}));
  EXPECT_EQ(incidents.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::vector<Alert> alerts, store().ListAlerts({}));
  ASSERT_EQ(alerts.size(), 6u);
  for (const Alert& a : alerts) EXPECT_EQ(a.incident_id, incidents[0].id);
}

}  // namespace
}  // namespace slipway::store::testing
