// `slipway server`: the HTTP API, scheduler, agents and triggers in one process.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "agent/agent.h"
#include "cli/commands.h"
#include "server/server.h"
#include "util/fs.h"
#include "util/signal_watcher.h"

extern char** environ;

namespace slipway::cli {
namespace {

std::filesystem::path DefaultDataDir() {
  if (const char* dir = std::getenv("SLIPWAY_DATA"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "slipway";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".local" / "share" / "slipway";
  }
  return "slipway-data";
}

std::vector<std::string> SplitLabels(const std::string& labels) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= labels.size()) {
    size_t comma = labels.find(',', start);
    if (comma == std::string::npos) comma = labels.size();
    if (comma > start) out.push_back(labels.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

int ServerCommand(const std::vector<std::string>& args) {
  std::string data, listen = "127.0.0.1:8080", database, labels, artifacts;
  int local_agents = 1, lease_seconds = 30, artifact_limit_mib = 1024;
  FlagSet set("slipway server", "[flags]",
              "Runs the server: HTTP API under /api/v1, webhooks, git polling, cron, the job\n"
              "queue and embedded agents. State lives in SQLite under --data unless --database\n"
              "names a PostgreSQL database. The first start writes an admin token to\n"
              "<data>/initial-admin-token.");
  set.String("data", 0, &data, "DIR",
             "state directory (default $SLIPWAY_DATA or ~/.local/share/slipway)");
  set.String("listen", 0, &listen, "ADDR:PORT", "where the API listens (default 127.0.0.1:8080)");
  set.String("database", 0, &database, "URL", "postgres://… instead of SQLite");
  set.Int("local-agents", 0, &local_agents, "N", "embedded agents (default 1; 0 for none)");
  set.String("labels", 0, &labels, "A,B", "labels of the embedded agents");
  set.Int("lease", 0, &lease_seconds, "SECONDS",
          "job lease, and the grace after a start before any expires (default 30)");
  set.String("artifacts", 0, &artifacts, "DIR",
             "where jobs' artifacts are kept (default <data>/artifacts; shared by servers that "
             "share a database)");
  set.Int("artifact-limit", 0, &artifact_limit_mib, "MIB",
          "largest artifacts archive one job may keep, in MiB (default 1024)");
  std::vector<std::string> positionals;
  if (Status s = set.Parse(args, &positionals); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  if (!positionals.empty())
    return UsageError(InvalidArgument("unexpected '" + positionals[0] + "'"));
  if (local_agents < 0) return UsageError(InvalidArgument("--local-agents must be 0 or more"));
  if (lease_seconds < 1) return UsageError(InvalidArgument("--lease must be at least 1 second"));
  if (artifact_limit_mib < 1) {
    return UsageError(InvalidArgument("--artifact-limit must be at least 1 (MiB)"));
  }

  server::ServerOptions options;
  options.data_dir = data.empty() ? DefaultDataDir() : std::filesystem::path(data);
  options.listen = listen;
  options.database = database;
  options.local_agents = local_agents;
  options.agent_labels = SplitLabels(labels);
  options.artifacts_dir = artifacts;
  options.max_artifact_bytes = static_cast<uint64_t>(artifact_limit_mib) << 20;
  // Agents could not renew while the server was down: after a restart each gets one lease.
  options.lease = options.restart_grace = std::chrono::seconds(lease_seconds);
  for (char** entry = environ; *entry != nullptr; ++entry) {
    options.agent_environment.emplace_back(*entry);
  }

  CancelToken stop;
  SignalWatcher signals(&stop, nullptr);
  auto server = server::Server::Start(options);
  if (!server.ok()) return Fatal(server.status());
  stop.Wait();
  std::fprintf(stderr, "slipway server: stopping\n");
  (*server)->Stop();
  return 0;
}

int AgentCommand(const std::vector<std::string>& args) {
  std::string server_url, token, name, labels, work_dir;
  int capacity = 1;
  FlagSet set("slipway agent", "--server URL --token T [flags]",
              "Runs jobs for a slipway server: long-polls for work, streams logs, renews leases\n"
              "from a thread of its own. T is a registration token (an admin makes one with\n"
              "`slipway token create --kind registration`).");
  set.String("server", 0, &server_url, "URL", "the server, e.g. http://ci.example:8080");
  set.String("token", 0, &token, "T", "registration token (or $SLIPWAY_AGENT_TOKEN)");
  set.String("name", 0, &name, "NAME", "agent name (default: the host name)");
  set.String("labels", 0, &labels, "A,B", "labels jobs can ask for with runs-on");
  set.Int("capacity", 0, &capacity, "N", "jobs at once (default 1)");
  set.String("work-dir", 0, &work_dir, "DIR", "workspaces and mirrors (default: a temp dir)");
  std::vector<std::string> positionals;
  if (Status s = set.Parse(args, &positionals); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  if (token.empty()) {
    if (const char* env = std::getenv("SLIPWAY_AGENT_TOKEN"); env != nullptr) token = env;
  }
  if (server_url.empty() || token.empty()) {
    return UsageError(InvalidArgument("slipway agent needs --server URL and --token T"));
  }
  if (capacity < 1) return UsageError(InvalidArgument("--capacity must be at least 1"));
  if (name.empty()) {
    char host[256] = "agent";
    gethostname(host, sizeof host - 1);
    name = host;
  }
  auto registration = agent::RegisterAgent(server_url, token, name, SplitLabels(labels), capacity);
  if (!registration.ok()) return Fatal(registration.status());
  auto transport = agent::HttpTransport::Create(server_url, registration->token);
  if (!transport.ok()) return Fatal(transport.status());

  agent::AgentOptions options;
  options.capacity = capacity;
  if (work_dir.empty()) {
    auto dir = MakeTempDir("slipway-agent-");
    if (!dir.ok()) return Fatal(dir.status());
    options.work_dir = *dir;
  } else {
    options.work_dir = work_dir;
  }
  for (char** entry = environ; *entry != nullptr; ++entry) options.environment.emplace_back(*entry);
  std::fprintf(stderr, "slipway agent %s (id %lld) working for %s\n", name.c_str(),
               static_cast<long long>(registration->agent_id), server_url.c_str());
  CancelToken stop;
  SignalWatcher signals(&stop, nullptr);
  agent::Agent agent(transport->get(), options);
  agent.Run(stop);
  return signals.signal() != 0 ? signals.ExitStatus() : 0;
}

}  // namespace slipway::cli
