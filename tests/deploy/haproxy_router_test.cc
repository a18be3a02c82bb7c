// HaproxyRouter against a real haproxy (started here on free ports) in front of real instances
// run by a ProcessTarget.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/haproxy_process.h"
#include "deploy/haproxy_runtime.h"
#include "deploy/revision_servers.h"

namespace slipway::deploy {
namespace {

using testing::CountAnswers;
using testing::HaproxyProcess;
using ::testing::HasSubstr;
using testing::RevisionServers;
using testing::TempDir;

constexpr int kSlots = 4;

// One haproxy and the revisions of RevisionServers, shared by the tests of this file: starting
// them costs a second or two.
class HaproxyRouterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = std::make_unique<Shared>();
    Shared& s = *shared_;
    s.haproxy = std::make_unique<HaproxyProcess>(s.dir.path(), kSlots);
    ASSERT_TRUE(s.haproxy->ok()) << s.haproxy->error();
    s.servers = std::make_unique<RevisionServers>(s.dir.path());
    ASSERT_TRUE(s.servers->ok()) << s.servers->error();
  }

  static void TearDownTestSuite() {
    shared_->servers.reset();
    shared_->haproxy.reset();
    shared_.reset();
  }

  void SetUp() override {
    ASSERT_TRUE(shared_->haproxy && shared_->haproxy->ok() && shared_->servers &&
                shared_->servers->ok())
        << "set-up failed";
    // Every test starts from idle slots and no saved mapping.
    std::string line;
    for (int i = 1; i <= kSlots; ++i) {
      line += (i > 1 ? ";" : "") + std::string("set server app/srv") + std::to_string(i) +
              " state maint";
    }
    ASSERT_TRUE(Send(line).ok());
    std::filesystem::remove(StateFile());
  }

  static std::filesystem::path StateFile() { return shared_->dir.path() / "router.json"; }

  static HaproxyRouterOptions Options(std::string socket = shared_->haproxy->unix_socket()) {
    HaproxyRouterOptions options = shared_->haproxy->RouterOptions(kSlots);
    options.socket = std::move(socket);
    options.state_file = StateFile();
    return options;
  }

  static std::unique_ptr<Router> Make(HaproxyRouterOptions options = Options()) {
    Result<std::unique_ptr<Router>> router = MakeHaproxyRouter(std::move(options));
    EXPECT_TRUE(router.ok()) << router.status().ToString();
    return router.ok() ? std::move(router).value() : nullptr;
  }

  static Result<std::string> Send(const std::string& line) { return shared_->haproxy->Send(line); }

  static std::vector<Backend> Split(int blue, int green) {
    return shared_->servers->Split(blue, green);
  }

  static std::map<std::string, int> Count(int n) {
    return CountAnswers(shared_->haproxy->frontend(), n);
  }

  struct Shared {
    TempDir dir;
    std::unique_ptr<HaproxyProcess> haproxy;
    std::unique_ptr<RevisionServers> servers;
  };
  static std::unique_ptr<Shared> shared_;
};

std::unique_ptr<HaproxyRouterTest::Shared> HaproxyRouterTest::shared_;

TEST_F(HaproxyRouterTest, SplitsTrafficByWeightAndShiftsIt) {
  auto router = Make();
  ASSERT_TRUE(router);
  ASSERT_TRUE(router->Apply(Split(90, 10)).ok());
  Result<std::vector<Backend>> observed = router->Observe();
  ASSERT_TRUE(observed.ok()) << observed.status().ToString();
  EXPECT_EQ(*observed, Split(90, 10));

  std::map<std::string, int> counts = Count(1000);
  EXPECT_EQ(counts["failed"], 0);
  EXPECT_GE(counts["green"], 60);
  EXPECT_LE(counts["green"], 140);
  EXPECT_EQ(counts["blue"] + counts["green"], 1000);

  ASSERT_TRUE(router->Apply(Split(0, 100)).ok());
  EXPECT_EQ(*router->Observe(), Split(0, 100));
  counts = Count(200);
  EXPECT_EQ(counts["green"], 200);

  ASSERT_TRUE(router->Apply({{"blue", shared_->servers->endpoints("blue"), 100}}).ok());
  EXPECT_EQ(*router->Observe(),
            (std::vector<Backend>{{"blue", shared_->servers->endpoints("blue"), 100}}));
  counts = Count(100);
  EXPECT_EQ(counts["blue"], 100);
}

