// Internal to cache/: quota enforcement and deletion of unreferenced blobs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cache/layout.h"
#include "util/status.h"

namespace slipway::cache::internal {

struct GcResult {
  size_t evicted = 0;       // entries evicted for the quota
  uint64_t blob_bytes = 0;  // bytes of blobs deleted
};

// Caller holds the index lock. Evicts entries least-recently-used first (never `keep`) until
// the distinct blobs the remaining entries reference total at most `quota_bytes`, then deletes
// every blob no entry references, and staging directories that crashed saves left behind.
// Unparseable manifests are deleted with a warning (they can never be restored).
// Cost: reads every manifest in the cache. The manifests are the only index, which keeps the
// store simple and crash-safe; a local cache holds few enough entries for that to be cheap
// next to the copying a save does.
Result<GcResult> EvictAndCollect(const Layout& layout, uint64_t quota_bytes,
                                 const std::filesystem::path& keep,
                                 const std::function<void(const std::string&)>& warn);

// Caller holds the index lock. Removes the manifest and then the branch and project
// directories if that left them empty.
Status RemoveEntry(const std::filesystem::path& manifest_path);

}  // namespace slipway::cache::internal
