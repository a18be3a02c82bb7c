// Secrets for `slipway run`: flags, the environment, a secrets file.
#include <cstdlib>

#include "cli/commands.h"
#include "util/fs.h"
#include "util/key_value_file.h"

namespace slipway::cli {
namespace {

constexpr size_t kMaxSecretsFileBytes = 1 << 20;

bool ValidName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> LoadSecrets(
    const std::vector<std::string>& flags, const std::string& file) {
  std::vector<std::pair<std::string, std::string>> secrets;
  if (!file.empty()) {
    SLIPWAY_ASSIGN_OR_RETURN(std::string text, ReadFile(file, kMaxSecretsFileBytes));
    auto parsed = ParseKeyValueFile(text, file);
    if (!parsed.ok()) return parsed.status().WithContext("--secrets-file " + file);
    secrets = std::move(*parsed);
  }
  for (const auto& flag : flags) {
    const auto eq = flag.find('=');
    std::string name = flag.substr(0, eq);
    std::string value;
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
    } else if (const char* from_env = std::getenv(name.c_str()); from_env != nullptr) {
      value = from_env;
    } else {
      return InvalidArgument("--secret " + name + ": $" + name +
                             " is not set (use --secret NAME=VALUE or export it)");
    }
    secrets.emplace_back(std::move(name), std::move(value));
  }
  for (const auto& [name, value] : secrets) {
    if (!ValidName(name)) {
      return InvalidArgument("secret name '" + name + "' is not a valid environment variable name");
    }
  }
  return secrets;
}

}  // namespace slipway::cli
