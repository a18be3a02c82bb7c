// Internal to cache/: argument checks shared by Save and Restore, and time conversions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "cache/cache.h"
#include "util/status.h"

namespace slipway::cache::internal {

// project and branch are non-empty, at most 1024 bytes, without NUL.
Status CheckScope(const CacheScope& scope);

// 1-512 bytes, no control characters, no commas (GitHub's rules).
Status CheckKey(std::string_view key);

// The workspace exists and is a directory (symlinks followed).
Status CheckWorkspace(const std::filesystem::path& workspace);

int64_t ToNs(TimePoint t);
TimePoint FromNs(int64_t ns);

}  // namespace slipway::cache::internal
