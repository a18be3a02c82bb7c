// `slipway token create|list|revoke` (admin) and `slipway agents` (the registered agents).
#include <cstdio>

#include "cli/client.h"

namespace slipway::cli {
namespace {

std::string ProjectOrAll(const Json& doc) {
  const std::string project = Field(doc, "project");
  return project.empty() ? "*" : project;
}

int Create(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string role, project, kind;
  int expires_in = 0;
  FlagSet set("slipway token create", "NAME [flags]",
              "Creates an API token and prints its secret, once: the server keeps only a hash.\n"
              "A user token acts with its role on its project (or on every project); a\n"
              "registration token lets 'slipway agent' register.");
  AddClientFlags(set, &flags);
  set.String("role", 0, &role, "ROLE", "viewer (default), developer, releaser or admin");
  set.String("project", 0, &project, "P", "limit the token to project P");
  set.String("kind", 0, &kind, "KIND", "user (default) or registration");
  set.Int("expires-in", 0, &expires_in, "SECONDS",
          "the token expires after SECONDS (default: never)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  Json body = {{"name", positionals[0]}};
  if (!role.empty()) body["role"] = role;
  if (!project.empty()) body["project"] = project;
  if (!kind.empty()) body["kind"] = kind;
  if (expires_in != 0) body["expires_in_seconds"] = expires_in;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto token = (*api)->Post("/api/v1/tokens", body);
  if (!token.ok()) return Fail(token.status());
  if (flags.json) {
    PrintJson(*token);
    return 0;
  }
  const std::string token_kind = Field(*token, "kind");
  std::string what = token_kind;
  if (token_kind == "user") {
    what += ", " + Field(*token, "role") + " of " +
            (Field(*token, "project").empty() ? "every project"
                                              : "project " + Field(*token, "project"));
  }
  std::printf("created token %s '%s' (%s)\n", Field(*token, "id").c_str(),
              Field(*token, "name").c_str(), what.c_str());
  std::printf("its secret is shown this once and will not be shown again:\n\n  %s\n\n",
              Field(*token, "token").c_str());
  return 0;
}

int List(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway token list", "[flags]",
              "Lists the tokens (never their secrets), revoked ones too.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Get("/api/v1/tokens");
  if (!answer.ok()) return Fail(answer.status());
  if (flags.json) {
    PrintJson(*answer);
    return 0;
  }
  Table table({"ID", "NAME", "KIND", "ROLE", "PROJECT", "CREATED", "LAST USED", "STATE"});
  for (const Json& token : answer->value("tokens", Json::array())) {
    const bool revoked = token.value("revoked", false);
    std::string state = revoked ? "revoked" : "active";
    if (!revoked && !Field(token, "expires").empty()) state = "expires " + Field(token, "expires");
    table.Add({Field(token, "id"), Field(token, "name"), Field(token, "kind"),
               Field(token, "kind") == "user" ? Field(token, "role") : "-", ProjectOrAll(token),
               Ago(token.value("created", Json())),
               token.value("last_used", Json()).is_null() ? "never"
                                                          : Ago(token.value("last_used", Json())),
               state});
  }
  table.Print();
  return 0;
}

int Revoke(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway token revoke", "ID [flags]",
              "Revokes a token: the server refuses it from now on. IDs are in 'token list'.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  const std::string& id = positionals[0];
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    return UsageError(
        InvalidArgument("token IDs are numbers (see 'slipway token list'), got '" + id + "'"));
  }
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto revoked = (*api)->Delete("/api/v1/tokens/" + id);
  if (!revoked.ok()) return Fail(revoked.status());
  if (flags.json) {
    PrintJson(Json{{"revoked", std::stoll(id)}});
  } else {
    std::printf("revoked token %s\n", id.c_str());
  }
  return 0;
}

}  // namespace

int TokenCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand("token",
                            {{"create", "create a token (its secret is shown once)", Create},
                             {"list", "list tokens", List},
                             {"revoke", "revoke a token", Revoke}},
                            args);
}

int AgentsCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway agents", "[list] [flags]",
              "Lists the agents registered with the server ('slipway agent' runs one).");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 1)) return *exit;
  if (!positionals.empty() && positionals[0] != "list") {
    return UsageError(InvalidArgument("unexpected argument '" + positionals[0] +
                                      "'; usage: slipway agents [list] [flags]"));
  }
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Get("/api/v1/agents");
  if (!answer.ok()) return Fail(answer.status());
  if (flags.json) {
    PrintJson(*answer);
    return 0;
  }
  Table table({"ID", "NAME", "LABELS", "CAPACITY", "LAST SEEN"});
  for (const Json& agent : answer->value("agents", Json::array())) {
    std::string labels;
    for (const Json& label : agent.value("labels", Json::array())) {
      if (label.is_string()) labels += (labels.empty() ? "" : ",") + label.get<std::string>();
    }
    table.Add({Field(agent, "id"), Field(agent, "name"), labels.empty() ? "-" : labels,
               Field(agent, "capacity"), Ago(agent.value("last_seen", Json()))});
  }
  if (table.size() == 0) {
    std::printf("no agents registered\n");
  } else {
    table.Print();
  }
  return 0;
}

}  // namespace slipway::cli
