// `environments:`: every key loaded into the model, defaults, and every problem with its
// position.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr std::string_view kEnvironments = R"(environments:
  staging:
    target:
      process:
        command: ./server --port {port}
        working-directory: app
        instances: 2
        env: { MODE: staging, WORKERS: 4 }
        readiness: { http: /healthz, interval: 250ms, timeout: 1s }
        liveness: { exec: "curl -fs localhost:{port}/live", failure-threshold: 5 }
        restart-backoff: 1s
        max-restarts: 0
    router:
      proxy: { listen: 127.0.0.1:8080, sticky-cookie: slipway-pool }
    self-heal: true
    variables: { LOG_LEVEL: info }
  production:
    promote-from: staging
    protection:
      branches: [main, release/*]
      windows:
        - { cron: "* 9-16 * * 1-5", time-zone: Europe/Berlin }
        - cron: "@daily"
      approvals: 1
    target:
      process:
        command: ./server
        readiness: { tcp: true }
    router:
      haproxy: { socket: /run/haproxy.sock, backend: app, servers: 2 }
  edge:
    promote-from: [staging, production]
    target:
      exec: { apply: ./apply.sh, status: ./status.sh, remove: ./remove.sh, timeout: 10m }
    router:
      haproxy: { socket: "[::1]:9999", backend: edge, server-prefix: slot, servers: 10 }
  bare:
    target:
      exec: { apply: ./apply.sh, status: ./status.sh }
jobs:
  build:
    steps: [{run: make}]
)";

TEST(Environments, EveryKeyIsLoadedIntoTheModel) {
  LoadResult result = ParsePipeline(kEnvironments, "p.yml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(Errors(kEnvironments));
  const Pipeline& pipeline = *result.pipeline;
  ASSERT_EQ(pipeline.environments.size(), 4u);

  const Environment& staging = pipeline.environments[0];
  EXPECT_EQ(staging.name, "staging");
  EXPECT_EQ(staging.pos.line, 2);
  EXPECT_EQ(staging.pos.column, 3);
  ASSERT_TRUE(staging.target.process);
  EXPECT_FALSE(staging.target.exec);
  const ProcessTargetSpec& process = *staging.target.process;
  EXPECT_EQ(process.command, "./server --port {port}");
  EXPECT_EQ(process.working_directory, "app");
  EXPECT_EQ(process.instances, 2);
  EXPECT_THAT(process.env, ElementsAre(Pair("MODE", "staging"), Pair("WORKERS", "4")));
  ASSERT_TRUE(process.readiness);
  EXPECT_EQ(process.readiness->http_path, "/healthz");
  EXPECT_FALSE(process.readiness->tcp);
  EXPECT_EQ(process.readiness->exec, "");
  EXPECT_EQ(process.readiness->interval, milliseconds(250));
  EXPECT_EQ(process.readiness->timeout, seconds(1));
  EXPECT_EQ(process.readiness->failure_threshold, 3);
  EXPECT_EQ(process.readiness->pos.line, 9);
  ASSERT_TRUE(process.liveness);
  EXPECT_EQ(process.liveness->exec, "curl -fs localhost:{port}/live");
  EXPECT_EQ(process.liveness->http_path, "");
  EXPECT_EQ(process.liveness->interval, milliseconds(500));
  EXPECT_EQ(process.liveness->timeout, seconds(2));
  EXPECT_EQ(process.liveness->failure_threshold, 5);
  EXPECT_EQ(process.restart_backoff, seconds(1));
  EXPECT_EQ(process.max_restarts, 0);
  ASSERT_TRUE(staging.router);
  ASSERT_TRUE(staging.router->proxy);
  EXPECT_FALSE(staging.router->haproxy);
  EXPECT_EQ(staging.router->proxy->listen, "127.0.0.1:8080");
  EXPECT_EQ(staging.router->proxy->sticky_cookie, "slipway-pool");
  EXPECT_TRUE(staging.self_heal);
  EXPECT_THAT(staging.variables, ElementsAre(Pair("LOG_LEVEL", "info")));
  EXPECT_THAT(staging.promote_from, IsEmpty());
  EXPECT_THAT(staging.protection.branches, IsEmpty());
  EXPECT_THAT(staging.protection.windows, IsEmpty());
  EXPECT_EQ(staging.protection.approvals.count, 0);

  const Environment& production = pipeline.environments[1];
  EXPECT_EQ(production.name, "production");
  EXPECT_THAT(production.promote_from, ElementsAre("staging"));
  EXPECT_THAT(production.protection.branches, ElementsAre("main", "release/*"));
  ASSERT_EQ(production.protection.windows.size(), 2u);
  EXPECT_EQ(production.protection.windows[0].cron, "* 9-16 * * 1-5");
  EXPECT_EQ(production.protection.windows[0].time_zone, "Europe/Berlin");
  EXPECT_EQ(production.protection.windows[1].cron, "@daily");
  EXPECT_EQ(production.protection.windows[1].time_zone, "UTC");
  EXPECT_EQ(production.protection.approvals.count, 1);
  ASSERT_TRUE(production.target.process);
  EXPECT_EQ(production.target.process->instances, 1);
  EXPECT_EQ(production.target.process->working_directory, "");
  EXPECT_EQ(production.target.process->restart_backoff, milliseconds(500));
  EXPECT_EQ(production.target.process->max_restarts, 5);
  ASSERT_TRUE(production.target.process->readiness);
  EXPECT_TRUE(production.target.process->readiness->tcp);
  EXPECT_FALSE(production.target.process->liveness);
  ASSERT_TRUE(production.router && production.router->haproxy);
  EXPECT_EQ(production.router->haproxy->socket, "/run/haproxy.sock");
  EXPECT_EQ(production.router->haproxy->backend, "app");
  EXPECT_EQ(production.router->haproxy->server_prefix, "srv");
  EXPECT_EQ(production.router->haproxy->servers, 2);
  EXPECT_FALSE(production.self_heal);

  const Environment& edge = pipeline.environments[2];
  EXPECT_THAT(edge.promote_from, ElementsAre("staging", "production"));
  ASSERT_TRUE(edge.target.exec);
  EXPECT_FALSE(edge.target.process);
  EXPECT_EQ(edge.target.exec->apply, "./apply.sh");
  EXPECT_EQ(edge.target.exec->status, "./status.sh");
  EXPECT_EQ(edge.target.exec->remove, "./remove.sh");
  EXPECT_EQ(edge.target.exec->timeout, minutes(10));
  ASSERT_TRUE(edge.router && edge.router->haproxy);
  EXPECT_EQ(edge.router->haproxy->socket, "[::1]:9999");
  EXPECT_EQ(edge.router->haproxy->server_prefix, "slot");
  EXPECT_EQ(edge.router->haproxy->servers, 10);

  const Environment& bare = pipeline.environments[3];
  ASSERT_TRUE(bare.target.exec);
  EXPECT_EQ(bare.target.exec->remove, "");
  EXPECT_EQ(bare.target.exec->timeout, minutes(5));
  EXPECT_FALSE(bare.router);

  EXPECT_EQ(pipeline.FindEnvironment("edge"), &edge);
  EXPECT_EQ(pipeline.FindEnvironment("nowhere"), nullptr);
}

// The smallest valid environment around one `target:` / `router:` body.
std::string OneEnvironment(std::string_view body) {
  return "environments:\n  prod:\n" + std::string(body) + "jobs:\n  a: {steps: [{run: x}]}\n";
}
constexpr std::string_view kProcess = "    target: {process: {command: ./server}}\n";

TEST(Environments, TargetNeedsExactlyOneKind) {
  EXPECT_THAT(Errors(OneEnvironment("    target: {}\n")),
              ElementsAre("p.yml:3:5: target needs one of 'process' or 'exec'"));
  EXPECT_THAT(Errors(OneEnvironment("    target:\n      process: {command: a}\n"
                                    "      exec: {apply: a, status: b}\n")),
              ElementsAre("p.yml:5:7: target has both 'process' and 'exec' (keep one of them)"));
  EXPECT_THAT(Errors(OneEnvironment("    router: {proxy: {listen: 'localhost:1'}}\n")),
              ElementsAre("p.yml:2:3: environment 'prod' has no target (add target: with "
                          "process: or exec: to say where it runs)"));
  EXPECT_THAT(Errors(OneEnvironment("    target:\n      procces: {command: a}\n")),
              ElementsAre("p.yml:3:5: target needs one of 'process' or 'exec'",
                          "p.yml:4:7: unknown key 'procces' in target (did you mean 'process'?)"));
}

TEST(Environments, ProcessTargetFields) {
  EXPECT_THAT(
      Errors(OneEnvironment("    target:\n      process:\n        command: ' '\n"
                            "        working-directory: ../up\n        instances: 0\n"
                            "        restart-backoff: 1m\n        max-restarts: -1\n"
                            "        env: {1X: a, B: '${{ branch }}'}\n        replicas: 2\n")),
      ElementsAre("p.yml:5:18: 'command' must not be empty",
                  "p.yml:6:28: working-directory must not leave the artifact ('..')",
                  "p.yml:7:20: expected an integer between 1 and 64, got 0",
                  "p.yml:8:26: restart-backoff must be at most 30s (the delay doubles after "
                  "each crash, up to 30s)",
                  "p.yml:9:23: expected an integer between 0 and 1000, got -1",
                  "p.yml:10:15: invalid environment variable name '1X' (use letters, digits and "
                  "'_', not starting with a digit)",
                  "p.yml:10:25: '${{ }}' is not expanded in environment settings (they are "
                  "applied outside any run; pass run values to the deploy job's artifact "
                  "instead)",
                  "p.yml:11:9: unknown key 'replicas' in process target (expected command, "
                  "working-directory, instances, env, readiness, liveness, restart-backoff or "
                  "max-restarts)"));
  EXPECT_THAT(Errors(OneEnvironment("    target:\n      process: {instances: 65}\n")),
              ElementsAre("p.yml:4:16: process target is missing required key 'command'",
                          "p.yml:4:28: expected an integer between 1 and 64, got 65"));
  EXPECT_THAT(Errors(OneEnvironment("    target:\n      process: {command: a, working-directory: "
                                    "/srv}\n")),
              ElementsAre("p.yml:4:48: working-directory must be relative to the artifact "
                          "(remove the leading '/')"));
}

TEST(Environments, HealthChecksNeedExactlyOneKind) {
  auto check = [](std::string_view body) {
    return Errors(
        OneEnvironment("    target:\n      process:\n        command: a\n" + std::string(body)));
  };
  EXPECT_THAT(check("        readiness: {interval: 1s}\n"),
              ElementsAre("p.yml:6:9: readiness check needs one of 'http', 'tcp' or 'exec'"));
  EXPECT_THAT(check("        liveness: {http: /a, exec: b}\n"),
              ElementsAre("p.yml:6:30: liveness check has both 'http' and 'exec' (keep one of "
                          "them)"));
  EXPECT_THAT(check("        readiness: {http: healthz, timeout: 0s, failure-threshold: 0}\n"),
              ElementsAre("p.yml:6:27: the http check's path must start with '/' (e.g. /healthz)",
                          "p.yml:6:45: duration '0s' must be greater than 0",
                          "p.yml:6:68: expected an integer between 1 and 100, got 0"));
  EXPECT_THAT(check("        readiness: {tcp: false}\n        liveness: {exec: ''}\n"),
              ElementsAre("p.yml:6:26: 'tcp: false' checks nothing (use tcp: true, http: PATH or "
                          "exec: COMMAND, or remove the check)",
                          "p.yml:7:26: 'exec' must not be empty"));
  EXPECT_THAT(check("        readiness: {htpp: /a}\n"),
              ElementsAre("p.yml:6:9: readiness check needs one of 'http', 'tcp' or 'exec'",
                          "p.yml:6:21: unknown key 'htpp' in readiness check (did you mean "
                          "'http'?)"));
}

TEST(Environments, ExecTargetFields) {
  EXPECT_THAT(Errors(OneEnvironment("    target:\n      exec: {apply: a, remove: '', timeout: "
                                    "5}\n")),
              ElementsAre("p.yml:4:13: exec target is missing required key 'status'",
                          "p.yml:4:32: 'remove' must not be empty",
                          "p.yml:4:45: duration '5' has no unit (add a unit, e.g. 30s or 10m)"));
}

TEST(Environments, RouterNeedsExactlyOneKindAndWellFormedAddresses) {
  auto router = [](std::string_view body) {
    return Errors(OneEnvironment(std::string(kProcess) + "    router:\n" + std::string(body)));
  };
  EXPECT_THAT(router("      nginx: {}\n"),
              ElementsAre("p.yml:4:5: router needs one of 'proxy' or 'haproxy'",
                          "p.yml:5:7: unknown key 'nginx' in router (expected proxy or haproxy)"));
  EXPECT_THAT(router("      proxy: {listen: ':8080'}\n      haproxy: {}\n"),
              ElementsAre("p.yml:6:7: router has both 'proxy' and 'haproxy' (keep one of them)"));
  EXPECT_THAT(router("      proxy: {listen: ':8080'}\n"),
              ElementsAre("p.yml:5:23: ':8080' has no host (e.g. 127.0.0.1:8080, or "
                          "0.0.0.0:8080 for every interface)"));
  EXPECT_THAT(router("      proxy: {listen: 'localhost:0', sticky-cookie: 'a b'}\n"),
              ElementsAre("p.yml:5:23: 'localhost:0' has no port in 1-65535 (e.g. "
                          "127.0.0.1:8080, or 0.0.0.0:8080 for every interface)",
                          "p.yml:5:53: 'a b' is not a cookie name (use letters, digits and "
                          "!#$%&'*+-.^_`|~, e.g. slipway-pool)"));
  EXPECT_THAT(router("      proxy: {listen: '::1:8080'}\n"),
              ElementsAre("p.yml:5:23: '::1:8080' is not HOST:PORT (write an IPv6 address in "
                          "brackets: [::1]:8080) (e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for "
                          "every interface)"));
  EXPECT_THAT(router("      proxy: {listen: 8080}\n"),
              ElementsAre("p.yml:5:23: expected a string, got number 8080 (quote it to use it "
                          "as text: '8080')"));
  EXPECT_THAT(router("      proxy: {}\n"),
              ElementsAre("p.yml:5:14: proxy router is missing required key 'listen'"));
  EXPECT_THAT(
      router("      haproxy: {socket: run/haproxy.sock, backend: 'my app', servers: 0}\n"),
      ElementsAre("p.yml:5:25: haproxy socket 'run/haproxy.sock' is neither an absolute path "
                  "nor HOST:PORT (e.g. /run/haproxy/admin.sock or 127.0.0.1:9999 (a 'stats "
                  "socket' line of haproxy.cfg with 'level admin'))",
                  "p.yml:5:52: 'my app' is not a haproxy name (use letters, digits, '-', '_', "
                  "'.' and ':')",
                  "p.yml:5:71: expected an integer between 1 and 1000, got 0"));
  EXPECT_THAT(router("      haproxy: {socket: 'localhost:9999'}\n"),
              ElementsAre("p.yml:5:16: haproxy router is missing required key 'backend'",
                          "p.yml:5:16: haproxy router is missing required key 'servers'"));
}

TEST(Environments, HaproxyNeedsASlotForEveryInstanceOfTwoRevisions) {
  EXPECT_THAT(
      Errors(OneEnvironment("    target: {process: {command: a, instances: 3}}\n    router:\n"
                            "      haproxy: {socket: /s, backend: b, servers: 5}\n")),
      ElementsAre("p.yml:5:7: haproxy backend 'b' has 5 server slots; environment 'prod' needs 6 "
                  "(its instances, twice: two revisions run during a rollout) (set servers (and "
                  "server-template in haproxy.cfg) to at least 6)"));
}

TEST(Environments, ProtectionFields) {
  EXPECT_THAT(
      Errors(OneEnvironment(std::string(kProcess) +
                            "    protection:\n      branches: ['!main', 'release/[']\n"
                            "      windows:\n        - {cron: '* 25 * * *'}\n"
                            "        - {cron: '@daily', time-zone: 'Europe/../etc'}\n"
                            "        - {time-zone: UTC}\n      approvals: -1\n"
                            "      approval: 1\n")),
      ElementsAre(
          "p.yml:5:18: protection branches cannot be negated (list the branches that "
          "may deploy)",
          "p.yml:5:27: invalid glob 'release/[': unterminated character class '[' at column 9",
          "p.yml:7:18: invalid cron '* 25 * * *': hour field '25': 25 is out of range 0-23",
          "p.yml:8:39: 'Europe/../etc' is not a time zone name (use an IANA name such as "
          "Europe/Berlin, America/New_York or UTC)",
          "p.yml:9:11: deploy window is missing required key 'cron'",
          "p.yml:10:18: expected an integer between 0 and 100, got -1",
          "p.yml:11:7: unknown key 'approval' in protection (did you mean "
          "'approvals'?)"));
  EXPECT_THAT(Errors(OneEnvironment(std::string(kProcess) +
                                    "    protection: {branches: [], windows: []}\n")),
              ElementsAre("p.yml:4:28: 'branches' must not be empty (remove it to allow every "
                          "branch)",
                          "p.yml:4:41: 'windows' must not be empty (remove it to allow any "
                          "time)"));
}

TEST(Environments, EnvironmentLevelKeys) {
  EXPECT_THAT(
      Errors("environments:\n  prod env:\n" + std::string(kProcess) +
             "    self-heal: yes\n    variables: [A]\n    promote_from: x\n"
             "jobs:\n  a: {steps: [{run: x}]}\n"),
      ElementsAre("p.yml:2:3: invalid environment name 'prod env' (use letters, digits, '_' and "
                  "'-', starting with a letter or '_')",
                  "p.yml:4:16: expected a boolean, got string 'yes' (use true or false)",
                  "p.yml:5:16: expected a map, got a list",
                  "p.yml:6:5: unknown key 'promote_from' in environment 'prod env' (did you mean "
                  "'promote-from'?)"));
  EXPECT_THAT(Errors("environments:\njobs:\n  a: {steps: [{run: x}]}\n"),
              ElementsAre("p.yml:1:1: 'environments' is empty (define an environment, or remove "
                          "the key)"));
  EXPECT_THAT(Errors("environments: {}\njobs:\n  a: {steps: [{run: x}]}\n"),
              ElementsAre("p.yml:1:15: 'environments' is empty (define an environment, or remove "
                          "the key)"));
  EXPECT_THAT(Errors("enviroments: {}\njobs:\n  a: {steps: [{run: x}]}\n"),
              ElementsAre("p.yml:1:1: unknown key 'enviroments' in the pipeline (did you mean "
                          "'environments'?)"));
}

TEST(Environments, PromoteFromNamesOtherEnvironmentsWithoutCycles) {
  EXPECT_THAT(
      Errors("environments:\n"
             "  dev:\n" +
             std::string(kProcess) + "    promote-from: [dev, stagign, broken]\n" + "  staging:\n" +
             std::string(kProcess) + "    promote-from: prod\n" + "  prod:\n" +
             std::string(kProcess) + "    promote-from: [dev, staging]\n" + "  broken: {}\n" +
             "jobs:\n  a: {steps: [{run: x}]}\n"),
      ElementsAre("p.yml:4:20: environment 'dev' promotes from itself",
                  "p.yml:4:25: environment 'dev' promotes from 'stagign', which is not an "
                  "environment (did you mean 'staging'?)",
                  "p.yml:7:19: cycle in promote-from: staging -> prod -> staging (a release "
                  "reaches each environment from the ones before it)",
                  "p.yml:11:3: environment 'broken' has no target (add target: with process: or "
                  "exec: to say where it runs)"));
}

TEST(Environments, RouterAddressesMustNotClash) {
  EXPECT_THAT(
      Errors("environments:\n"
             "  a:\n" +
             std::string(kProcess) + "    router: {proxy: {listen: '0.0.0.0:8080'}}\n" + "  b:\n" +
             std::string(kProcess) + "    router: {proxy: {listen: '127.0.0.1:8080'}}\n" +
             "  c:\n" + std::string(kProcess) +
             "    router: {haproxy: {socket: /s, backend: x, servers: 2}}\n" + "  d:\n" +
             std::string(kProcess) +
             "    router: {haproxy: {socket: /s, backend: x, servers: 2}}\n" + "  e:\n" +
             std::string(kProcess) + "    router: {proxy: {listen: '127.0.0.1:8081'}}\n" +
             "jobs:\n  a: {steps: [{run: x}]}\n"),
      ElementsAre("p.yml:7:14: environment 'b' listens on 127.0.0.1:8080, as environment 'a' "
                  "does on 0.0.0.0:8080 (give each environment's proxy an address of its own)",
                  "p.yml:13:14: environment 'd' drives haproxy backend 'x' on /s, as "
                  "environment 'c' does (give each environment a backend of its own)"));
}

}  // namespace
}  // namespace slipway::spec::testing
