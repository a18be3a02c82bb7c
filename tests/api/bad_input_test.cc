// Bad input across the API (issue 3 §7): bodies over the limit (413), malformed JSON and wrong
// types (400 naming the field or byte), malformed HTTP, unknown things (404) — and nothing
// stored changes.
#include "api_fixture.h"
#include "http_raw.h"

namespace slipway::api::testing {
namespace {

using BadInputTest = ApiTest;

TEST_F(BadInputTest, BodiesOverTheLimitAre413AndStoreNothing) {
  const std::string big = R"({"name":"x","repo":")" + std::string(2 << 20, 'r') + R"("})";
  Reply reply = Admin("POST", "/api/v1/projects", big);
  EXPECT_EQ(reply.status, 413);
  // The HTTP layer refuses it before the handler runs, with its own spelling of the code.
  EXPECT_EQ(http::ErrorCodeToStatusCode(reply.ErrorCode()), StatusCode::kResourceExhausted)
      << reply.body;
  EXPECT_TRUE(store_->ListProjects()->empty());
  EXPECT_TRUE(AuditTrail().empty());
}

TEST_F(BadInputTest, OversizedLogChunkIs413) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  StartDispatcher();
  const std::string agent = RegisterAgent("a");
  ASSERT_FALSE(agent.empty());
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  Reply leased = Call("POST", "/api/v1/agent/lease", R"({"wait_ms":10000})", agent);
  ASSERT_EQ(leased.status, 200);
  const std::string path = "/api/v1/agent/attempts/" +
                           std::to_string(leased.doc["attempt_id"].get<int64_t>()) +
                           "/log?offset=0";
  Reply reply = Call("POST", path, std::string((1 << 20) + 1, 'x'), agent,
                     {{"X-Lease-Token", leased.doc["lease_token"].get<std::string>()},
                      {"Content-Type", "text/plain"}});
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(store_->ReadLog(leased.doc["attempt_id"], 0, 10)->size, 0);
}

TEST_F(BadInputTest, MalformedJsonNamesWhereAndWrongTypesNameTheField) {
  Reply truncated = Admin("POST", "/api/v1/tokens", R"({"name": "ci", "role": )");
  EXPECT_EQ(truncated.status, 400);
  EXPECT_NE(truncated.ErrorMessage().find("not valid JSON (at byte"), std::string::npos)
      << truncated.ErrorMessage();
  Reply wrong = Admin("POST", "/api/v1/tokens", R"({"name": "ci", "role": 3})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.ErrorMessage(), "field 'role' must be a string");
  Reply binary = Admin("POST", "/api/v1/tokens", std::string("{\"name\": \"\xff\xfe\"}"));
  EXPECT_EQ(binary.status, 400);
  EXPECT_EQ(store_->ListTokens()->size(), 1u);  // the admin's own
}

TEST_F(BadInputTest, MalformedHttpIsRefusedAndTheServerKeepsServing) {
  const std::vector<std::string> requests = {
      "NOT-HTTP\r\n\r\n",
      "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n"
      "Authorization: Bearer " +
          admin_ + "\r\n\r\n",
      "GET /api/v1/projects/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  for (const std::string& request : requests) {
    const int status = RawStatus(server_->port(), request);
    EXPECT_TRUE(status == 0 || (status >= 400 && status < 500)) << request << " → " << status;
  }
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_TRUE(store_->ListProjects()->empty());
}

TEST_F(BadInputTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(Admin("GET", "/api/v1/nothing-here").status, 404);
  Reply method = Admin("PUT", "/api/v1/projects");
  EXPECT_EQ(method.status, 405);
}

}  // namespace
}  // namespace slipway::api::testing
