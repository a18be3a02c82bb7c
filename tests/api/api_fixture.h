// The api test fixture: the real router on a real http::Server (127.0.0.1, random port) over a
// real SQLite store in a temp dir, with the real AgentService, driven by http::HttpClient.
// Projects are scratch git repositories made with the git command line.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/api.h"
#include "engine/engine.h"
#include "http/http.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/subprocess.h"
#include "util/token.h"

namespace slipway::api::testing {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    ::slipway::Status api_status_ = (expr);                  \
    ASSERT_TRUE(api_status_.ok()) << api_status_.ToString(); \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(decl, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(SLIPWAY_CONCAT(api_result_, __LINE__), decl, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, decl, expr)  \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  decl = std::move(tmp).value()

// Runs `git args...` in `dir` with a fixed identity and no user or system configuration.
inline std::string RunGit(const fs::path& dir, const std::vector<std::string>& args) {
  ProcessSpec spec;
  spec.argv = {"git"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = dir;
  const char* path = std::getenv("PATH");
  spec.env = {"PATH=" + std::string(path != nullptr ? path : "/usr/bin:/bin"),
              "HOME=" + dir.string(),
              "GIT_CONFIG_NOSYSTEM=1",
              "GIT_CONFIG_GLOBAL=/dev/null",
              "GIT_AUTHOR_NAME=Test",
              "GIT_AUTHOR_EMAIL=test@example.com",
              "GIT_COMMITTER_NAME=Test",
              "GIT_COMMITTER_EMAIL=test@example.com"};
  spec.timeout = std::chrono::seconds(60);
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { output.append(chunk); }, nullptr);
  EXPECT_TRUE(outcome.kind == ProcessOutcome::Kind::kExited && outcome.exit_code == 0)
      << "git failed: " << outcome.error << "\n"
      << output;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

// A repository on branch main, built commit by commit.
class Repo {
 public:
  explicit Repo(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    Git({"init", "-q", "-b", "main"});
  }
  const fs::path& dir() const { return dir_; }
  std::string Git(const std::vector<std::string>& args) { return RunGit(dir_, args); }
  void Write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  std::string Commit(const std::string& message = "change") {
    Git({"add", "-A"});
    Git({"commit", "-q", "--allow-empty", "-m", message});
    return Git({"rev-parse", "HEAD"});
  }

 private:
  fs::path dir_;
};

// A pipeline that starts on pushes to main and by hand, with one typed input and two jobs.
inline const char* kPipeline = R"(on:
  push:
    branches: [main, 'release/**']
    tags: ['v*']
  manual:
    inputs:
      level: {type: choice, options: [low, high], default: low}
      count: {type: number, default: 1}
jobs:
  build:
    steps:
      - run: echo build
  test:
    needs: build
    steps:
      - run: echo test
)";

inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(fs::path(SLIPWAY_SOURCE_DIR) / "tests/api/fixtures" / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Ticks the dispatcher whenever `dispatch` is notified (and every 50 ms), like the server.
class DispatcherLoop {
 public:
  DispatcherLoop(store::Store* store, engine::WorkSignal* work, engine::WorkSignal* dispatch)
      : dispatcher_(store, work, {.restart_grace = 0ms}, std::chrono::system_clock::now()),
        dispatch_(dispatch),
        thread_([this] {
          uint64_t seen = dispatch_->generation();
          while (!stop_) {
            (void)dispatcher_.Tick(std::chrono::system_clock::now());
            seen = dispatch_->Wait(seen, 50ms);
          }
        }) {}
  ~DispatcherLoop() {
    stop_ = true;
    dispatch_->Notify();
    thread_.join();
  }

 private:
  engine::Dispatcher dispatcher_;
  engine::WorkSignal* dispatch_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Reply {
  int status = 0;
  http::Headers headers;
  std::string body;
  json doc;  // the body parsed (null when it is not JSON)
  std::string Header(std::string_view name) const {
    auto value = headers.Get(name);
    return value ? std::string(*value) : "";
  }
  std::string ErrorMessage() const {
    return doc.is_object() && doc.contains("error") ? doc["error"].value("message", "") : "";
  }
  std::string ErrorCode() const {
    return doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
  }
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("api_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = *dir;
    ASSERT_OK_AND_ASSIGN(store_,
                         store::Open({.url = "sqlite://" + (dir_ / "slipway.db").string()}));
    agents_ = std::make_unique<engine::AgentService>(
        store_.get(), &work_, engine::AgentServiceOptions{.lease = 30s, .finished = &dispatch_});
    admin_ = AddToken("admin", store::Role::kAdmin);
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  void TearDown() override {
    dispatcher_.reset();
    server_.reset();
    agents_.reset();
    store_.reset();
    (void)RemoveTree(dir_);
  }

  virtual ApiContext Context() {
    ApiContext context;
    context.store = store_.get();
    context.agents = agents_.get();
    context.work = &work_;
    context.dispatch = &dispatch_;
    context.data_dir = dir_ / "data";
    context.server_url = "http://slipway.example";
    context.log_poll = 50ms;
    return context;
  }

  void StartServer(int handler_threads = 8) {
    auto router = MakeRouter(Context());
    ASSERT_TRUE(router.ok()) << router.status().ToString();
    http::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.handler_threads = handler_threads;
    auto server = http::Server::Start(std::move(options), std::move(*router));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  void StartDispatcher() {
    dispatcher_ = std::make_unique<DispatcherLoop>(store_.get(), &work_, &dispatch_);
  }

  // A token stored directly (as `slipway server` does for the first admin); returns its secret.
  std::string AddToken(const std::string& name, store::Role role, int64_t project_id = 0,
                       store::TokenKind kind = store::TokenKind::kUser, int64_t agent_id = 0) {
    store::Token token;
    token.name = name;
    token.role = role;
    token.project_id = project_id;
    token.kind = kind;
    token.agent_id = agent_id;
    token.created = std::chrono::system_clock::now();
    const std::string secret = NewTokenSecret();
    token.hash = TokenHash(secret);
    auto created = store_->CreateToken(token);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return secret;
  }

  // Registers an agent `name` with `labels` (a JSON array) through the API, with a registration
  // token made on first use; returns the agent's token ("" and a test failure when refused).
  std::string RegisterAgent(const std::string& name, const std::string& labels = "[]") {
    if (registration_token_.empty()) {
      registration_token_ =
          AddToken("registration", store::Role::kViewer, 0, store::TokenKind::kRegistration);
    }
    Reply reply = Call("POST", "/api/v1/agents/register",
                       R"({"name":")" + name + R"(","labels":)" + labels + R"(,"capacity":1})",
                       registration_token_);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.doc.is_object() ? reply.doc.value("token", "") : "";
  }

  std::unique_ptr<http::HttpClient> Client(const std::string& token = "") {
    http::ClientOptions options;
    options.base_url = server_->base_url();
    if (!token.empty()) options.default_headers.Set("Authorization", "Bearer " + token);
    auto client = http::HttpClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = "", http::Headers headers = {}) {
    auto client = Client(token);
    if (!body.empty() && !headers.Has("Content-Type")) {
      headers.Set("Content-Type", "application/json");
    }
    auto response = client->Send(method, path, body, headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    Reply reply;
    if (!response.ok()) return reply;
    reply.status = response->status;
    reply.headers = response->headers;
    reply.body = response->body;
    reply.doc = json::parse(reply.body, nullptr, false);
    if (reply.doc.is_discarded()) reply.doc = nullptr;
    return reply;
  }
  Reply Admin(const std::string& method, const std::string& path, const std::string& body = "") {
    return Call(method, path, body, admin_);
  }

  // A repository with kPipeline committed on main; returns it.
  std::unique_ptr<Repo> MakeRepo(const std::string& name = "repo",
                                 const std::string& pipeline = kPipeline) {
    auto repo = std::make_unique<Repo>(dir_ / name);
    repo->Write(".slipway.yml", pipeline);
    repo->Write("src/main.c", "int main() { return 0; }\n");
    repo->Commit("initial");
    return repo;
  }

  // Adds a project through the API; returns its webhook secret.
  std::string AddProject(const std::string& name, const Repo& repo,
                         const std::string& secret = "0123456789abcdef-secret") {
    Reply reply = Admin(
        "POST", "/api/v1/projects",
        json{{"name", name}, {"repo", repo.dir().string()}, {"webhook_secret", secret}}.dump());
    EXPECT_EQ(reply.status, 201) << reply.body;
    return secret;
  }

  std::vector<store::Run> Runs(const std::string& project) {
    auto found = store_->GetProject(project);
    if (!found.ok()) return {};
    store::RunFilter filter;
    filter.project_id = found->id;
    filter.limit = 500;
    auto runs = store_->ListRuns(filter);
    EXPECT_TRUE(runs.ok()) << runs.status().ToString();
    return runs.ok() ? *runs : std::vector<store::Run>();
  }

  std::vector<store::AuditRecord> AuditTrail() {
    auto records = store_->ListAudit(0, 100000);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    return records.ok() ? *records : std::vector<store::AuditRecord>();
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  engine::WorkSignal work_, dispatch_;
  std::unique_ptr<engine::AgentService> agents_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<DispatcherLoop> dispatcher_;
  std::string admin_;
  std::string registration_token_;  // RegisterAgent's, made on first use
};

}  // namespace slipway::api::testing
