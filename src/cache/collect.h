// Internal to cache/: turning a job's `paths` (files, directories, globs, '!' exclusions) into
// the records of what to save.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cache/manifest.h"
#include "util/status.h"

namespace slipway::cache::internal {

// "./a/b/" → "a/b". kInvalidArgument for "", absolute paths, '..' segments and malformed globs.
Result<std::string> NormalizeUserPath(std::string_view path);

// NormalizeUserPath applied to each path (a leading '!' is kept).
Result<std::vector<std::string>> NormalizePaths(const std::vector<std::string>& paths);

// Records for everything `paths` name below `workspace`, sorted by path, without digests.
// Directories named or matched are taken whole (not following symlinks); a literal path below a
// symlinked directory names nothing; missing paths name nothing. A '!' path removes what it
// matches and everything below. Fails on a file name that is not valid UTF-8 (the manifest
// could not hold it faithfully).
Result<std::vector<FileRecord>> CollectPaths(const std::filesystem::path& workspace,
                                             const std::vector<std::string>& paths);

}  // namespace slipway::cache::internal
