// Fixture of the end-to-end tests of `slipway server`, `slipway agent` and the CLI client:
// starts the real binary as a server on a free port (port 0, read back from its log), talks to
// its HTTP API with the project's own client, kills and restarts it, and starts remote agents.
//
// Everything lives under the test's temporary directory (E2eTest): the server's data is
// root()/data unless a test passes its own --data; the project under test is E2eTest's git
// repository (branch main), added to the server with AddProject().
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/e2e_util.h"
#include "http/http.h"

namespace slipway::e2e {

// What one API call answered.
struct ApiAnswer {
  int status = 0;
  Json json;         // the body parsed as JSON (null when it is not JSON)
  std::string body;  // the raw body
};

inline std::ostream& operator<<(std::ostream& os, const ApiAnswer& answer) {
  return os << "HTTP " << answer.status << ": " << answer.body;
}

class ServerE2eTest : public E2eTest {
 protected:
  void TearDown() override {
    agents_.clear();  // SIGKILL, then wait: the destructors of Process
    server_.reset();
    extra_servers_.clear();
    E2eTest::TearDown();
  }

  fs::path data_dir() const { return root_ / "data"; }
  const std::string& url() const { return url_; }
  Process& server() { return *server_; }

  // Starts one more server, `slipway server --data data_dir()N --listen 127.0.0.1:0 ARGS`
  // (N = 2, 3, …), for tests of servers sharing a PostgreSQL database; waits until it listens
  // and returns its URL ("" and a test failure when it did not start within 20 s).
  // It is killed when the test ends.
  std::string StartExtraServer(const std::vector<std::string>& args) {
    const std::string n = std::to_string(extra_servers_.size() + 2);
    std::vector<std::string> argv = {"server", "--data", data_dir().string() + n, "--listen",
                                     "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    const fs::path log = root_ / ("server" + n + ".log");
    extra_servers_.push_back(StartLogged(argv, log));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    static const std::regex kListening(R"(listening on (http://[0-9.]+:[0-9]+))");
    std::smatch match;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = ReadText(log);
      if (std::regex_search(text, match, kListening)) return match[1];
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "server " << n << " did not start within 20 s; its log:\n" << ReadText(log);
    return "";
  }
  std::string ExtraServerLog(int n) const {
    return ReadText(root_ / ("server" + std::to_string(n) + ".log"));
  }

  // Starts `slipway server --data data_dir() --listen 127.0.0.1:0 ARGS` and waits until it
  // answers /healthz (the test fails after 20 s). A server already running is killed first.
  // `--listen` in `args` wins over the default.
  void StartServer(const std::vector<std::string>& args = {}) {
    server_.reset();
    std::vector<std::string> argv = {"server", "--data", data_dir().string()};
    bool listen_given = false;
    for (const auto& arg : args) listen_given = listen_given || arg == "--listen";
    if (!listen_given)
      argv.insert(argv.end(), {"--listen", listen_.empty() ? "127.0.0.1:0" : listen_});
    argv.insert(argv.end(), args.begin(), args.end());
    server_log_ = root_ / ("server." + std::to_string(++server_starts_) + ".log");
    server_.emplace(StartLogged(argv, server_log_));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    static const std::regex kListening(R"(listening on (http://[0-9.]+:([0-9]+)))");
    std::smatch match;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string log = ReadText(server_log_);
      if (std::regex_search(log, match, kListening)) {
        url_ = match[1];
        // Restarts listen on the same port, as a real deployment would (agents keep their URL).
        listen_ = "127.0.0.1:" + match[2].str();
        client_.reset();
        if (Call("GET", "/healthz", "", "").status == 200) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "slipway server did not start within 20 s; its log:\n" << ReadText(server_log_);
  }

  // The server's log so far (stdout and stderr of the current process).
  std::string ServerLog() const { return server_log_.empty() ? "" : ReadText(server_log_); }

  // kill -9 the server, as a crash would, and reap it.
  void KillServer() {
    if (!server_) return;
    server_->Signal(SIGKILL);
    (void)server_->Wait();
    server_.reset();
  }

  // The initial admin token the first start wrote.
  std::string AdminToken() const {
    std::string token = ReadText(data_dir() / "initial-admin-token");
    while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
    return token;
  }

  // Calls the API with `token` (the admin token when nullopt; none when ""). Transport errors
  // fail the test and answer status 0.
  ApiAnswer Call(const std::string& method, const std::string& path, const std::string& body = "",
                 std::optional<std::string> token = std::nullopt) {
    return Call(method, path, body, std::move(token), http::Headers());
  }
  // Waits up to 60 s until the rollout in progress in PROJECT's ENVIRONMENT has `step` (a
  // step's name, "set weight 50") as its latest step; false when it never gets there.
  bool WaitForRolloutStep(const std::string& project, const std::string& environment,
                          const std::string& step) {
    const std::string path = "/api/v1/projects/" + project + "/environments/" + environment;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const Json status = Call("GET", path).json;
      if (status.is_object() && status["active"].is_object() &&
          !status["active"]["steps"].empty() &&
          status["active"]["steps"].back().value("name", "") == step) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Takes PROJECT's ENVIRONMENT down through the API when the server knows it (its processes
  // outlive servers): what a test that deploys does last.
  void TakeDownEnvironment(const std::string& project, const std::string& environment) {
    const std::string path = "/api/v1/projects/" + project + "/environments/" + environment;
    if (Call("GET", path).status != 200) return;
    ApiAnswer down = Call("DELETE", path);
    EXPECT_EQ(down.status, 200) << down;
  }

  // The same with `extra` headers (a webhook's signature, say; Content-Type wins when given).
  ApiAnswer Call(const std::string& method, const std::string& path, const std::string& body,
                 std::optional<std::string> token, const http::Headers& extra) {
    if (!client_) {
      http::ClientOptions options;
      options.base_url = url_;
      auto client = http::HttpClient::Create(options);
      if (!client.ok()) {
        ADD_FAILURE() << client.status().message();
        return {};
      }
      client_ = std::move(*client);
    }
    http::Headers headers;
    const std::string bearer = token ? *token : AdminToken();
    if (!bearer.empty()) headers.Add("Authorization", "Bearer " + bearer);
    if (!body.empty() && !extra.Has("Content-Type"))
      headers.Add("Content-Type", "application/json");
    for (const auto& [name, value] : extra) headers.Add(name, value);
    auto response = client_->Send(method, path, body, headers);
    if (!response.ok()) {
      ADD_FAILURE() << method << " " << path << ": " << response.status().message();
      return {};
    }
    ApiAnswer answer;
    answer.status = response->status;
    answer.body = response->body;
    answer.json = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    if (answer.json.is_discarded()) answer.json = Json();
    return answer;
  }

  // Adds the test's repository as project `name` (branch main, no polling) with `extra`
  // fields merged into the request; fails the test unless the server answers 201.
  Json AddProject(const std::string& name = "demo", const Json& extra = Json::object()) {
    Json body = {
        {"name", name}, {"repo", repo_.string()}, {"branch", "main"}, {"poll_interval_seconds", 0}};
    body.update(extra);
    ApiAnswer answer = Call("POST", "/api/v1/projects", body.dump());
    EXPECT_EQ(answer.status, 201) << answer;
    return answer.json;
  }

  // Starts a manual run of `project` at main's head; returns its number (0 on failure).
  int StartRun(const std::string& project = "demo", const Json& body = Json::object()) {
    ApiAnswer answer = Call("POST", "/api/v1/projects/" + project + "/runs", body.dump());
    EXPECT_EQ(answer.status, 201) << answer;
    return answer.json.is_object() ? answer.json.value("number", 0) : 0;
  }

  // Polls run `number` until it finished (success, failure or cancelled) or `limit` passed
  // (a test failure); returns the last run detail seen.
  Json WaitForRun(int number, const std::string& project = "demo",
                  std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    Json run;
    while (std::chrono::steady_clock::now() < deadline) {
      ApiAnswer answer =
          Call("GET", "/api/v1/projects/" + project + "/runs/" + std::to_string(number));
      if (answer.status == 200) {
        run = answer.json;
        const std::string status = run.value("status", "");
        if (status == "success" || status == "failure" || status == "cancelled") return run;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "run " << project << "/" << number << " did not finish within "
                  << limit.count() << " s; last seen: " << run.dump(2) << "\nserver log:\n"
                  << ServerLog();
    return run;
  }

  // The jobs of run `number` (its detail's "jobs"), keyed by instance.
  std::map<std::string, Json> RunJobs(int number, const std::string& project = "demo") {
    std::map<std::string, Json> jobs;
    ApiAnswer answer =
        Call("GET", "/api/v1/projects/" + project + "/runs/" + std::to_string(number));
    EXPECT_EQ(answer.status, 200) << answer;
    if (answer.json.is_object() && answer.json.contains("jobs")) {
      for (const auto& job : answer.json["jobs"]) jobs[job.value("instance", "")] = job;
    }
    return jobs;
  }

  // The log of job `instance` (URL-encoded) of run `number` (`attempt` 0 = the last one);
  // fails the test unless the server answers 200.
  std::string JobLog(int number, const std::string& instance, int attempt = 0,
                     const std::string& project = "demo") {
    std::string path = "/api/v1/projects/" + project + "/runs/" + std::to_string(number) +
                       "/jobs/" + instance + "/logs";
    if (attempt > 0) path += "?attempt=" + std::to_string(attempt);
    ApiAnswer answer = Call("GET", path);
    EXPECT_EQ(answer.status, 200) << answer;
    return answer.body;
  }

  // The server refuses writes for `reason` yet reads go on: /healthz is 200 "degraded" naming
  // the reason, `projects` projects are listed and run `number` of "demo" (its only run) is served.
  void ExpectDegradedWithReads(const std::string& reason, size_t projects, int number) {
    ApiAnswer health = Call("GET", "/healthz", "", "");
    EXPECT_EQ(health.status, 200) << health;
    EXPECT_EQ(health.json.value("status", ""), "degraded") << health;
    EXPECT_CONTAINS(health.json.value("reason", ""), reason);
    ApiAnswer listed = Call("GET", "/api/v1/projects");
    EXPECT_EQ(listed.status, 200) << listed;
    EXPECT_EQ(listed.json["projects"].size(), projects) << listed;
    ApiAnswer runs = Call("GET", "/api/v1/projects/demo/runs");
    EXPECT_EQ(runs.status, 200) << runs;
    EXPECT_EQ(runs.json["runs"].size(), 1u) << runs;
    EXPECT_EQ(Call("GET", "/api/v1/projects/demo/runs/" + std::to_string(number)).status, 200);
  }

  // A registration token for agents (created through the API).
  std::string RegistrationToken() {
    ApiAnswer answer = Call(
        "POST", "/api/v1/tokens",
        Json{{"name", "agents-" + std::to_string(++tokens_)}, {"kind", "registration"}}.dump());
    EXPECT_EQ(answer.status, 201) << answer;
    return answer.json.is_object() ? answer.json.value("token", "") : "";
  }

  // Starts `slipway agent --server url() --token T --name NAME ARGS` (a registration token is
  // made when `token` is empty); the agent is killed when the test ends. Returns its index.
  size_t StartAgent(const std::string& name, const std::vector<std::string>& args = {},
                    std::string token = "") {
    return StartAgentFor(url_, name, args, std::move(token));
  }
  // The same for the server at `server_url` (another server sharing the database, say).
  size_t StartAgentFor(const std::string& server_url, const std::string& name,
                       const std::vector<std::string>& args = {}, std::string token = "") {
    if (token.empty()) token = RegistrationToken();
    std::vector<std::string> argv = {"agent",   "--server",   server_url,
                                     "--token", token,        "--name",
                                     name,      "--work-dir", (root_ / ("agent-" + name)).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    agents_.push_back(StartLogged(argv, root_ / ("agent-" + name + ".log")));
    return agents_.size() - 1;
  }
  Process& agent(size_t index) { return agents_.at(index); }
  std::string AgentLog(const std::string& name) const {
    return ReadText(root_ / ("agent-" + name + ".log"));
  }

  // Which agent ran a step: a shell line that writes the pids of the step's shell and of all
  // its ancestors to $E2E_STATE/`file`, one a line; RanUnder() then tells whether a process
  // (an agent) was among them.
  static std::string RecordAncestors(const std::string& file) {
    return "p=$$; while [ \"$p\" -gt 1 ]; do echo $p; p=$(cut -d' ' -f4 /proc/$p/stat); done > "
           "\"$E2E_STATE/" +
           file + "\"";
  }
  bool RanUnder(const std::string& file, pid_t ancestor) const {
    for (const auto& line : Lines(ReadText(state_ / file))) {
      if (line == std::to_string(ancestor)) return true;
    }
    return false;
  }

 private:
  // Starts slipway with stdout and stderr both appended to `log`.
  Process StartLogged(const std::vector<std::string>& args, const fs::path& log) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0) << log;
    Process process = Start(args, {}, fd, /*merge_stderr=*/true);
    ::close(fd);
    return process;
  }

  std::optional<Process> server_;
  std::vector<Process> agents_, extra_servers_;
  std::unique_ptr<http::HttpClient> client_;
  fs::path server_log_;
  std::string url_, listen_;
  int server_starts_ = 0, tokens_ = 0;
};

}  // namespace slipway::e2e
