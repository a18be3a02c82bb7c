// `slipway keys list|rotate`: the keys the server signs provenance with.
#include <cstdio>

#include "cli/client.h"

namespace slipway::cli {
namespace {

void PrintKeys(const Json& keys) {
  Table table({"KEY ID", "ACTIVE"});
  for (const Json& key : keys) {
    table.Add({Field(key, "keyid"), key.value("active", false) ? "yes" : ""});
  }
  table.Print();
}

int List(const std::vector<std::string>& args) {
  ClientFlags flags;
  bool pem = false;
  FlagSet set("slipway keys list", "[flags]",
              "Lists the public keys the server signs provenance with (GET\n"
              "/api/v1/signing-keys, public); the active one first. Rotated keys stay listed so\n"
              "what they signed still verifies.");
  AddClientFlags(set, &flags);
  set.Bool("pem", 0, &pem, "print the active public key as PEM (for slipway verify --key)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Get("/api/v1/signing-keys");
  if (!answer.ok()) return Fail(answer.status());
  const Json keys = answer->value("keys", Json::array());
  if (flags.json) {
    PrintJson(*answer);
  } else if (pem) {
    if (keys.empty()) return Fail(NotFound("the server has no signing key"));
    std::fputs(Field(keys[0], "public_key").c_str(), stdout);
  } else {
    PrintKeys(keys);
  }
  return 0;
}

int Rotate(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway keys rotate", "[flags]",
              "Makes a new signing key the active one (admin of all projects). The old public\n"
              "keys stay published, so provenance they signed still verifies.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Post("/api/v1/signing-keys/rotate", Json::object());
  if (!answer.ok()) return Fail(answer.status());
  if (flags.json) {
    PrintJson(*answer);
  } else {
    std::printf("new signing key %s is active; the old keys stay published\n",
                Field(*answer, "keyid").c_str());
  }
  return 0;
}

}  // namespace

int KeysCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand("keys",
                            {{"list", "list the provenance signing keys", List},
                             {"rotate", "make a new signing key the active one", Rotate}},
                            args);
}

}  // namespace slipway::cli
