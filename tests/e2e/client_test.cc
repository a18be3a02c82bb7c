// The client commands (`slipway login`, `project`, `runs`, `logs`, `token`, `agents`,
// `audit`, `whoami`) against a real server, as a user types them.
#include <cstdlib>

#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ClientTest : public ServerE2eTest {
 protected:
  // Where the client keeps its login: private to the test, never ~/.config.
  fs::path config_dir() const { return root_ / "config"; }
  Env ClientEnv() const { return {{"SLIPWAY_CONFIG_DIR", config_dir().string()}}; }

  // `slipway ARGS` with the test's config directory (and the saved login, once made).
  Outcome Cli(const std::vector<std::string>& args, Env env = {}) {
    env.merge(ClientEnv());
    return Slipway(args, env);
  }

  // Logs in with the initial admin token file; fails the test unless it works.
  void Login() {
    Outcome login = Cli({"login", "--server", url(), "--token-file",
                         (data_dir() / "initial-admin-token").string()});
    ASSERT_EQ(login.exit_code, 0) << login;
  }

  // The secret `token create` printed (the indented line starting with slw_).
  static std::string SecretIn(const std::string& out) {
    for (const auto& line : Lines(out)) {
      if (line.rfind("  slw_", 0) == 0) return line.substr(2);
    }
    return "";
  }
};

