// The access log never carries secrets: no header values, no bodies, no token= values.
#include <mutex>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

TEST(RedactTargetTest, RedactsSecretLookingQueryValues) {
  EXPECT_EQ(RedactTarget("/a/b"), "/a/b");
  EXPECT_EQ(RedactTarget("/logs?token=abc&page=2"), "/logs?token=REDACTED&page=2");
  EXPECT_EQ(RedactTarget("/x?access_token=1&Client_Secret=2&PASSWORD=3&sig=4&signature=5"),
            "/x?access_token=REDACTED&Client_Secret=REDACTED&PASSWORD=REDACTED&sig=4"
            "&signature=REDACTED");
  // An encoded name is still the same name.
  EXPECT_EQ(RedactTarget("/x?tok%65n=abc"), "/x?tok%65n=REDACTED");
  EXPECT_EQ(RedactTarget("/x?token"), "/x?token");
  // Unparsable: the query is dropped whole.
  EXPECT_EQ(RedactTarget("/x?token=%zz"), "/x?REDACTED");
}

TEST(AccessLogTest, EntriesNeverContainAuthorizationTokensOrBodies) {
  std::mutex mu;
  std::vector<AccessLogEntry> entries;
  ServerOptions options;
  options.access_log = [&](const AccessLogEntry& e) {
    std::lock_guard lock(mu);
    entries.push_back(e);
  };
  Router r;
  r.Add("POST", "/api/v1/runs", [](Request& req) { return Response::Text(201, req.body); });
  r.Add("GET", "/api/v1/logs", [](Request&) { return Response::Text(200, "log"); });
  auto server = StartServer(std::move(r), options);
  {
    ClientOptions copts;
    copts.default_headers.Set("Authorization", "Bearer s3cr3t-bearer-value");
    auto client = ClientFor(*server, copts);
    ASSERT_TRUE(client->Send("POST", "/api/v1/runs", "{\"password\":\"body-secret\"}").ok());
    ASSERT_TRUE(client->Send("GET", "/api/v1/logs?follow=1&token=query-secret-1").ok());
    ASSERT_TRUE(client->Send("GET", "/api/v1/nothing?access_token=query-secret-2").ok());
    ASSERT_TRUE(client->Send("DELETE", "/api/v1/logs?token=query-secret-3").ok());
  }
  // A malformed request with a token in its target.
  RawRoundTrip(server->port(),
               "GET /api/v1/logs?token=query-secret-4 HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer s3cr3t-bearer-value\r\nBad Field: 1\r\n\r\n");
  server->Stop();

  std::lock_guard lock(mu);
  ASSERT_EQ(entries.size(), 5u);
  std::string all;
  for (const auto& e : entries) {
    all +=
        e.method + " " + e.target + " " + std::to_string(e.status) + " " + e.remote_address + "\n";
  }
  for (const char* secret : {"s3cr3t", "body-secret", "query-secret"}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << secret << " leaked into:\n" << all;
  }
  EXPECT_EQ(entries[0].method, "POST");
  EXPECT_EQ(entries[0].target, "/api/v1/runs");
  EXPECT_EQ(entries[0].status, 201);
  EXPECT_EQ(entries[1].target, "/api/v1/logs?follow=1&token=REDACTED");
  EXPECT_EQ(entries[1].status, 200);
  EXPECT_EQ(entries[2].status, 404);
  EXPECT_EQ(entries[3].status, 405);
  EXPECT_EQ(entries[4].status, 400);
}

TEST(AccessLogTest, ClientErrorsNameTheUrlButNeverTheToken) {
  // A port nobody listens on: bind, note it, close.
  uint16_t port = 0;
  {
    Router r;
    r.Add("GET", "/", [](Request&) { return Response::NoContent(); });
    auto server = StartServer(std::move(r));
    port = server->port();
  }
  ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.default_headers.Set("Authorization", "Bearer s3cr3t-bearer-value");
  auto client = HttpClient::Create(options);
  ASSERT_TRUE(client.ok());
  auto r = (*client)->GetJson("/api/v1/runs?token=query-secret");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("GET http://127.0.0.1:" + std::to_string(port) + "/api/v1/runs?token=REDACTED"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("connection refused"), std::string::npos) << m;
  EXPECT_EQ(m.find("s3cr3t"), std::string::npos) << m;
  EXPECT_EQ(m.find("query-secret"), std::string::npos) << m;
}

}  // namespace
}  // namespace slipway::http::testing
