// Pure parts of the routers and targets: weights ↔ percentages, haproxy answers, slot plans,
// exec status JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/exec_status.h"
#include "deploy/haproxy_plan.h"
#include "deploy/haproxy_runtime.h"
#include "deploy/traffic_weights.h"

namespace slipway::deploy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TrafficWeights, LargestShareGets256AndOthersProportionally) {
  EXPECT_THAT(ServerWeights({90, 10}), ElementsAre(256, 28));
  EXPECT_THAT(ServerWeights({45, 45, 10}), ElementsAre(256, 256, 57));
  EXPECT_THAT(ServerWeights({100, 0}), ElementsAre(256, 0));
  EXPECT_THAT(ServerWeights({99, 0.1}), ElementsAre(256, 1));  // never rounds to 0
  EXPECT_THAT(ServerWeights({0, 0}), ElementsAre(0, 0));
}

TEST(TrafficWeights, PercentagesSumTo100) {
  EXPECT_THAT(Percentages({256, 28}), ElementsAre(90, 10));
  EXPECT_THAT(Percentages({1, 1, 1}), ElementsAre(34, 33, 33));
  EXPECT_THAT(Percentages({512, 57}), ElementsAre(90, 10));
  EXPECT_THAT(Percentages({0, 0}), ElementsAre(0, 0));
}

TEST(TrafficWeights, RoundTripOfTypicalCanarySteps) {
  for (int canary : {1, 5, 10, 25, 33, 50, 75, 99}) {
    for (int stable_endpoints : {1, 2, 3}) {
      std::vector<double> shares(stable_endpoints, (100.0 - canary) / stable_endpoints);
      shares.push_back(canary);
      const std::vector<int> weights = ServerWeights(shares);
      double stable = 0;
      for (int i = 0; i < stable_endpoints; ++i) stable += weights[i];
      EXPECT_THAT(Percentages({stable, static_cast<double>(weights.back())}),
                  ElementsAre(100 - canary, canary))
          << canary << "% over " << stable_endpoints << " stable endpoints";
    }
  }
}

constexpr char kStateAnswer[] =
    "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
    "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health "
    "srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord "
    "srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"
    "3 app 1 srv1 127.0.0.1 2 4 256 1 0 1 0 0 8 0 0 0 - 8001 - 0 0 - - 0\n"
    "3 app 2 srv2 127.0.0.1 2 12 1 1 0 1 0 0 8 0 0 0 - 1 - 0 0 - - 0\n"
    "3 app 3 srv3 127.0.0.1 0 5 1 1 2 1 0 0 8 0 0 0 - 1 - 0 0 - - 0\n"
    "4 other 1 srv1 10.0.0.1 2 0 1 1 2 1 0 0 8 0 0 0 - 80 - 0 0 - - 0\n\n";

TEST(HaproxyRuntime, ParsesServersState) {
  Result<std::vector<HaproxyServer>> servers = ParseServersState(kStateAnswer, "app");
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  ASSERT_EQ(servers->size(), 3u);
  EXPECT_EQ((*servers)[0].name, "srv1");
  EXPECT_EQ((*servers)[0].port, 8001);
  EXPECT_EQ((*servers)[0].weight, 256);
  EXPECT_FALSE((*servers)[0].maint());  // `disabled` leaves CMAINT set after `state ready`
  EXPECT_TRUE((*servers)[1].drain());
  EXPECT_TRUE((*servers)[2].maint());
}

