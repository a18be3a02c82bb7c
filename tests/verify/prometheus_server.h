// A real Prometheus (Debian's /usr/bin/prometheus) for the provider tests: a temp directory
// with its config and TSDB, a free localhost port, scraping the given targets every second.
// Ready once /-/ready answers 200 (within 20 s); stopped and its directory removed on
// destruction.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "provider_test_util.h"
#include "util/fs.h"

namespace slipway::verify::testing {

class PrometheusServer {
 public:
  // `targets` are "host:port" of services exposing /metrics (job "demo"); may be empty.
  // `scrape_token`, when set, is sent to them as a bearer token. `rules`, when set, is the
  // text of a rules file Prometheus loads (and evaluates every second).
  explicit PrometheusServer(const std::vector<std::string>& targets,
                            const std::string& scrape_token = "", const std::string& rules = "") {
    auto dir = MakeTempDir("slipway-prometheus-test");
    if (!dir.ok()) {
      error_ = dir.status().ToString();
      return;
    }
    dir_ = *dir;
    port_ = FreePort();
    std::string config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n";
    if (!rules.empty()) {
      std::ofstream(dir_ / "rules.yml") << rules;
      config += "rule_files: ['" + (dir_ / "rules.yml").string() + "']\n";
    }
    config += "scrape_configs:\n  - job_name: demo\n";
    if (!scrape_token.empty())
      config += "    authorization:\n      credentials: " + scrape_token + "\n";
    config += "    static_configs:\n      - targets: [";
    for (size_t i = 0; i < targets.size(); ++i) config += (i ? ", '" : "'") + targets[i] + "'";
    config += "]\n";
    std::ofstream(dir_ / "prometheus.yml") << config;
    ProcessSpec spec;
    // setpriv makes a test binary that crashes or is killed take Prometheus with it.
    if (std::filesystem::exists("/usr/bin/setpriv")) {
      spec.argv = {"/usr/bin/setpriv", "--pdeathsig", "TERM"};
    }
    spec.argv.insert(
        spec.argv.end(),
        {"/usr/bin/prometheus", "--config.file=" + (dir_ / "prometheus.yml").string(),
         "--storage.tsdb.path=" + (dir_ / "data").string(),
         "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"});
    spec.cwd = dir_;
    spec.env = {"PATH=/usr/bin:/bin", "HOME=" + dir_.string()};
    spec.kill_grace = 3000ms;
    process_ = std::make_unique<BackgroundProcess>(std::move(spec));
    const bool ready = WaitUntil(
        [&] {
          if (process_->exited()) return true;
          http::ClientOptions options;
          options.base_url = address();
          options.connect_timeout = 500ms;
          options.request_timeout = 1000ms;
          auto client = http::HttpClient::Create(options);
          if (!client.ok()) return false;
          auto answer = (*client)->Send("GET", "/-/ready");
          return answer.ok() && answer->status == 200;
        },
        20000ms);
    if (!ready || process_->exited()) {
      error_ = "prometheus did not become ready: " + process_->output();
    }
  }
  ~PrometheusServer() {
    Stop();
    if (!dir_.empty()) (void)RemoveTree(dir_);
  }
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string address() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Stop() {
    if (process_) process_->Stop();
  }

 private:
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
  std::string error_;
};

}  // namespace slipway::verify::testing
