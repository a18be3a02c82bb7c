// `slipway proxy` as a user runs it: two backends, a 90/10 split, the admin API, bad flags.
#include <poll.h>

#include "e2e/e2e_util.h"
#include "proxy/test_http.h"

namespace slipway::e2e {
namespace {

using proxy::testing::Backend;
using proxy::testing::Client;
using proxy::testing::Reply;

// Reads the proxy's ready line from `fd`: "slipway proxy: listening on H:P (admin H:P)".
std::string ReadLine(int fd) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    char c;
    if (read(fd, &c, 1) != 1) break;
    line += c;
  }
  return line;
}

uint16_t PortAfter(const std::string& line, const std::string& prefix) {
  const size_t at = line.find(prefix);
  if (at == std::string::npos) return 0;
  const size_t colon = line.find(':', at + prefix.size());
  return static_cast<uint16_t>(std::stoi(line.substr(colon + 1)));
}

class ProxyCli : public E2eTest {};

TEST_F(ProxyCli, SplitsTrafficAndTakesTablesFromTheAdminApi) {
  Backend stable("stable"), canary("canary");
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  Process proxy = Start({"proxy", "--listen", "127.0.0.1:0", "--pool", "stable=" + stable.address(),
                         "--pool", "canary=" + canary.address(), "--weight", "canary=10", "--admin",
                         "127.0.0.1:0", "--threads", "2"},
                        {{"SLIPWAY_PROXY_ADMIN_TOKEN", "t0ken"}}, pipe_fds[1], true);
  close(pipe_fds[1]);
  const std::string ready = ReadLine(pipe_fds[0]);
  close(pipe_fds[0]);
  ASSERT_EQ(ready.rfind("slipway proxy: listening on 127.0.0.1:", 0), 0u) << ready;
  const uint16_t port = PortAfter(ready, "listening on ");
  const uint16_t admin_port = PortAfter(ready, "(admin ");
  ASSERT_NE(port, 0);
  ASSERT_NE(admin_port, 0);

  Client client(port);
  int to_canary = 0;
  for (int i = 0; i < 500; ++i) {
    Reply reply = client.Get("/");
    ASSERT_TRUE(reply.ok) << reply.error;
    ASSERT_EQ(reply.status, 200);
    to_canary += reply.body == "canary" ? 1 : 0;
  }
  // Binomial(500, 0.1): mean 50, sd 6.7.
  EXPECT_GE(to_canary, 20);
  EXPECT_LE(to_canary, 80);

  Client admin(admin_port);
  EXPECT_EQ(admin.Get("/routes").status, 401);
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer t0ken"}};
  Reply routes = admin.Get("/routes", auth);
  ASSERT_EQ(routes.status, 200);
  const Json table = Json::parse(routes.body);
  ASSERT_EQ(table["pools"].size(), 2u);
  EXPECT_EQ(table["pools"][0]["name"], "stable");
  EXPECT_EQ(table["pools"][0]["weight"], 90);
  EXPECT_EQ(table["pools"][1]["weight"], 10);

  const std::string all_canary =
      R"({"pools":[{"name":"stable","weight":0,"upstreams":[")" + stable.address() +
      R"("]},{"name":"canary","weight":100,"upstreams":[")" + canary.address() + "\"]}]}";
  EXPECT_EQ(admin.Send("PUT", "/routes", auth, all_canary).status, 200);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(client.Get("/").body, "canary");
  EXPECT_EQ(admin.Send("PUT", "/routes", auth, "{\"pools\":").status, 400);
  Reply telemetry = admin.Get("/telemetry", auth);
  ASSERT_EQ(telemetry.status, 200);
  EXPECT_NE(telemetry.body.find("\"recent_latencies\""), std::string::npos);

  proxy.Signal(SIGTERM);
  Outcome outcome = proxy.Wait();
  EXPECT_EQ(outcome.exit_code, 0) << outcome;
}

TEST_F(ProxyCli, BadFlagsExit2NamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"proxy", "--pool", "stable"}, "--pool"},
      {{"proxy", "--pool", "stable=localhost"}, "--pool stable"},
      {{"proxy", "--pool", "stable=127.0.0.1:1", "--weight", "canary=10"}, "--weight"},
      {{"proxy", "--pool", "stable=127.0.0.1:1", "--weight", "stable=150"}, "--weight stable"},
      {{"proxy", "--listen", "nowhere"}, "--listen"},
      {{"proxy", "--admin", "127.0.0.1"}, "--admin"},
      {{"proxy", "--threads", "0"}, "--threads"},
      {{"proxy", "--bogus"}, "--bogus"},
  };
  for (const auto& [args, flag] : cases) {
    Outcome outcome = Slipway(args);
    EXPECT_EQ(outcome.exit_code, 2) << outcome;
    EXPECT_CONTAINS(outcome.err, flag);
  }
}

}  // namespace
}  // namespace slipway::e2e
