// Server tests around one deployed service: project "svc", a tiny HTTP service (answers its
// VERSION, "v1" at first, and /healthz) that its pipeline builds and deploys to environment
// "production" as a canary (50%, then a pause until approved) behind the built-in proxy on
// 127.0.0.1:port_. The environment is destroyed after each test.
#pragma once

#include <string>

#include "e2e/server_harness.h"

namespace slipway::e2e {

class CanaryServiceTest : public ServerE2eTest {
 protected:
  CanaryServiceTest(int instances, bool self_heal) : instances_(instances), self_heal_(self_heal) {}

  void SetUp() override {
    ServerE2eTest::SetUp();
    port_ = FreePort();
    CommitCanaryService();
  }

  void TearDown() override {
    // The environment's processes outlive servers: take them down (when it got that far).
    TakeDownEnvironment("svc", "production");
    ServerE2eTest::TearDown();
  }

  // What production answers to GET / ("error: …" when nothing answers).
  std::string Production() {
    http::ClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(port_);
    auto client = http::HttpClient::Create(options);
    auto answer = (*client)->Send("GET", "/");
    if (!answer.ok()) return "error: " + answer.status().message();
    return std::to_string(answer->status) + " " + answer->body;
  }

  Json Environment() { return Call("GET", "/api/v1/projects/svc/environments/production").json; }

  // Waits until the rollout in progress is paused for approval.
  bool WaitForPause() { return WaitForRolloutStep("svc", "production", "set weight 50"); }

  uint16_t port_ = 0;

 private:
  // Commits project "svc": the service and its pipeline.
  void CommitCanaryService() {
    Write("server.py", R"(import http.server, sys
version = open("VERSION").read().strip()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\n" if self.path == "/healthz" else (version + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
)");
    Write("VERSION", "v1\n");
    Write(".slipway.yml", R"(name: svc
on:
  manual:
environments:
  production:
    target:
      process:
        command: exec python3 server.py {port}
        instances: )" + std::to_string(instances_) +
                              R"(
        readiness: { http: /healthz, interval: 100ms }
    router:
      proxy: { listen: 127.0.0.1:)" +
                              std::to_string(port_) + R"( }
    self-heal: )" + (self_heal_ ? "true" : "false") +
                              R"(
jobs:
  build:
    artifacts: app
    steps:
      - run: mkdir -p app && cp server.py VERSION app/
  deploy:
    needs: build
    deploy:
      environment: production
      artifact: ./app
      strategy:
        canary:
          steps:
            - set-weight: 50
            - pause: {}
)");
    Commit("svc");
  }

  const int instances_;
  const bool self_heal_;
};

}  // namespace slipway::e2e
