// `slipway login` (check a token with the server, then save it) and `slipway whoami`.
#include <cstdio>

#include "cli/client.h"
#include "util/fs.h"

namespace slipway::cli {
namespace {

// "admin of every project", "developer of project hello".
std::string Scope(const Json& whoami) {
  const std::string role = Field(whoami, "role");
  const std::string project = Field(whoami, "project");
  const std::string kind = Field(whoami, "kind");
  if (kind != "user") return kind + " token";
  return role + (project.empty() ? " of every project" : " of project " + project);
}

// The token in `file`, surrounding whitespace removed.
Result<std::string> ReadTokenFile(const std::string& file) {
  SLIPWAY_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 64 * 1024));
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return InvalidArgument("token file " + file + " is empty");
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

int LoginCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string token_file;
  FlagSet set("slipway login", "--server URL (--token T | --token-file F)",
              "Checks the token with the server (GET /api/v1/whoami) and saves the server and\n"
              "token to $SLIPWAY_CONFIG_DIR/credentials.json (default ~/.config/slipway), mode\n"
              "0600, for the other client commands. The first admin token of a new server is in\n"
              "<data>/initial-admin-token.");
  AddClientFlags(set, &flags);
  set.String("token-file", 0, &token_file, "F", "read the token from file F");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  if (!token_file.empty() && !flags.token.empty()) {
    return UsageError(InvalidArgument("give --token or --token-file, not both"));
  }
  if (!token_file.empty()) {
    auto token = ReadTokenFile(token_file);
    if (!token.ok()) return Fail(token.status());
    flags.token = *token;
  }
  if (flags.server.empty()) flags.server = EnvValue("SLIPWAY_SERVER");
  if (flags.token.empty()) flags.token = EnvValue("SLIPWAY_TOKEN");
  if (flags.server.empty() || flags.token.empty()) {
    return UsageError(
        InvalidArgument("slipway login needs --server URL and --token T (or --token-file F)"));
  }
  auto api = Api::Connect(flags.server, flags.token);
  if (!api.ok()) return Fail(api.status());
  (*api)->set_login_hint(false);
  auto whoami = (*api)->Get("/api/v1/whoami");
  if (!whoami.ok()) {
    return Fail(whoami.status().WithContext("login to " + (*api)->server() + " failed"));
  }
  if (Status saved = SaveCredentials({(*api)->server(), flags.token}); !saved.ok()) {
    return Fail(Unavailable(saved.message()));
  }
  if (flags.json) {
    PrintJson(*whoami);
  } else {
    std::printf("logged in to %s as %s (%s)\ncredentials saved to %s\n", (*api)->server().c_str(),
                Field(*whoami, "name").c_str(), Scope(*whoami).c_str(), CredentialsPath().c_str());
  }
  return 0;
}

int WhoamiCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway whoami", "[flags]", "Shows the token's name, kind, role and project.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto whoami = (*api)->Get("/api/v1/whoami");
  if (!whoami.ok()) return Fail(whoami.status());
  if (flags.json) {
    PrintJson(*whoami);
  } else {
    std::printf("%s (%s) at %s\n", Field(*whoami, "name").c_str(), Scope(*whoami).c_str(),
                (*api)->server().c_str());
  }
  return 0;
}

}  // namespace slipway::cli
