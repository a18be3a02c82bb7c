#include "cli/cli.h"

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "util/hints.h"

namespace slipway::cli {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*handler)(const std::vector<std::string>& args);
};

int VersionCommand(const std::vector<std::string>&) {
  std::printf("slipway %s\n", SLIPWAY_VERSION);
  return 0;
}

constexpr Command kCommands[] = {
    {"run", "run the pipeline locally (no server needed)", RunCommand},
    {"validate", "check pipeline files and print every error as file:line:col", ValidateCommand},
    {"cache", "list or clear the local job cache", CacheCommand},
    {"server", "run the server: API, job queue, triggers, embedded agents", ServerCommand},
    {"agent", "run jobs for a server", AgentCommand},
    {"login", "check a server token and save it for the commands below", LoginCommand},
    {"whoami", "show who the saved token is", WhoamiCommand},
    {"project", "add, list, show or remove projects on the server", ProjectCommand},
    {"runs", "start, list, show or cancel runs on the server", RunsCommand},
    {"logs", "print or follow (-f) the logs of a run's jobs", LogsCommand},
    {"artifacts", "download and unpack the artifacts a job kept", ArtifactsCommand},
    {"token", "create, list or revoke API tokens", TokenCommand},
    {"agents", "list the agents registered with the server", AgentsCommand},
    {"audit", "list the audit trail or verify its hash chain", AuditCommand},
    {"keys", "list or rotate the provenance signing keys", KeysCommand},
    {"verify", "check an artifact's signed provenance", VerifyCommand},
    {"proxy", "run the built-in L7 proxy (weighted pools, admin API)", ProxyCommand},
    {"analysis", "judge recorded samples offline; show analyses", AnalysisCommand},
    {"env", "show environments, their deploys, weights and drift", EnvCommand},
    {"gate", "release gates: explain a deploy's decision, emergency exemptions", GateCommand},
    {"slo", "the pipeline's SLOs: error budget left, burn rates, alerts", SloCommand},
    {"incidents", "list the incidents alerts opened, with detection and resolution times",
     IncidentsCommand},
    {"alerts", "list the alerts Alertmanager sent, with their deploy and incident", AlertsCommand},
    {"rollback", "abort an environment's rollout: traffic back to stable now", RollbackCommand},
    {"expr", "evaluate a CEL expression against a JSON document", ExprCommand},
    {"version", "print the version", VersionCommand},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "slipway: continuous delivery in one binary\n\n"
               "usage: slipway <command> [flags]\n\ncommands:\n");
  for (const auto& command : kCommands) {
    std::fprintf(out, "  %-10s %s\n", command.name, command.summary);
  }
  std::fprintf(out, "\n'slipway <command> --help' describes a command's flags.\n");
}

}  // namespace

int UsageError(const Status& status) {
  std::fprintf(stderr, "slipway: %s\n", status.message().c_str());
  return kExitUsage;
}

int Fatal(const Status& status) {
  std::fprintf(stderr, "slipway: %s\n", status.message().c_str());
  return kExitFatal;
}

int PrintHelp(const FlagSet& flags) {
  std::fputs(flags.Help().c_str(), stdout);
  return 0;
}

int Main(int argc, char** argv) {
  // A reader that goes away (`slipway run | head`) must not kill slipway halfway through a
  // run, leaving its jobs' processes behind: writes fail with EPIPE instead, which the console
  // ignores. Children get default dispositions back (RunProcess resets them).
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    PrintUsage(args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : 0;
  }
  if (args[0] == "--version") return VersionCommand({});
  for (const auto& command : kCommands) {
    if (args[0] == command.name) {
      return command.handler(std::vector<std::string>(args.begin() + 1, args.end()));
    }
  }
  std::vector<std::string> names;
  for (const auto& command : kCommands) names.emplace_back(command.name);
  std::string hint = DidYouMean(args[0], names);
  std::fprintf(stderr, "slipway: unknown command '%s'%s; run 'slipway help'\n", args[0].c_str(),
               hint.empty() ? "" : (" (" + hint + ")").c_str());
  return kExitUsage;
}

}  // namespace slipway::cli
