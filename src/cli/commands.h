// The subcommands of the single binary and the helpers they share. Private to cli/.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/flags.h"
#include "util/status.h"

namespace slipway::cli {

// Each returns the process exit status.
int RunCommand(const std::vector<std::string>& args);
int ValidateCommand(const std::vector<std::string>& args);
int CacheCommand(const std::vector<std::string>& args);
int ServerCommand(const std::vector<std::string>& args);
int AgentCommand(const std::vector<std::string>& args);
// Clients of a server (client_*.cc; shared plumbing in client.h).
int LoginCommand(const std::vector<std::string>& args);
int WhoamiCommand(const std::vector<std::string>& args);
int ProjectCommand(const std::vector<std::string>& args);
int RunsCommand(const std::vector<std::string>& args);
int LogsCommand(const std::vector<std::string>& args);
int ArtifactsCommand(const std::vector<std::string>& args);
int TokenCommand(const std::vector<std::string>& args);
int AgentsCommand(const std::vector<std::string>& args);
int AuditCommand(const std::vector<std::string>& args);
int KeysCommand(const std::vector<std::string>& args);
int VerifyCommand(const std::vector<std::string>& args);
int ProxyCommand(const std::vector<std::string>& args);  // proxy_command.cc
// Canary analyses (analysis_command.cc dispatches to the subcommands, one file each).
int AnalysisCommand(const std::vector<std::string>& args);
int AnalysisJudgeCommand(const std::vector<std::string>& args);  // analysis_command.cc
// Environments and deploys (env_command.cc).
int EnvCommand(const std::vector<std::string>& args);
int RollbackCommand(const std::vector<std::string>& args);
// expr_command.cc: `slipway expr`, one expression against a JSON document.
int ExprCommand(const std::vector<std::string>& args);
// Release gates (gate_command.cc): `slipway gate …` and `slipway env reject`.
int GateCommand(const std::vector<std::string>& args);
int EnvRejectCommand(const std::vector<std::string>& args);

// Exit statuses: 0 success, 1 the thing asked for failed (pipeline, validation, a run waited
// for, a request the server refused), 2 the command line was wrong (including arguments the
// server rejects as invalid), 3 slipway itself could not work (disk, permissions, a server
// it cannot reach or that fails).
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFatal = 3;

// analysis_show.cc: `slipway analysis list` and `slipway analysis show`.
int AnalysisListCommand(const std::vector<std::string>& args);
int AnalysisShowCommand(const std::vector<std::string>& args);
// slo_command.cc: `slipway slo status` and `slipway slo rules`.
int SloCommand(const std::vector<std::string>& args);
// client_incidents.cc: `slipway incidents`.
int IncidentsCommand(const std::vector<std::string>& args);
// client_alerts.cc: `slipway alerts`.
int AlertsCommand(const std::vector<std::string>& args);
int UsageError(const Status& status);  // prints "slipway: <message>", returns kExitUsage
int Fatal(const Status& status);       // prints "slipway: <message>", returns kExitFatal
int PrintHelp(const FlagSet& flags);   // prints the help on stdout, returns 0

// Secrets from `--secret NAME=VALUE` / `--secret NAME` (value from the environment) and a
// secrets file of NAME=VALUE lines and NAME<<DELIM heredocs.
Result<std::vector<std::pair<std::string, std::string>>> LoadSecrets(
    const std::vector<std::string>& flags, const std::string& file);

}  // namespace slipway::cli