TEST_F(ClientTest, LoginSavesTheTokenPrivatelyAndNeverPrintsIt) {
  StartServer();
  const std::string token = AdminToken();
  Login();
  const fs::path credentials = config_dir() / "credentials.json";
  ASSERT_TRUE(fs::exists(credentials));
  EXPECT_EQ(fs::status(credentials).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const Json saved = Json::parse(ReadText(credentials));
  EXPECT_EQ(saved.value("server", ""), url());
  EXPECT_EQ(saved.value("token", ""), token);

  Outcome whoami = Cli({"whoami"});
  EXPECT_EQ(whoami.exit_code, 0) << whoami;
  EXPECT_CONTAINS(whoami.out, "admin of every project");
  EXPECT_CONTAINS(whoami.out, url());
  EXPECT_NOT_CONTAINS(whoami.all(), token);
  Outcome json = Cli({"whoami", "--json"});
  EXPECT_EQ(json.json.value("role", ""), "admin") << json;
  EXPECT_NOT_CONTAINS(json.all(), token);

  // A wrong token: a clear error, and the saved login is left alone.
  Outcome wrong = Cli({"login", "--server", url(), "--token", "slw_notatoken"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong;
  EXPECT_CONTAINS(wrong.err, "slipway: login to " + url() + " failed");
  EXPECT_CONTAINS(wrong.err, "HTTP 401");
  EXPECT_NOT_CONTAINS(wrong.all(), "slw_notatoken");
  EXPECT_EQ(Json::parse(ReadText(credentials)).value("token", ""), token);

  // In a fresh config directory nothing is saved at all.
  const fs::path other = root_ / "other-config";
  Outcome refused = Slipway({"login", "--server", url(), "--token", "slw_notatoken"},
                            {{"SLIPWAY_CONFIG_DIR", other.string()}});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_FALSE(fs::exists(other / "credentials.json"));

  // A saved token is never sent to another server than its own.
  Outcome elsewhere = Cli({"whoami", "--server", "http://127.0.0.1:1"});
  EXPECT_EQ(elsewhere.exit_code, 2) << elsewhere;
  EXPECT_CONTAINS(elsewhere.err, "no token for http://127.0.0.1:1");
}

TEST_F(ClientTest, ProjectAddListShowRemove) {
  StartServer();
  // Server and token from the environment this time, no login.
  const Env env = {{"SLIPWAY_SERVER", url()}, {"SLIPWAY_TOKEN", AdminToken()}};
  Commit();
  Outcome add = Cli({"project", "add", "demo", "--repo", repo_.string()}, env);
  ASSERT_EQ(add.exit_code, 0) << add;
  EXPECT_CONTAINS(add.out, "added project demo");
  EXPECT_CONTAINS(add.out, "it will not be shown again");
  EXPECT_CONTAINS(add.out, url() + "/hooks/github/demo");
  EXPECT_CONTAINS(add.out, url() + "/hooks/gitlab/demo");

  Outcome again = Cli({"project", "add", "demo", "--repo", repo_.string()}, env);
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_CONTAINS(again.err, "HTTP 409");

  Outcome other = Cli({"project", "add", "other", "--repo", repo_.string(), "--branch", "main",
                       "--poll-interval", "60", "--webhook-secret", "0123456789abcdef", "--json"},
                      env);
  ASSERT_EQ(other.exit_code, 0) << other;
  EXPECT_EQ(other.json.value("name", ""), "other");
  EXPECT_EQ(other.json.value("poll_interval_seconds", 0), 60);
  EXPECT_FALSE(other.json.contains("webhook_secret"));

  Outcome table = Cli({"project", "list"}, env);
  ASSERT_EQ(table.exit_code, 0) << table;
  const auto rows = Lines(table.out);
  ASSERT_EQ(rows.size(), 3u) << table;
  EXPECT_EQ(rows[0].rfind("NAME", 0), 0u) << table;
  EXPECT_EQ(rows[1].rfind("demo ", 0), 0u) << table;
  EXPECT_CONTAINS(rows[2], "60s");
  // Columns line up: the repository starts at the same place on every row.
  EXPECT_EQ(rows[0].find("REPO"), rows[1].find(repo_.string())) << table;

  Outcome show = Cli({"project", "show", "demo"}, env);
  EXPECT_EQ(show.exit_code, 0) << show;
  EXPECT_CONTAINS(show.out, repo_.string());
  EXPECT_CONTAINS(show.out, url() + "/hooks/gitea/demo");

  Outcome removed = Cli({"project", "remove", "other"}, env);
  EXPECT_EQ(removed.exit_code, 0) << removed;
  Outcome list = Cli({"project", "list", "--json"}, env);
  ASSERT_EQ(list.exit_code, 0) << list;
  ASSERT_EQ(list.json["projects"].size(), 1u) << list;
  EXPECT_EQ(list.json["projects"][0].value("name", ""), "demo");

  Outcome missing = Cli({"project", "remove", "nope"}, env);
  EXPECT_EQ(missing.exit_code, 1) << missing;
  EXPECT_CONTAINS(missing.err, "nope");
  EXPECT_CONTAINS(missing.err, "HTTP 404");

  Outcome typo = Cli({"project", "lst"}, env);
  EXPECT_EQ(typo.exit_code, 2) << typo;
  EXPECT_CONTAINS(typo.err, "did you mean 'list'?");
  Outcome no_repo = Cli({"project", "add", "x"}, env);
  EXPECT_EQ(no_repo.exit_code, 2) << no_repo;
  EXPECT_CONTAINS(no_repo.err, "--repo");
}

constexpr char kOutcomePipeline[] = R"(name: demo
on:
  manual:
    inputs:
      outcome: {type: choice, options: [pass, fail], default: pass}
jobs:
  build:
    steps: [{run: 'echo building for ${{ inputs.outcome }}'}]
  test:
    needs: [build]
    steps: [{run: 'test "${{ inputs.outcome }}" = pass'}]
)";

TEST_F(ClientTest, RunsStartWaitListShowCancelAndLogs) {
  CommitPipeline(kOutcomePipeline);
  StartServer();
  AddProject();
  Login();

  Outcome passed = Cli({"runs", "start", "demo", "--wait"});
  EXPECT_EQ(passed.exit_code, 0) << passed;
  EXPECT_CONTAINS(passed.out, "started run demo/1");
  EXPECT_CONTAINS(passed.out, "success");
  Outcome failed = Cli({"runs", "start", "demo", "--input", "outcome=fail", "--wait", "--json"});
  EXPECT_EQ(failed.exit_code, 1) << failed;
  EXPECT_EQ(failed.json.value("status", ""), "failure") << failed;
  EXPECT_EQ(failed.json.value("number", 0), 2);

  Outcome bad_input = Cli({"runs", "start", "demo", "--input", "colour=red"});
  EXPECT_EQ(bad_input.exit_code, 2) << bad_input;
  EXPECT_CONTAINS(bad_input.err, "colour");
  EXPECT_CONTAINS(bad_input.err, "HTTP 400");
  Outcome bad_choice = Cli({"runs", "start", "demo", "--input", "outcome=maybe"});
  EXPECT_EQ(bad_choice.exit_code, 2) << bad_choice;
  EXPECT_CONTAINS(bad_choice.err, "outcome");

  Outcome list = Cli({"runs", "list", "demo"});
  ASSERT_EQ(list.exit_code, 0) << list;
  const auto rows = Lines(list.out);
  ASSERT_EQ(rows.size(), 3u) << list;
  EXPECT_EQ(rows[1].rfind("demo/2 ", 0), 0u) << list;  // newest first
  EXPECT_CONTAINS(rows[1], "failure");
  EXPECT_CONTAINS(rows[2], "success");
  Outcome failures = Cli({"runs", "list", "demo", "--status", "failure", "--json"});
  ASSERT_EQ(failures.json["runs"].size(), 1u) << failures;
  Outcome paged = Cli({"runs", "list", "demo", "--limit", "1"});
  EXPECT_CONTAINS(paged.err, "slipway runs list demo --before");

  Outcome show = Cli({"runs", "show", "demo/2"});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_CONTAINS(show.out, "demo/2  failure");
  EXPECT_CONTAINS(show.out, "outcome=fail");
  std::string test_row;
  for (const auto& line : Lines(show.out)) {
    if (line.rfind("test ", 0) == 0) test_row = line;
  }
  EXPECT_CONTAINS(test_row, "failure");
  Outcome show_json = Cli({"runs", "show", "demo/2", "--json"});
  ASSERT_EQ(show_json.json["jobs"].size(), 2u) << show_json;

  Outcome log = Cli({"logs", "demo/2/build"});
  EXPECT_EQ(log.exit_code, 0) << log;
  EXPECT_CONTAINS(log.out, "building for fail");
  EXPECT_NOT_CONTAINS(log.out, "==>");
  Outcome all = Cli({"logs", "demo/2"});
  EXPECT_EQ(all.exit_code, 0) << all;
  EXPECT_CONTAINS(all.out, "==> build (success) <==");
  EXPECT_CONTAINS(all.out, "==> test (failure) <==");
  EXPECT_LT(all.out.find("building for fail"), all.out.find("==> test"));
  Outcome no_job = Cli({"logs", "demo/2/deploy"});
  EXPECT_EQ(no_job.exit_code, 1) << no_job;
  EXPECT_CONTAINS(no_job.err, "no job 'deploy'");

  Outcome finished = Cli({"runs", "cancel", "demo/1"});
  EXPECT_EQ(finished.exit_code, 1) << finished;
  EXPECT_CONTAINS(finished.err, "already finished");
  Outcome bad_ref = Cli({"runs", "show", "demo"});
  EXPECT_EQ(bad_ref.exit_code, 2) << bad_ref;
  EXPECT_CONTAINS(bad_ref.err, "PROJECT/NUMBER");
}

TEST_F(ClientTest, LogsFollowARunningMatrixJobToItsEndAndCancelStopsARun) {
  CommitPipeline(R"(name: demo
on: {manual: {}}
jobs:
  slow:
    matrix: {os: [linux]}
    steps:
      - run: for i in 1 2 3 4 5 6 7 8; do echo "line $i"; sleep 0.2; done
  stuck:
    needs: [slow]
    steps: [{run: 'sleep 30 # $E2E_MARKER'}]
)");
  StartServer();
  AddProject();
  Login();
  const int number = StartRun();
  // Started while the job is queued or running: follows it to its end, each line once.
  Outcome follow = Cli({"logs", "-f", "demo/" + std::to_string(number) + "/slow (linux)"});
  EXPECT_EQ(follow.exit_code, 0) << follow;
  size_t at = 0;
  for (int i = 1; i <= 8; ++i) {
    const std::string line = "line " + std::to_string(i) + "\n";
    EXPECT_EQ(Count(follow.out, line), 1u) << line << follow;
    const size_t found = follow.out.find(line);
    EXPECT_TRUE(found != std::string::npos && found >= at) << line << follow;
    at = found == std::string::npos ? at : found;
  }

  // The second job sleeps: cancel it.
  const std::string ref = "demo/" + std::to_string(number);
  Outcome cancel = Cli({"runs", "cancel", ref});
  EXPECT_EQ(cancel.exit_code, 0) << cancel;
  EXPECT_CONTAINS(cancel.out, "cancelling run " + ref);
  EXPECT_EQ(WaitForRun(number).value("status", ""), "cancelled");
  Outcome json_log = Cli({"logs", ref + "/slow (linux)", "--json"});
  EXPECT_EQ(json_log.exit_code, 0) << json_log;
  EXPECT_CONTAINS(json_log.out, R"j("job":"slow (linux)")j");
}

TEST_F(ClientTest, TokenCreateListRevokeAndAgents) {
  StartServer();
  Commit();
  AddProject();
  Login();
  Outcome created = Cli({"token", "create", "ci-bot", "--role", "developer", "--project", "demo"});
  ASSERT_EQ(created.exit_code, 0) << created;
  EXPECT_CONTAINS(created.out, "will not be shown again");
  const std::string secret = SecretIn(created.out);
  ASSERT_FALSE(secret.empty()) << created;

  Outcome as_bot = Cli({"whoami", "--server", url(), "--token", secret});
  EXPECT_EQ(as_bot.exit_code, 0) << as_bot;
  EXPECT_CONTAINS(as_bot.out, "ci-bot (developer of project demo)");
  // The bot may not add projects: refused, naming why.
  Outcome forbidden = Cli({"project", "add", "x", "--repo", repo_.string(), "--token", secret});
  EXPECT_EQ(forbidden.exit_code, 1) << forbidden;
  EXPECT_CONTAINS(forbidden.err, "HTTP 403");

  Outcome list = Cli({"token", "list"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_CONTAINS(list.out, "ci-bot");
  EXPECT_NOT_CONTAINS(list.out, secret);
  Outcome json = Cli({"token", "list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  std::string id;
  for (const auto& token : json.json["tokens"]) {
    if (token.value("name", "") == "ci-bot") id = std::to_string(token.value("id", 0));
  }
  ASSERT_FALSE(id.empty()) << json;
  EXPECT_NOT_CONTAINS(json.out, "slw_");

  Outcome revoked = Cli({"token", "revoke", id});
  EXPECT_EQ(revoked.exit_code, 0) << revoked;
  Outcome refused = Cli({"whoami", "--token", secret});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_CONTAINS(refused.err, "HTTP 401");
  Outcome after = Cli({"token", "list"});
  std::string row;
  for (const auto& line : Lines(after.out)) {
    if (line.find("ci-bot") != std::string::npos) row = line;
  }
  EXPECT_CONTAINS(row, "revoked");

  Outcome bad_role = Cli({"token", "create", "x", "--role", "wizard"});
  EXPECT_EQ(bad_role.exit_code, 2) << bad_role;
  EXPECT_CONTAINS(bad_role.err, "role");

  // An agent registers with a registration token the CLI made.
  Outcome registration = Cli({"token", "create", "agents", "--kind", "registration"});
  ASSERT_EQ(registration.exit_code, 0) << registration;
  StartAgent("builder-1", {"--labels", "gpu,linux"}, SecretIn(registration.out));
  Outcome agents;
  for (int i = 0; i < 200; ++i) {
    agents = Cli({"agents"});
    if (agents.out.find("builder-1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(agents.exit_code, 0) << agents;
  EXPECT_CONTAINS(agents.out, "builder-1");
  EXPECT_CONTAINS(agents.out, "gpu,linux");
  Outcome agents_json = Cli({"agents", "--json"});
  EXPECT_TRUE(agents_json.json.contains("agents")) << agents_json;
}

TEST_F(ClientTest, AuditListAndVerifyDetectsTampering) {
  StartServer();
  Commit();
  AddProject();
  Login();
  Outcome list = Cli({"audit", "list"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_CONTAINS(list.out, "project.add");
  EXPECT_CONTAINS(list.out, "project/demo");
  Outcome json = Cli({"audit", "list", "--json", "--limit", "1"});
  ASSERT_EQ(json.exit_code, 0) << json;
  ASSERT_EQ(json.json["records"].size(), 1u) << json;
  // The first record (the server's first start) carries the exact text its hash covers, and
  // that text is canonical: compact, keys sorted.
  const auto& first = json.json["records"][0];
  EXPECT_EQ(first.value("action", ""), "token.create") << json;
  EXPECT_EQ(first.value("details_json", ""), first["details"].dump()) << json;

  Outcome verify = Cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
  EXPECT_CONTAINS(verify.out, "intact");

  if (std::system("command -v sqlite3 >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no sqlite3 CLI to tamper with the database";
  }
  const std::string db = (data_dir() / "slipway.db").string();
  const std::string tamper =
      "sqlite3 '" + db + "' \"UPDATE audit SET actor = 'mallory' WHERE seq = 1\"";
  ASSERT_EQ(std::system(tamper.c_str()), 0);
  Outcome broken = Cli({"audit", "verify"});
  EXPECT_EQ(broken.exit_code, 1) << broken;
  EXPECT_CONTAINS(broken.err, "slipway: the audit trail does not verify: ");
  Outcome broken_json = Cli({"audit", "verify", "--json"});
  EXPECT_EQ(broken_json.exit_code, 1) << broken_json;
  EXPECT_EQ(broken_json.json.value("ok", true), false) << broken_json;
}

TEST_F(ClientTest, UnreachableServerOrNoLoginSaysSo) {
  Outcome unreachable =
      Cli({"project", "list", "--server", "http://127.0.0.1:1", "--token", "slw_x"});
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable;
  EXPECT_CONTAINS(unreachable.err, "slipway: cannot reach the server at http://127.0.0.1:1");
  Outcome login = Cli({"login", "--server", "http://127.0.0.1:1", "--token", "slw_x"});
  EXPECT_EQ(login.exit_code, 3) << login;
  EXPECT_FALSE(fs::exists(config_dir() / "credentials.json"));

  Outcome not_logged_in = Cli({"runs", "list", "demo"});
  EXPECT_EQ(not_logged_in.exit_code, 2) << not_logged_in;
  EXPECT_CONTAINS(not_logged_in.err, "slipway login");
  Outcome bad_url = Cli({"whoami", "--server", "ftp://x", "--token", "t"});
  EXPECT_EQ(bad_url.exit_code, 2) << bad_url;
  EXPECT_CONTAINS(bad_url.err, "http://");
}

}  // namespace
}  // namespace slipway::e2e
