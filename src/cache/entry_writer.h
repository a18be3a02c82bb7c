// Internal to cache/: writing an entry's files into a workspace, all-or-nothing on corruption.
#pragma once

#include <filesystem>
#include <string>

#include "cache/layout.h"
#include "cache/manifest.h"
#include "util/status.h"

namespace slipway::cache::internal {

struct WriteOutcome {
  bool corrupt = false;  // a blob is missing or fails its digest; nothing was written
  std::string reason;    // why, when corrupt
  std::string bad_blob;  // the blob's digest, when corrupt
  uint64_t bytes = 0;    // regular-file bytes written
  size_t files = 0;      // regular files and symlinks written
};

// Writes `manifest`'s records below `workspace`. Every file is first copied from its blob to a
// hidden temp file beside its destination and checked against its digest; only when all of them
// check out are they renamed into place, then symlinks made and directory modes set. So a corrupt
// entry changes nothing in the workspace (directories created for it are removed again).
// Never writes through a symlink: a parent that is a symlink in the workspace is an error, and
// a symlink at a file's destination is replaced, not followed. Manifest paths are assumed
// checked (ParseManifest does).
Result<WriteOutcome> WriteEntry(const Layout& layout, const Manifest& manifest,
                                const std::filesystem::path& workspace);

}  // namespace slipway::cache::internal
