#include "cache/gc.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "cache/index.h"
#include "cache/lock.h"
#include "util/fs.h"

namespace slipway::cache::internal {
namespace {

struct BlobUse {
  uint64_t size = 0;
  size_t refs = 0;
};

// Distinct blobs of one entry, so a blob listed twice in an entry counts once.
std::vector<std::pair<std::string, uint64_t>> DistinctBlobs(const Manifest& m) {
  std::unordered_map<std::string, uint64_t> seen;
  for (const FileRecord& r : m.files) {
    if (r.type == FileRecord::Type::kFile) seen.emplace(r.sha256, r.size);
  }
  return {seen.begin(), seen.end()};
}

// Deletes blobs missing from `uses`, returning the bytes freed.
Result<uint64_t> DeleteUnreferencedBlobs(const Layout& layout,
                                         const std::unordered_map<std::string, BlobUse>& uses) {
  uint64_t freed = 0;
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> shards, ListNames(layout.blobs_dir()));
  for (const std::string& shard : shards) {
    const std::filesystem::path dir = layout.blobs_dir() / shard;
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListNames(dir));
    for (const std::string& name : names) {
      if (!IsSha256Hex(name)) continue;  // not ours
      auto it = uses.find(name);
      if (it != uses.end() && it->second.refs > 0) continue;
      const std::filesystem::path blob = dir / name;
      struct stat st;
      if (lstat(blob.c_str(), &st) == 0 && unlink(blob.c_str()) == 0) freed += st.st_size;
    }
    rmdir(dir.c_str());  // only succeeds when empty
  }
  return freed;
}

// A staging directory is stale when no save holds its lock and it is over an hour old (the age
// check covers the moment between a save creating it and locking it). Real time on purpose.
void RemoveStaleStaging(const Layout& layout) {
  Result<std::vector<std::string>> names = ListNames(layout.tmp_dir());
  if (!names.ok()) return;
  const auto now = std::chrono::system_clock::now();
  for (const std::string& name : *names) {
    const std::filesystem::path dir = layout.tmp_dir() / name;
    struct stat st;
    if (lstat(dir.c_str(), &st) != 0) continue;
    const auto mtime = std::chrono::system_clock::from_time_t(st.st_mtime);
    if (now - mtime < std::chrono::hours(1)) continue;
    Result<FileLock> lock = FileLock::TryAcquire(dir, FileLock::Mode::kExclusive);
    if (lock.ok()) (void)RemoveTree(dir);
  }
}

}  // namespace

Status RemoveEntry(const std::filesystem::path& manifest_path) {
  if (unlink(manifest_path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("cache: remove " + manifest_path.string(), errno);
  }
  const std::filesystem::path branch_dir = manifest_path.parent_path();
  if (rmdir(branch_dir.c_str()) == 0) rmdir(branch_dir.parent_path().c_str());
  return Status::Ok();
}

Result<GcResult> EvictAndCollect(const Layout& layout, uint64_t quota_bytes,
                                 const std::filesystem::path& keep,
                                 const std::function<void(const std::string&)>& warn) {
  std::vector<std::filesystem::path> corrupt;
  SLIPWAY_ASSIGN_OR_RETURN(
      std::vector<IndexedEntry> entries,
      ScanEntries(layout, std::nullopt, std::nullopt, Detail::kWhole, &corrupt));
  for (const std::filesystem::path& path : corrupt) {
    warn("removed unreadable manifest " + path.string());
    SLIPWAY_RETURN_IF_ERROR(RemoveEntry(path));
  }

  std::unordered_map<std::string, BlobUse> uses;
  uint64_t total = 0;
  std::vector<std::vector<std::pair<std::string, uint64_t>>> blobs(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    blobs[i] = DistinctBlobs(entries[i].manifest);
    for (const auto& [hex, size] : blobs[i]) {
      BlobUse& use = uses[hex];
      if (use.refs++ == 0) {
        use.size = size;
        total += size;
      }
    }
  }

  GcResult result;
  std::vector<size_t> order(entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return entries[a].manifest.last_used_ns < entries[b].manifest.last_used_ns;
  });
  for (size_t i : order) {
    if (total <= quota_bytes) break;
    if (entries[i].manifest_path == keep) continue;
    SLIPWAY_RETURN_IF_ERROR(RemoveEntry(entries[i].manifest_path));
    ++result.evicted;
    for (const auto& [hex, size] : blobs[i]) {
      if (--uses[hex].refs == 0) total -= uses[hex].size;
    }
  }

  SLIPWAY_ASSIGN_OR_RETURN(result.blob_bytes, DeleteUnreferencedBlobs(layout, uses));
  RemoveStaleStaging(layout);
  return result;
}

}  // namespace slipway::cache::internal
