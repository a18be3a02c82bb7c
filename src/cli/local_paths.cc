#include "cli/local_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace slipway::cli {

namespace {

namespace fs = std::filesystem;

const char* NonEmptyEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// $<own>, else $<xdg>/slipway, else ~/<home_relative>/slipway, else <tmp>/<fallback>-<uid>.
fs::path LocalDir(const char* own, const char* xdg, const char* home_relative,
                  const char* fallback) {
  if (const char* dir = NonEmptyEnv(own)) return dir;
  if (const char* dir = NonEmptyEnv(xdg)) return fs::path(dir) / "slipway";
  if (const char* home = NonEmptyEnv("HOME")) return fs::path(home) / home_relative / "slipway";
  std::error_code ec;
  return fs::temp_directory_path(ec) / (std::string(fallback) + "-" + std::to_string(getuid()));
}

}  // namespace

fs::path DefaultCacheDir() {
  return LocalDir("SLIPWAY_CACHE_DIR", "XDG_CACHE_HOME", ".cache", "slipway-cache");
}

fs::path DefaultEnvironmentsDir() {
  return LocalDir("SLIPWAY_STATE_DIR", "XDG_STATE_HOME", ".local/state", "slipway-state") /
         "environments";
}

}  // namespace slipway::cli
