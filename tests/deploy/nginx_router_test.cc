// NginxRouter against a real nginx (started here on a free port) in front of real instances.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/instance_process.h"
#include "deploy/port_allocator.h"
#include "deploy/revision_servers.h"

namespace slipway::deploy {
namespace {

using std::chrono::milliseconds;
using testing::CountAnswers;
using ::testing::HasSubstr;
using testing::ReadText;
using testing::RevisionServers;
using testing::TempDir;
using testing::WaitUntil;
using testing::WriteText;

class NginxRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(servers_.ok()) << servers_.error();
    frontend_ = {"127.0.0.1", *AllocatePort("127.0.0.1", {})};
    const std::string d = dir_.path().string();
    std::filesystem::create_directories(dir_.path() / "tmp");
    WriteText(dir_.path() / "nginx.conf",
              "worker_processes 1;\n"
              "daemon off;\n"
              "pid " +
                  d +
                  "/nginx.pid;\n"
                  "error_log " +
                  d +
                  "/error.log;\n"
                  "events { worker_connections 256; }\n"
                  "http {\n"
                  "  access_log off;\n"
                  "  client_body_temp_path " +
                  d +
                  "/tmp/body;\n"
                  "  proxy_temp_path " +
                  d +
                  "/tmp/proxy;\n"
                  "  fastcgi_temp_path " +
                  d +
                  "/tmp/fastcgi;\n"
                  "  uwsgi_temp_path " +
                  d +
                  "/tmp/uwsgi;\n"
                  "  scgi_temp_path " +
                  d +
                  "/tmp/scgi;\n"
                  "  include " +
                  d +
                  "/upstream.conf;\n"
                  "  server {\n"
                  "    listen " +
                  frontend_.ToString() +
                  ";\n"
                  "    location / { proxy_pass http://app; }\n"
                  "  }\n"
                  "}\n");
    nginx_args_ = " -c " + d + "/nginx.conf -p " + d + " -e " + d + "/error.log";

    // Before nginx runs, an empty table gives the file nginx needs to start.
    NginxRouterOptions first = Options();
    first.reload_command.clear();
    auto router = Make(first);
    ASSERT_TRUE(router);
    ASSERT_TRUE(router->Apply({}).ok());
    EXPECT_TRUE(router->Observe()->empty());

    Result<ProcessIdentity> nginx = LaunchDetached({"exec nginx" + nginx_args_,
                                                    dir_.path(),
                                                    {"PATH=/usr/sbin:/usr/bin:/bin"},
                                                    dir_.path() / "nginx.log"});
    ASSERT_TRUE(nginx.ok()) << nginx.status().ToString();
    nginx_ = *nginx;
    ASSERT_TRUE(WaitUntil([&] {
      // nginx creates its pid file before it writes the pid: wait for the number.
      return CountAnswers(frontend_, 1)["failed"] == 1 &&
             ReadText(dir_.path() / "nginx.pid").find_first_of("0123456789") != std::string::npos;
    })) << ReadText(dir_.path() / "error.log");
  }

  void TearDown() override {
    if (nginx_.pid > 0) (void)StopProcessGroups({nginx_}, milliseconds(3000));
  }

  NginxRouterOptions Options() {
    NginxRouterOptions options;
    options.upstream_file = dir_.path() / "upstream.conf";
    options.upstream = "app";
    options.test_command = "nginx -t -q" + nginx_args_;
    options.reload_command = "nginx -s reload" + nginx_args_;
    return options;
  }

  std::unique_ptr<Router> Make(NginxRouterOptions options) {
    Result<std::unique_ptr<Router>> router = MakeNginxRouter(std::move(options));
    EXPECT_TRUE(router.ok()) << router.status().ToString();
    return router.ok() ? std::move(router).value() : nullptr;
  }

  // nginx reloads in the background: waits until `n` answers in a row come from `revision`.
  bool Serving(const std::string& revision, int n = 10) {
    return WaitUntil([&] { return CountAnswers(frontend_, n)[revision] == n; });
  }

  TempDir dir_;
  RevisionServers servers_{dir_.path()};
  Endpoint frontend_;
  std::string nginx_args_;
  ProcessIdentity nginx_;
};

TEST_F(NginxRouterTest, SplitsTrafficByWeightAndShiftsIt) {
  auto router = Make(Options());
  ASSERT_TRUE(router);
  Status first = router->Apply(servers_.Split(100, 0));
  ASSERT_TRUE(first.ok()) << first.ToString();
  ASSERT_TRUE(Serving("blue"));
  ASSERT_TRUE(router->Apply(servers_.Split(90, 10)).ok());
  EXPECT_EQ(*router->Observe(), servers_.Split(90, 10));
  ASSERT_TRUE(WaitUntil([&] { return CountAnswers(frontend_, 20)["green"] > 0; }));

  std::map<std::string, int> counts = CountAnswers(frontend_, 1000);
  EXPECT_EQ(counts["failed"], 0);
  EXPECT_GE(counts["green"], 60);
  EXPECT_LE(counts["green"], 140);

  ASSERT_TRUE(router->Apply(servers_.Split(0, 100)).ok());
  EXPECT_EQ(*router->Observe(), servers_.Split(0, 100));
  // nginx's old worker answers until it has finished its connections: once 100 answers in a
  // row come from green, the new configuration serves alone.
  ASSERT_TRUE(Serving("green", 100));
  EXPECT_EQ(CountAnswers(frontend_, 200)["green"], 200);
}

TEST_F(NginxRouterTest, AConfigurationNginxRefusesIsPutBack) {
  auto router = Make(Options());
  ASSERT_TRUE(router);
  Status first = router->Apply(servers_.Split(100, 0));
  ASSERT_TRUE(first.ok()) << first.ToString();
  const std::string before = ReadText(dir_.path() / "upstream.conf");

  const Status status = router->Apply({{"blue", {{"no-such-host.invalid", 80}}, 100}});
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("no-such-host.invalid"));
  EXPECT_EQ(ReadText(dir_.path() / "upstream.conf"), before);
  EXPECT_EQ(*router->Observe(), servers_.Split(100, 0));
  EXPECT_TRUE(Serving("blue"));

  EXPECT_EQ(router->Apply(servers_.Split(60, 60)).code(), StatusCode::kInvalidArgument);
}

TEST_F(NginxRouterTest, AHandEditShowsInObserve) {
  auto router = Make(Options());
  ASSERT_TRUE(router);
  Status first = router->Apply(servers_.Split(100, 0));
  ASSERT_TRUE(first.ok()) << first.ToString();
  std::string text = ReadText(dir_.path() / "upstream.conf");
  const size_t down = text.find(" down;");
  ASSERT_NE(down, std::string::npos);
  text.replace(down, 6, " weight=512;");
  WriteText(dir_.path() / "upstream.conf", text);

  Result<std::vector<Backend>> observed = router->Observe();
  ASSERT_TRUE(observed.ok()) << observed.status().ToString();
  ASSERT_EQ(observed->size(), 2u);
  EXPECT_EQ((*observed)[0].weight, 50);
  EXPECT_EQ((*observed)[1].weight, 50);
}

}  // namespace
}  // namespace slipway::deploy
