// Cache::Save: hash, stage new blobs outside the lock, then publish under the index lock.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <utility>

#include "cache/cache.h"
#include "cache/collect.h"
#include "cache/gc.h"
#include "cache/layout.h"
#include "cache/lock.h"
#include "cache/manifest.h"
#include "cache/validate.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::cache {
namespace {

using internal::FileLock;
using internal::FileRecord;
using internal::Layout;

std::string HumanBytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const double kib = static_cast<double>(bytes) / 1024;
  if (kib < 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", kib);
  } else if (kib < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", kib / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GiB", kib / 1024 / 1024);
  }
  return buf;
}

// A private directory below tmp/ for blobs being written, locked while the save runs so that
// garbage collection in other processes leaves it alone; removed on destruction.
class Staging {
 public:
  static Result<Staging> Create(const Layout& layout) {
    std::string dir = (layout.tmp_dir() / "save-XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) return ErrnoStatus("cache: create staging dir", errno);
    Result<FileLock> lock = FileLock::Acquire(dir, FileLock::Mode::kExclusive);
    if (!lock.ok()) {
      (void)RemoveTree(dir);
      return lock.status();
    }
    return Staging(dir, std::move(lock).value());
  }
  Staging(Staging&& other) noexcept
      : dir_(std::exchange(other.dir_, {})), lock_(std::move(other.lock_)) {}
  Staging& operator=(Staging&&) = delete;
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging() {
    if (!dir_.empty()) (void)RemoveTree(dir_);
  }

  // Copies `source` into the staging dir and checks the copy still has digest `hex` (the file
  // could have changed since it was hashed; the blob must hold what its name says).
  Status Add(const std::string& hex, const std::filesystem::path& source) {
    const std::filesystem::path staged = dir_ / hex;
    SLIPWAY_RETURN_IF_ERROR(CopyFile(source, staged));
    SLIPWAY_ASSIGN_OR_RETURN(std::string digest, Sha256File(staged));
    if (digest != hex) {
      return Unavailable("cache: " + source.string() + " changed while it was being saved");
    }
    if (chmod(staged.c_str(), 0444) != 0)
      return ErrnoStatus("cache: chmod " + staged.string(), errno);
    return Status::Ok();
  }

  // Moves a staged blob to its place in the store. Caller holds the index lock.
  Status Publish(const Layout& layout, const std::string& hex) {
    const std::filesystem::path blob = layout.BlobPath(hex);
    if (mkdir(blob.parent_path().c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("cache: mkdir " + blob.parent_path().string(), errno);
    }
    if (rename((dir_ / hex).c_str(), blob.c_str()) != 0) {
      return ErrnoStatus("cache: store blob " + blob.string(), errno);
    }
    return Status::Ok();
  }

 private:
  Staging(std::filesystem::path dir, FileLock lock)
      : dir_(std::move(dir)), lock_(std::move(lock)) {}
  std::filesystem::path dir_;
  FileLock lock_;
};

bool Exists(const std::filesystem::path& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

struct Blob {
  uint64_t size = 0;
  std::string source;  // workspace-relative path of a file with this content
  bool staged = false;
};

}  // namespace

Result<SaveOutcome> Cache::Save(const CacheScope& scope, const std::string& key,
                                const std::vector<std::string>& paths,
                                const std::filesystem::path& workspace) {
  SLIPWAY_RETURN_IF_ERROR(internal::CheckScope(scope));
  SLIPWAY_RETURN_IF_ERROR(internal::CheckKey(key));
  SLIPWAY_RETURN_IF_ERROR(internal::CheckWorkspace(workspace));
  if (paths.empty()) return InvalidArgument("cache: no paths to save");
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> normalized, internal::NormalizePaths(paths));
  const Layout layout(options_.root);
  const std::filesystem::path entry_path =
      layout.EntryPath(scope.project, scope.branch, key, internal::PathsVersion(normalized));
  SaveOutcome outcome;
  const auto already = [&] {
    outcome.kind = SaveOutcome::Kind::kAlreadyExists;
    outcome.message = "cache '" + key + "' already exists in branch '" + scope.branch +
                      "'; entries are immutable, not saved";
    return outcome;
  };
  if (Exists(entry_path)) return already();

  SLIPWAY_ASSIGN_OR_RETURN(std::vector<FileRecord> records,
                           internal::CollectPaths(workspace, paths));
  if (records.empty()) {
    outcome.kind = SaveOutcome::Kind::kNothingToSave;
    outcome.message = "cache '" + key + "': no files match the paths; nothing to save";
    return outcome;
  }
  std::map<std::string, Blob> blobs;
  for (FileRecord& r : records) {
    if (r.type == FileRecord::Type::kDir) continue;
    ++outcome.files;
    if (r.type != FileRecord::Type::kFile) continue;
    SLIPWAY_ASSIGN_OR_RETURN(r.sha256, Sha256File(workspace / r.path, &r.size));
    auto [it, added] = blobs.try_emplace(r.sha256, Blob{r.size, r.path});
    if (added) outcome.bytes += r.size;
  }
  if (outcome.bytes > options_.quota_bytes) {
    outcome.kind = SaveOutcome::Kind::kTooLarge;
    outcome.message = "cache '" + key + "' holds " + HumanBytes(outcome.bytes) +
                      ", more than the whole cache quota of " + HumanBytes(options_.quota_bytes) +
                      "; not saved";
    return outcome;
  }

  // Copy new content outside the lock: this is the slow part, and others may go on meanwhile.
  SLIPWAY_ASSIGN_OR_RETURN(Staging staging, Staging::Create(layout));
  for (auto& [hex, blob] : blobs) {
    if (Exists(layout.BlobPath(hex))) continue;
    SLIPWAY_RETURN_IF_ERROR(staging.Add(hex, workspace / blob.source));
    blob.staged = true;
  }

  SLIPWAY_ASSIGN_OR_RETURN(FileLock lock,
                           FileLock::Acquire(layout.lock_file(), FileLock::Mode::kExclusive));
  if (Exists(entry_path)) return already();  // another saver won the race
  for (auto& [hex, blob] : blobs) {
    if (!blob.staged) {
      if (Exists(layout.BlobPath(hex))) continue;
      // Collected by another process since we looked: stage it again (rare, so under the lock).
      SLIPWAY_RETURN_IF_ERROR(staging.Add(hex, workspace / blob.source));
    }
    SLIPWAY_RETURN_IF_ERROR(staging.Publish(layout, hex));
  }
  internal::Manifest m;
  m.key = key;
  m.project = scope.project;
  m.branch = scope.branch;
  m.version = internal::PathsVersion(normalized);
  m.paths = paths;
  m.created_ns = m.last_used_ns = internal::ToNs(Now());
  m.size = outcome.bytes;
  m.file_count = outcome.files;
  m.files = std::move(records);
  std::error_code ec;
  std::filesystem::create_directories(entry_path.parent_path(), ec);
  if (ec) return ErrnoStatus("cache: create " + entry_path.parent_path().string(), ec.value());
  SLIPWAY_RETURN_IF_ERROR(WriteFileAtomic(entry_path, internal::ManifestToJson(m)));
  SLIPWAY_ASSIGN_OR_RETURN(internal::GcResult gc,
                           internal::EvictAndCollect(layout, options_.quota_bytes, entry_path,
                                                     [this](const std::string& w) { Warn(w); }));
  outcome.evicted = gc.evicted;
  outcome.message = "saved cache '" + key + "' (" + std::to_string(outcome.files) + " files, " +
                    HumanBytes(outcome.bytes) + ")";
  if (gc.evicted > 0) {
    outcome.message += "; evicted " + std::to_string(gc.evicted) + " least recently used entries";
  }
  return outcome;
}

}  // namespace slipway::cache
