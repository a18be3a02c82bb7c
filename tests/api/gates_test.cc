// GET …/deploys/{deploy}/gate with the decisions of both steps (docs/api.md): the top level
// stays the deploy step's decision, `promote` is the promotion gate's; a deploy gated only at
// its promotion shows that decision at the top level too, and one gated only at its start has
// `promote: null`.
#include "api_fixture.h"

namespace slipway::api::testing {
namespace {

class GatesApiTest : public ApiTest {
 protected:
  void Record(int64_t deploy, const std::string& step, const std::string& decision) {
    store::GateDecision d;
    d.project = "hello";
    d.environment = "production";
    d.deploy_id = deploy;
    d.run_id = "4";
    d.step = step;
    d.decision = decision;
    d.input_json = R"({"gate":{"step":")" + step + R"("}})";
    d.input_digest = "sha256:" + std::string(64, step == "deploy" ? 'd' : 'e');
    d.result_json = R"({"allowed":true,"denials":[],"audit_failures":[],"policies":[]})";
    d.decided_at = std::chrono::system_clock::now();
    ASSERT_TRUE(store_->RecordGateDecision(d).ok());
  }

  Reply Gate(int64_t deploy) {
    return Admin("GET", "/api/v1/projects/hello/environments/production/deploys/" +
                            std::to_string(deploy) + "/gate");
  }
};

TEST_F(GatesApiTest, ADeployShowsTheDecisionOfEachStep) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  ASSERT_NO_FATAL_FAILURE(Record(1, "deploy", "allow"));
  ASSERT_NO_FATAL_FAILURE(Record(2, "deploy", "allow"));
  ASSERT_NO_FATAL_FAILURE(Record(2, "promote", "deny"));
  ASSERT_NO_FATAL_FAILURE(Record(3, "promote", "exempted"));

  Reply both = Gate(2);
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(both.doc["step"], "deploy");
  EXPECT_EQ(both.doc["decision"], "allow");
  EXPECT_EQ(both.doc["input"]["gate"]["step"], "deploy");
  ASSERT_TRUE(both.doc["promote"].is_object()) << both.body;
  EXPECT_EQ(both.doc["promote"]["step"], "promote");
  EXPECT_EQ(both.doc["promote"]["decision"], "deny");
  EXPECT_EQ(both.doc["promote"]["input"]["gate"]["step"], "promote");
  EXPECT_FALSE(both.doc["promote"].contains("approvals"));
  EXPECT_TRUE(both.doc["approvals"].is_array());

  Reply start_only = Gate(1);
  ASSERT_EQ(start_only.status, 200) << start_only.body;
  EXPECT_EQ(start_only.doc["step"], "deploy");
  EXPECT_TRUE(start_only.doc["promote"].is_null());

  Reply promote_only = Gate(3);
  ASSERT_EQ(promote_only.status, 200) << promote_only.body;
  EXPECT_EQ(promote_only.doc["step"], "promote");
  EXPECT_EQ(promote_only.doc["decision"], "exempted");
  EXPECT_EQ(promote_only.doc["promote"]["decision"], "exempted");

  EXPECT_EQ(Gate(4).status, 404);
}

}  // namespace
}  // namespace slipway::api::testing
