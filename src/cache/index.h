// Internal to cache/: finding entries by scanning the manifests below entries/.
//
// There is no separate index file to keep consistent: the manifests are the index. Reads need
// no lock (manifests are replaced by rename, so a reader sees a whole one or none).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cache/layout.h"
#include "cache/manifest.h"
#include "util/status.h"

namespace slipway::cache::internal {

struct IndexedEntry {
  std::filesystem::path manifest_path;
  Manifest manifest;  // header only, or whole, as asked
};

enum class Detail { kHeader, kWhole };

// The entries of `project` (all when nullopt) and `branch` (all when nullopt). A manifest that
// cannot be parsed is appended to `corrupt` (when given) and otherwise skipped; one that
// vanishes while scanning is skipped.
Result<std::vector<IndexedEntry>> ScanEntries(const Layout& layout,
                                              const std::optional<std::string>& project,
                                              const std::optional<std::string>& branch,
                                              Detail detail,
                                              std::vector<std::filesystem::path>* corrupt);

// Subdirectory or file names in `dir`; empty when `dir` does not exist.
Result<std::vector<std::string>> ListNames(const std::filesystem::path& dir);

}  // namespace slipway::cache::internal