TEST(HaproxyRuntime, ErrorAnswerIsUnavailableWithHaproxysWords) {
  Result<std::vector<HaproxyServer>> servers = ParseServersState("Can't find backend.\n\n", "x");
  ASSERT_FALSE(servers.ok());
  EXPECT_EQ(servers.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(servers.status().message(), HasSubstr("Can't find backend."));
}

TEST(HaproxyRuntime, SplitsRepliesOfABatch) {
  EXPECT_THAT(SplitReplies("IP changed from 'a' to 'b'\n\n\n\nNo such server.\n\n"),
              ElementsAre("IP changed from 'a' to 'b'", "", "", "No such server."));
  EXPECT_THAT(SplitReplies("line one\nline two\n\n"), ElementsAre("line one\nline two"));
}

std::vector<HaproxyServer> Slots(int n) {
  std::vector<HaproxyServer> slots;
  for (int i = 1; i <= n; ++i)
    slots.push_back({"srv" + std::to_string(i), "127.0.0.1", 1, 0, 5, 1});
  return slots;
}

// Applies a plan's effect to the fake slots, the way haproxy would.
void Execute(const RoutingPlan& plan, std::vector<HaproxyServer>& slots) {
  for (const std::string& command : plan.commands) {
    for (HaproxyServer& slot : slots) {
      const std::string prefix = "set server app/" + slot.name + " ";
      if (!command.starts_with(prefix)) continue;
      const std::string rest = command.substr(prefix.size());
      if (rest.starts_with("addr ")) {
        const size_t port = rest.find(" port ");
        slot.addr = rest.substr(5, port - 5);
        slot.port = static_cast<uint16_t>(std::stoi(rest.substr(port + 6)));
      } else if (rest.starts_with("weight ")) {
        slot.weight = std::stoi(rest.substr(7));
      } else if (rest == "state ready") {
        slot.admin_state &= 0x04;
      } else if (rest == "state maint") {
        slot.admin_state |= 0x01;
      }
    }
  }
}

TEST(HaproxyPlan, CanaryThenPromotionKeepsSlotsAndNeverLeavesNoServer) {
  const Endpoint a1{"127.0.0.1", 8001}, a2{"127.0.0.1", 8002}, b1{"127.0.0.1", 9001};
  std::vector<HaproxyServer> slots = Slots(4);

  const std::vector<Backend> first = {{"a", {a1, a2}, 100}};
  RoutingPlan plan = PlanRouting("app", slots, {}, first);
  Execute(plan, slots);
  EXPECT_EQ(ObserveRouting(slots, plan.slots, first), first);

  const std::vector<Backend> canary = {{"a", {a1, a2}, 90}, {"b", {b1}, 10}};
  plan = PlanRouting("app", slots, plan.slots, canary);
  // a's slots are kept (their weights do not change: 45 each is still the largest share).
  EXPECT_THAT(plan.commands,
              ElementsAre("set server app/srv3 addr 127.0.0.1 port 9001",
                          "set server app/srv3 weight 57", "set server app/srv3 state ready"));
  Execute(plan, slots);
  EXPECT_EQ(ObserveRouting(slots, plan.slots, canary), canary);

  const std::vector<Backend> promoted = {{"b", {b1}, 100}};
  plan = PlanRouting("app", slots, plan.slots, promoted);
  EXPECT_THAT(plan.commands,
              ElementsAre("set server app/srv3 weight 256", "set server app/srv1 state maint",
                          "set server app/srv2 state maint"));
  Execute(plan, slots);
  EXPECT_EQ(ObserveRouting(slots, plan.slots, promoted), promoted);
}

TEST(HaproxyPlan, ReusesServingSlotsOnlyAfterNewServersAreUp) {
  const Endpoint a1{"127.0.0.1", 8001}, b1{"127.0.0.1", 9001}, b2{"127.0.0.1", 9002};
  std::vector<HaproxyServer> slots = Slots(2);
  RoutingPlan plan = PlanRouting("app", slots, {}, {{"a", {a1}, 100}});
  Execute(plan, slots);
  // Both slots are needed for b: srv2 (idle) comes up before srv1 (serving a) switches.
  plan = PlanRouting("app", slots, plan.slots, {{"b", {b1, b2}, 100}});
  ASSERT_EQ(plan.commands.size(), 6u);
  EXPECT_EQ(plan.commands[0], "set server app/srv2 addr 127.0.0.1 port 9001");
  EXPECT_EQ(plan.commands[2], "set server app/srv2 state ready");
  EXPECT_EQ(plan.commands[3], "set server app/srv1 addr 127.0.0.1 port 9002");
}

TEST(HaproxyPlan, ObserveShowsHandChangesAndUnknownServers) {
  const Endpoint a1{"127.0.0.1", 8001}, b1{"127.0.0.1", 9001};
  std::vector<HaproxyServer> slots = Slots(3);
  const std::vector<Backend> applied = {{"a", {a1}, 90}, {"b", {b1}, 10}};
  const RoutingPlan plan = PlanRouting("app", slots, {}, applied);
  Execute(plan, slots);
  slots[1].weight = 256;                           // b by hand: now 50/50
  slots[2] = {"srv3", "10.1.1.1", 80, 2, 4, 256};  // a server slipway did not put there
  const std::vector<Backend> observed = ObserveRouting(slots, plan.slots, applied);
  ASSERT_EQ(observed.size(), 3u);
  EXPECT_EQ(observed[0].weight, 34);  // three equal weights: the remainder goes to the first
  EXPECT_EQ(observed[1].weight, 33);
  EXPECT_EQ(observed[2].revision, "");
  EXPECT_THAT(observed[2].endpoints, ElementsAre(Endpoint{"10.1.1.1", 80}));
}

TEST(HaproxyPlan, CheckBackendsRefusesBadTables) {
  const Endpoint a{"127.0.0.1", 8001};
  EXPECT_TRUE(CheckBackends({{"a", {a}, 100}}, 1).ok());
  EXPECT_TRUE(CheckBackends({}, 1).ok());
  EXPECT_EQ(CheckBackends({{"a", {a}, 90}}, 4).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckBackends({{"a", {a}, 50}, {"a", {a}, 50}}, 4).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckBackends({{"a", {}, 100}}, 4).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckBackends({{"a", {{"localhost", 80}}, 100}}, 4).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckBackends({{"a", {a, {"127.0.0.1", 8002}}, 100}}, 1).code(),
            StatusCode::kResourceExhausted);
}

TEST(ExecStatus, ParsesTheDocumentedShape) {
  Result<RevisionState> state = ParseExecStatus(
      R"({"desired":3,"running":3,"ready":2,"endpoints":["10.0.0.1:80","10.0.0.2:80"],)"
      R"("message":"1 pod pending","extra":true})");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->desired, 3);
  EXPECT_EQ(state->ready, 2);
  EXPECT_THAT(state->endpoints, ElementsAre(Endpoint{"10.0.0.1", 80}, Endpoint{"10.0.0.2", 80}));
  EXPECT_EQ(state->message, "1 pod pending");
}

TEST(ExecStatus, RefusesWhatItCannotUse) {
  for (const char* bad :
       {"", "not json", "[1,2]", R"({"running":1,"ready":1})",
        R"({"desired":-1,"running":1,"ready":1})", R"({"desired":1,"running":1,"ready":"1"})",
        R"({"desired":1,"running":1,"ready":1,"endpoints":["nohost"]})",
        R"({"desired":1,"running":1,"ready":1,"endpoints":"a:1"})"}) {
    Result<RevisionState> state = ParseExecStatus(bad);
    EXPECT_FALSE(state.ok()) << bad;
    EXPECT_EQ(state.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace slipway::deploy
