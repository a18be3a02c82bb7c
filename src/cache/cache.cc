// Cache: opening, listing and clearing. Save and Restore live in save.cc and restore.cc.
#include "cache/cache.h"

#include <unistd.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "cache/gc.h"
#include "cache/index.h"
#include "cache/layout.h"
#include "cache/lock.h"
#include "cache/validate.h"

namespace slipway::cache {

using internal::Layout;

Result<std::unique_ptr<Cache>> Cache::Open(CacheOptions options) {
  if (options.root.empty()) return InvalidArgument("cache: root directory is not set");
  if (options.quota_bytes == 0) return InvalidArgument("cache: quota_bytes is 0");
  const Layout layout(options.root);
  for (const auto& dir : {layout.blobs_dir(), layout.entries_dir(), layout.tmp_dir()}) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return ErrnoStatus("cache: create " + dir.string(), ec.value());
  }
  if (access(options.root.c_str(), W_OK) != 0) {
    return ErrnoStatus("cache: root " + options.root.string() + " is not writable", errno);
  }
  // Creating the lock file now surfaces permission problems at open, not mid-save.
  SLIPWAY_ASSIGN_OR_RETURN(
      internal::FileLock lock,
      internal::FileLock::Acquire(layout.lock_file(), internal::FileLock::Mode::kShared));
  return std::make_unique<Cache>(PrivateTag{}, std::move(options));
}

Cache::Cache(PrivateTag, CacheOptions options) : options_(std::move(options)) {}
Cache::~Cache() = default;

TimePoint Cache::Now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

void Cache::Warn(const std::string& message) const {
  if (options_.warn) options_.warn(message);
}

Result<std::vector<EntryInfo>> Cache::List(const std::optional<std::string>& project) const {
  const Layout layout(options_.root);
  SLIPWAY_ASSIGN_OR_RETURN(
      std::vector<internal::IndexedEntry> entries,
      internal::ScanEntries(layout, project, std::nullopt, internal::Detail::kHeader, nullptr));
  std::vector<EntryInfo> out;
  out.reserve(entries.size());
  for (const internal::IndexedEntry& e : entries) {
    const internal::Manifest& m = e.manifest;
    out.push_back({m.key, m.project, m.branch, m.paths, m.size, static_cast<size_t>(m.file_count),
                   internal::FromNs(m.created_ns), internal::FromNs(m.last_used_ns)});
  }
  std::sort(out.begin(), out.end(), [](const EntryInfo& a, const EntryInfo& b) {
    if (a.last_used != b.last_used) return a.last_used > b.last_used;
    return std::tie(a.project, a.branch, a.key) < std::tie(b.project, b.branch, b.key);
  });
  return out;
}

Result<ClearStats> Cache::Clear(const std::optional<std::string>& project,
                                const std::optional<std::string>& branch,
                                const std::optional<std::string>& key_prefix) {
  const Layout layout(options_.root);
  SLIPWAY_ASSIGN_OR_RETURN(
      internal::FileLock lock,
      internal::FileLock::Acquire(layout.lock_file(), internal::FileLock::Mode::kExclusive));
  SLIPWAY_ASSIGN_OR_RETURN(
      std::vector<internal::IndexedEntry> entries,
      internal::ScanEntries(layout, project, branch, internal::Detail::kHeader, nullptr));
  ClearStats stats;
  for (const internal::IndexedEntry& e : entries) {
    if (key_prefix && !e.manifest.key.starts_with(*key_prefix)) continue;
    SLIPWAY_RETURN_IF_ERROR(internal::RemoveEntry(e.manifest_path));
    ++stats.entries;
  }
  SLIPWAY_ASSIGN_OR_RETURN(
      internal::GcResult gc,
      internal::EvictAndCollect(layout, std::numeric_limits<uint64_t>::max(), {},
                                [this](const std::string& m) { Warn(m); }));
  stats.bytes = gc.blob_bytes;
  return stats;
}

}  // namespace slipway::cache
