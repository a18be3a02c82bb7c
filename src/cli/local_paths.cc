#include "cli/local_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace slipway::cli {

std::filesystem::path DefaultCacheDir() {
  namespace fs = std::filesystem;
  if (const char* dir = std::getenv("SLIPWAY_CACHE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "slipway";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".cache" / "slipway";
  }
  std::error_code ec;
  return fs::temp_directory_path(ec) / ("slipway-cache-" + std::to_string(getuid()));
}

}  // namespace slipway::cli
