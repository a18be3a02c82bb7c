// The PostgresServer harness (postgres_server.h) and its registration as a gtest Environment.
#include "support/postgres_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "store/postgres_connection.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace slipway::store::testing {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<major>/bin holding initdb, or $SLIPWAY_PG_BIN.
Result<fs::path> FindBinDir() {
  if (const char* env = std::getenv("SLIPWAY_PG_BIN"); env != nullptr && *env != '\0') {
    return fs::path(env);
  }
  std::error_code ec;
  int best = -1;
  fs::path found;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int major = std::atoi(entry.path().filename().c_str());
    if (major > best && fs::exists(entry.path() / "bin" / "initdb")) {
      best = major;
      found = entry.path() / "bin";
    }
  }
  if (best < 0) {
    return NotFound(
        "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): install the "
        "`postgresql` package (scripts/setup does) or set SLIPWAY_PG_BIN");
  }
  return found;
}

// As root: a system user initdb accepts.
Result<std::string> RunAsUser() {
  if (geteuid() != 0) return std::string();
  for (const char* name : {"postgres", "nobody"}) {
    if (getpwnam(name) != nullptr) return std::string(name);
  }
  return FailedPrecondition(
      "running as root and no `postgres` or `nobody` user exists: initdb refuses to run as "
      "root (install the `postgresql` package, which creates the postgres user)");
}

// Gives `path` (and, when `recursive`, everything below it) to `user`; nothing when "".
Status Chown(const fs::path& path, const std::string& user, bool recursive = false) {
  if (user.empty()) return Status::Ok();
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) return NotFound("no user " + user);
  if (lchown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return ErrnoStatus("chown " + path.string() + " to " + user, errno);
  }
  if (!recursive) return Status::Ok();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (lchown(it->path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return ErrnoStatus("chown " + it->path().string() + " to " + user, errno);
    }
  }
  if (ec) return Unavailable("listing " + path.string() + ": " + ec.message());
  return Status::Ok();
}

Status Run(const std::string& run_as, std::vector<std::string> argv) {
  if (!run_as.empty()) {
    // setpriv (util-linux) switches user without runuser's PAM session: a tenth of the time.
    argv.insert(argv.begin(),
                {"setpriv", "--reuid=" + run_as, "--regid=" + run_as, "--init-groups", "--"});
  }
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "TZ=UTC"};
  spec.timeout = std::chrono::seconds(60);
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view s) { output += s; }, nullptr);
  if (outcome.kind == ProcessOutcome::Kind::kExited && outcome.exit_code == 0) return Status::Ok();
  std::string command;
  for (const auto& a : argv) command += a + " ";
  return Unavailable(command + "failed (" + outcome.error + "): " + output);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// A private directory for one server: in memory (/dev/shm) when there is one, since the
// copy of the cluster and the server's writes then cost no disk I/O.
Result<fs::path> ServerDir() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0) {
    std::string pattern = "/dev/shm/slipway-pg.XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) return fs::path(pattern);
  }
  return MakeTempDir("slipway-pg.");
}

fs::path TempRoot() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? fs::path(tmp) : fs::path("/tmp");
}

