// Where `slipway run` keeps local state when no flag says otherwise.
#pragma once

#include <filesystem>

namespace slipway::cli {

// The job cache: $SLIPWAY_CACHE_DIR, else $XDG_CACHE_HOME/slipway, else ~/.cache/slipway,
// else <tmp>/slipway-cache-<uid>.
std::filesystem::path DefaultCacheDir();

// Environments deployed by `slipway run` (and looked at by `slipway env --local`):
// $SLIPWAY_STATE_DIR, else $XDG_STATE_HOME/slipway, else ~/.local/state/slipway, else
// <tmp>/slipway-state-<uid>; then /environments.
std::filesystem::path DefaultEnvironmentsDir();

}  // namespace slipway::cli