TEST_F(HaproxyRouterTest, AHandChangeShowsInObserveAndApplyRepairsIt) {
  auto router = Make();
  ASSERT_TRUE(router);
  ASSERT_TRUE(router->Apply(Split(100, 0)).ok());
  EXPECT_EQ(*router->Observe(), Split(100, 0));

  // Someone gives green's server full weight through the socket.
  Result<std::string> state = Send("show servers state app");
  ASSERT_TRUE(state.ok());
  std::string green_slot;
  Result<std::vector<HaproxyServer>> servers = ParseServersState(*state, "app");
  ASSERT_TRUE(servers.ok());
  for (const HaproxyServer& server : servers.value()) {
    if (server.port == shared_->servers->endpoints("green")[0].port) green_slot = server.name;
  }
  ASSERT_FALSE(green_slot.empty());
  ASSERT_TRUE(Send("set server app/" + green_slot + " weight 256").ok());

  Result<std::vector<Backend>> observed = router->Observe();
  ASSERT_TRUE(observed.ok());
  ASSERT_EQ(observed->size(), 2u);
  EXPECT_EQ((*observed)[0].weight, 67);
  EXPECT_EQ((*observed)[1].revision, "green");
  EXPECT_EQ((*observed)[1].weight, 33);

  ASSERT_TRUE(router->Apply(Split(100, 0)).ok());
  EXPECT_EQ(*router->Observe(), Split(100, 0));
}

TEST_F(HaproxyRouterTest, ANewRouterAdoptsTheMappingAndTcpSocketsWork) {
  auto router = Make();
  ASSERT_TRUE(router);
  ASSERT_TRUE(router->Apply(Split(75, 25)).ok());
  router.reset();

  auto adopted = Make(Options(shared_->haproxy->tcp_socket().ToString()));
  ASSERT_TRUE(adopted);
  Result<std::vector<Backend>> observed = adopted->Observe();
  ASSERT_TRUE(observed.ok()) << observed.status().ToString();
  EXPECT_EQ(*observed, Split(75, 25));
  // The next Apply keeps the slots in place: only weights change.
  ASSERT_TRUE(adopted->Apply(Split(50, 50)).ok());
  EXPECT_EQ(*adopted->Observe(), Split(50, 50));

  // Without the state file, a router sees the servers but not which revision they serve.
  HaproxyRouterOptions no_state = Options();
  no_state.state_file.clear();
  auto stranger = Make(no_state);
  ASSERT_TRUE(stranger);
  observed = stranger->Observe();
  ASSERT_TRUE(observed.ok());
  ASSERT_EQ(observed->size(), 1u);
  EXPECT_EQ((*observed)[0].revision, "");
  EXPECT_EQ((*observed)[0].endpoints.size(), 3u);
}

TEST_F(HaproxyRouterTest, UnreachableSocketOrErrorAnswersAreUnavailableAndChangeNothing) {
  auto router = Make();
  ASSERT_TRUE(router);
  ASSERT_TRUE(router->Apply(Split(90, 10)).ok());

  auto nowhere = Make(Options((shared_->dir.path() / "no.sock").string()));
  ASSERT_TRUE(nowhere);
  Status status = nowhere->Apply(Split(0, 100));
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("no.sock"));
  EXPECT_EQ(nowhere->Observe().status().code(), StatusCode::kUnavailable);

  HaproxyRouterOptions wrong = Options();
  wrong.backend = "nosuch";
  wrong.state_file = shared_->dir.path() / "wrong.json";
  auto refused = Make(wrong);
  ASSERT_TRUE(refused);
  status = refused->Apply(Split(0, 100));
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("Can't find backend"));

  HaproxyRouterOptions too_many = Options();
  too_many.servers = kSlots + 1;
  auto missing_slot = Make(too_many);
  ASSERT_TRUE(missing_slot);
  status = missing_slot->Apply(Split(0, 100));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("server-template"));

  EXPECT_EQ(router->Apply(Split(50, 40)).code(), StatusCode::kInvalidArgument);
  // None of it touched haproxy.
  EXPECT_EQ(*router->Observe(), Split(90, 10));
}

}  // namespace
}  // namespace slipway::deploy
