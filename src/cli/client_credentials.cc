// The saved login (`slipway login`): where it lives, reading it, and replacing it atomically.
#include <sys/stat.h>

#include <cstdlib>

#include "cli/client.h"
#include "util/fs.h"

namespace slipway::cli {
namespace {

namespace fs = std::filesystem;

// Credentials files are tiny; anything larger is not ours.
constexpr size_t kMaxCredentialsBytes = 64 * 1024;

}  // namespace

std::string EnvValue(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

fs::path ConfigDir() {
  if (std::string dir = EnvValue("SLIPWAY_CONFIG_DIR"); !dir.empty()) return dir;
  if (std::string xdg = EnvValue("XDG_CONFIG_HOME"); !xdg.empty()) return fs::path(xdg) / "slipway";
  if (std::string home = EnvValue("HOME"); !home.empty()) {
    return fs::path(home) / ".config" / "slipway";
  }
  return ".slipway";
}

fs::path CredentialsPath() { return ConfigDir() / "credentials.json"; }

Result<std::optional<Credentials>> LoadCredentials() {
  const fs::path path = CredentialsPath();
  auto text = ReadFile(path, kMaxCredentialsBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<Credentials>();
    return text.status();
  }
  const Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("server") || !doc["server"].is_string() ||
      !doc.contains("token") || !doc["token"].is_string()) {
    return InvalidArgument(path.string() +
                           " is not a slipway credentials file (expected {\"server\", \"token\"}); "
                           "run 'slipway login' again");
  }
  return std::optional<Credentials>(
      Credentials{doc["server"].get<std::string>(), doc["token"].get<std::string>()});
}

Status SaveCredentials(const Credentials& credentials) {
  const fs::path path = CredentialsPath();
  std::error_code ec;
  if (!fs::is_directory(path.parent_path(), ec)) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return Unavailable("cannot create " + path.parent_path().string() + ": " + ec.message());
    }
    // Only the directory slipway made is narrowed; an existing one is the user's business.
    ::chmod(path.parent_path().c_str(), 0700);
  }
  const Json doc = {{"server", credentials.server}, {"token", credentials.token}};
  return WriteFileAtomic(path, doc.dump(2) + "\n", 0600);
}

}  // namespace slipway::cli
