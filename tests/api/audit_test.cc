// The audit routes: a client re-verifies every record from what GET /api/v1/audit returns,
// the way docs/api.md describes the hash, without trusting the server's own verification.
#include <ctime>

#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

// "2026-11-26T13:31:16.123Z" as milliseconds since the epoch (-1 when malformed).
int64_t ApiTimeMillis(const std::string& text) {
  std::tm utc{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis) != 7) {
    return -1;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&utc)) * 1000 + millis;
}

// The record as the API shows it, with the details text the hash covers.
store::AuditRecord FromApi(const json& record) {
  store::AuditRecord r;
  r.seq = record.value("seq", int64_t{0});
  r.time = store::Time(std::chrono::milliseconds(ApiTimeMillis(record.value("time", ""))));
  r.actor = record.value("actor", "");
  r.action = record.value("action", "");
  r.target = record.value("target", "");
  r.details_json = record.value("details_json", "");
  r.prev_hash = record.value("prev_hash", "");
  r.hash = record.value("hash", "");
  return r;
}

class AuditApiTest : public ApiTest {};

TEST_F(AuditApiTest, EveryRecordReVerifiesFromWhatTheApiReturns) {
  // The first record, written as the server's first start writes it (its details not in the
  // canonical key order), then records the API writes.
  store::AuditRecord first;
  first.time = std::chrono::system_clock::now();
  first.actor = "system";
  first.action = "token.create";
  first.target = "token/initial-admin";
  first.details_json = R"({"role":"admin","reason":"first start"})";
  ASSERT_TRUE(store_->AppendAudit(first).ok());
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  ASSERT_EQ(Admin("POST", "/api/v1/tokens", R"({"name":"ci-bot ✓","role":"developer"})").status,
            201);

  Reply list = Admin("GET", "/api/v1/audit");
  ASSERT_EQ(list.status, 200) << list.body;
  const json& records = list.doc["records"];
  ASSERT_EQ(records.size(), 3u) << list.body;
  std::string prev(64, '0');
  for (const json& record : records) {
    const store::AuditRecord r = FromApi(record);
    SCOPED_TRACE(record.dump());
    ASSERT_TRUE(record.contains("details_json"));
    // details is details_json parsed; the text is canonical (compact, keys sorted), so a client
    // serialising details the usual way gets the same bytes.
    EXPECT_EQ(json::parse(r.details_json), record["details"]);
    EXPECT_EQ(r.details_json, record["details"].dump());
    EXPECT_EQ(r.prev_hash, prev);
    EXPECT_EQ(store::AuditHash(r), r.hash);
    prev = r.hash;
  }
  EXPECT_EQ(records[0]["details_json"], R"({"reason":"first start","role":"admin"})");
}

}  // namespace
}  // namespace slipway::api::testing
