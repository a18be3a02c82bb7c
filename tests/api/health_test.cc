// /healthz: ok; degraded (still 200, reads still served) while the database refuses writes.
#include "api_fixture.h"
#include "fault_store.h"

namespace slipway::api::testing {
namespace {

// The API over a store that can be told to refuse writes, as a full disk or a read-only
// database file would.
class HealthTest : public WithFaultStore<ApiTest> {};

TEST_F(HealthTest, DegradedWhileWritesFailAndReadsGoOn) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  EXPECT_EQ(Call("GET", "/healthz").doc, json({{"status", "ok"}}));

  faulty_->fail_writes = true;
  Reply refused = Admin("POST", "/api/v1/projects",
                        json{{"name", "second"}, {"repo", repo->dir().string()}}.dump());
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.ErrorCode(), "unavailable");
  EXPECT_NE(refused.ErrorMessage().find("disk is full"), std::string::npos);
  Reply health = Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.doc["status"], "degraded");
  EXPECT_NE(health.doc["reason"].get<std::string>().find("disk is full"), std::string::npos);
  Reply read = Admin("GET", "/api/v1/projects");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.doc["projects"].size(), 1u);

  faulty_->fail_writes = false;
  ASSERT_EQ(Admin("POST", "/api/v1/projects",
                  json{{"name", "second"}, {"repo", repo->dir().string()}}.dump())
                .status,
            201);
  EXPECT_EQ(Call("GET", "/healthz").doc, json({{"status", "ok"}}));
}

}  // namespace
}  // namespace slipway::api::testing