// Starts a detached shell that waits for this process to end and then stops the server and
// removes its dir: a test binary that is killed (a ctest timeout, a crash, a closed pipe)
// never runs the Environment's TearDown, and would leave a server running for ever. Returns
// the watchdog's pid, or -1 (then only a clean exit stops the server).
pid_t StartWatchdog(const fs::path& bin_dir, const fs::path& dir, const std::string& run_as) {
  const char* script =
      "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; "
      "if [ -n \"$4\" ]; then as=\"setpriv --reuid=$4 --regid=$4 --init-groups --\"; fi; "
      "$as \"$3/pg_ctl\" -D \"$2/data\" -m immediate -w stop; rm -rf \"$2\"";
  std::vector<std::string> args = {
      "sh", "-c", script, "sh", std::to_string(getpid()), dir.string(), bin_dir.string(), run_as};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string path_env = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char* envp[] = {path_env.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd <= 2; ++fd) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // outlives a kill of our group
  pid_t pid = -1;
  if (posix_spawnp(&pid, "sh", &actions, &attr, argv.data(), envp) != 0) pid = -1;
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// The cached initdb cluster, made when missing: initdb into a private staging dir, then an
// atomic rename, so concurrent test processes never see half a template.
Result<fs::path> TemplateCluster(const fs::path& bin_dir, const std::string& run_as) {
  uid_t uid = run_as.empty() ? geteuid() : getpwnam(run_as.c_str())->pw_uid;
  // Bump the suffix when the initdb arguments change.
  fs::path cached =
      TempRoot() / ("slipway-store-test-pg" + bin_dir.parent_path().filename().string() + "-uid" +
                    std::to_string(uid) + "-v2");
  if (fs::exists(cached / "data" / "PG_VERSION")) return cached;
  SLIPWAY_ASSIGN_OR_RETURN(fs::path staging, MakeTempDir("slipway-store-test-pg-staging."));
  SLIPWAY_RETURN_IF_ERROR(Chown(staging, run_as));
  Status status = Run(run_as, {(bin_dir / "initdb").string(), "-D", (staging / "data").string(),
                               "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                               "--no-sync", "--wal-segsize=1"});  // 1 MiB of WAL to copy, not 16
  if (!status.ok()) {
    (void)RemoveTree(staging);
    return status;
  }
  if (std::rename(staging.c_str(), cached.c_str()) != 0) (void)RemoveTree(staging);  // lost a race
  return cached;
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::unique_ptr<PostgresServer> server(new PostgresServer);
  SLIPWAY_ASSIGN_OR_RETURN(server->bin_dir_, FindBinDir());
  SLIPWAY_ASSIGN_OR_RETURN(server->run_as_, RunAsUser());
  SLIPWAY_ASSIGN_OR_RETURN(fs::path cluster, TemplateCluster(server->bin_dir_, server->run_as_));
  SLIPWAY_ASSIGN_OR_RETURN(server->dir_, ServerDir());
  SLIPWAY_RETURN_IF_ERROR(CopyTree(cluster / "data", server->dir_ / "data"));
  SLIPWAY_RETURN_IF_ERROR(Chown(server->dir_, server->run_as_, /*recursive=*/true));
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {  // a free port can be taken before we bind it
    server->port_ = FreePort();
    started = server->StartServer();
    if (started.ok()) {
      server->watchdog_ = StartWatchdog(server->bin_dir_, server->dir_, server->run_as_);
      return server;
    }
  }
  return started;
}

Status PostgresServer::StartServer() {
  std::string options = "-p " + std::to_string(port_) + " -k " + dir_.string() +
                        " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
                        " -c max_connections=200";
  Status status =
      Run(run_as_, {(bin_dir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-l",
                    (dir_ / "log").string(), "-w", "-t", "30", "-o", options, "start"});
  if (!status.ok()) {
    std::ifstream log(dir_ / "log");
    std::stringstream text;
    text << log.rdbuf();
    return Unavailable(status.message() + "\nserver log:\n" + text.str());
  }
  running_ = true;
  return Status::Ok();
}

PostgresServer::~PostgresServer() {
  if (watchdog_ > 0) {  // not needed: this process stops the server itself
    kill(watchdog_, SIGKILL);
    waitpid(watchdog_, nullptr, 0);
  }
  if (running_) (void)Kill();
  if (!dir_.empty()) (void)RemoveTree(dir_);
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + dir_.string() + "&port=" + std::to_string(port_) +
         "&user=postgres";
}

Status PostgresServer::AdminExec(const std::string& sql) {
  SLIPWAY_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(Url("postgres"), "slipway-test"));
  return conn->ExecScript(sql);
}

Result<std::string> PostgresServer::CreateDatabase() {
  // The cluster's own empty "postgres" database serves the first test: under ctest, where
  // each test is a process with its own server, no test waits for CREATE DATABASE.
  if (next_database_++ == 0) return Url("postgres");
  std::string name = "test_" + std::to_string(next_database_);
  SLIPWAY_RETURN_IF_ERROR(AdminExec("CREATE DATABASE " + name));
  return Url(name);
}

Status PostgresServer::Kill() {
  running_ = false;
  return Run(run_as_, {(bin_dir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m",
                       "immediate", "-w", "stop"});
}

Status PostgresServer::Restart() { return StartServer(); }

namespace {

struct EnvironmentState {
  bool tried = false;
  std::unique_ptr<PostgresServer> server;
  std::string error;
};

EnvironmentState& State() {
  static EnvironmentState state;
  return state;
}

}  // namespace

PostgresServer* PostgresEnvironment::Server() {
  EnvironmentState& state = State();
  if (!state.tried) {
    state.tried = true;
    auto server = PostgresServer::Start();
    if (server.ok()) {
      state.server = std::move(server).value();
    } else {
      state.error = "cannot start a PostgreSQL server for the tests: " + server.status().ToString();
    }
  }
  return state.server.get();
}

const std::string& PostgresEnvironment::error() { return State().error; }

void PostgresEnvironment::TearDown() { State().server.reset(); }

// Registered before main runs, so the server stops after the last test.
::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace slipway::store::testing
