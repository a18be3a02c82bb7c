// Where `slipway run` keeps local state when no flag says otherwise.
#pragma once

#include <filesystem>

namespace slipway::cli {

// The job cache: $SLIPWAY_CACHE_DIR, else $XDG_CACHE_HOME/slipway, else ~/.cache/slipway,
// else <tmp>/slipway-cache-<uid>.
std::filesystem::path DefaultCacheDir();

}  // namespace slipway::cli
