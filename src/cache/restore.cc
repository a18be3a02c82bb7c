// Cache::Restore: the lookup order, then writing the chosen entry into the workspace.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "cache/cache.h"
#include "cache/collect.h"
#include "cache/entry_writer.h"
#include "cache/gc.h"
#include "cache/index.h"
#include "cache/layout.h"
#include "cache/lock.h"
#include "cache/manifest.h"
#include "cache/validate.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::cache {
namespace {

using internal::FileLock;
using internal::Layout;
using internal::Manifest;

struct Candidate {
  std::filesystem::path manifest_path;
  std::string branch;
  bool exact = false;
};

// Entries of one branch saved with `version` whose key starts with `prefix`, newest first.
Result<std::vector<Candidate>> PrefixCandidates(const Layout& layout, const CacheScope& scope,
                                                const std::string& branch,
                                                const std::string& version,
                                                const std::string& prefix) {
  SLIPWAY_ASSIGN_OR_RETURN(
      std::vector<internal::IndexedEntry> entries,
      internal::ScanEntries(layout, scope.project, branch, internal::Detail::kHeader, nullptr));
  std::erase_if(entries, [&](const internal::IndexedEntry& e) {
    return e.manifest.version != version || !e.manifest.key.starts_with(prefix);
  });
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    if (a.manifest.created_ns != b.manifest.created_ns) {
      return a.manifest.created_ns > b.manifest.created_ns;
    }
    return a.manifest.key > b.manifest.key;
  });
  std::vector<Candidate> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back({e.manifest_path, branch, false});
  return out;
}

}  // namespace

Result<std::optional<RestoreHit>> Cache::Restore(const CacheScope& scope, const std::string& key,
                                                 const std::vector<std::string>& restore_keys,
                                                 const std::vector<std::string>& paths,
                                                 const std::filesystem::path& workspace) {
  SLIPWAY_RETURN_IF_ERROR(internal::CheckScope(scope));
  SLIPWAY_RETURN_IF_ERROR(internal::CheckKey(key));
  SLIPWAY_RETURN_IF_ERROR(internal::CheckWorkspace(workspace));
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> normalized, internal::NormalizePaths(paths));
  const std::string version = internal::PathsVersion(normalized);
  const Layout layout(options_.root);
  std::vector<std::string> branches = {scope.branch};
  if (!scope.default_branch.empty() && scope.default_branch != scope.branch) {
    branches.push_back(scope.default_branch);
  }

  // Tries one candidate: a hit, a miss (gone or corrupt: reported and removed), or an error.
  using MaybeHit = std::optional<RestoreHit>;
  auto attempt = [&](const Candidate& c) -> Result<MaybeHit> {
    Result<Manifest> read = internal::ReadManifest(c.manifest_path);
    if (!read.ok() && read.status().code() == StatusCode::kNotFound) return MaybeHit();
    if (!read.ok() && read.status().code() != StatusCode::kInvalidArgument) return read.status();
    if (read.ok() && read->version != version) return MaybeHit();
    std::string problem = read.ok() ? "" : read.status().message();
    std::string bad_blob;
    internal::WriteOutcome written;
    if (read.ok()) {
      SLIPWAY_ASSIGN_OR_RETURN(written, internal::WriteEntry(layout, *read, workspace));
      if (written.corrupt) {
        problem = written.reason;
        bad_blob = written.bad_blob;
      }
    }
    SLIPWAY_ASSIGN_OR_RETURN(FileLock lock,
                             FileLock::Acquire(layout.lock_file(), FileLock::Mode::kExclusive));
    if (!problem.empty() && !bad_blob.empty()) {
      // Evicted (manifest, then blobs) by someone else since we read it: a plain miss.
      Result<Manifest> now = internal::ReadManifestHeader(c.manifest_path);
      if (!now.ok() || now->created_ns != read->created_ns) return MaybeHit();
    }
    if (!problem.empty()) {
      const std::string which =
          read.ok() ? "'" + read->key + "'" : "with manifest " + c.manifest_path.string();
      Warn("entry " + which + " (branch '" + c.branch +
           "') is corrupt; removed it instead of restoring: " + problem);
      if (!bad_blob.empty()) {
        // Check again under the lock: a concurrent save may have put a good copy in place.
        const std::filesystem::path blob = layout.BlobPath(bad_blob);
        Result<std::string> digest = Sha256File(blob);
        if (digest.ok() && *digest != bad_blob) unlink(blob.c_str());
      }
      SLIPWAY_RETURN_IF_ERROR(internal::RemoveEntry(c.manifest_path));
      return MaybeHit();
    }
    // Mark used, unless the entry was replaced since we read it.
    Result<Manifest> current = internal::ReadManifestHeader(c.manifest_path);
    if (current.ok() && current->created_ns == read->created_ns) {
      Manifest touched = std::move(read).value();
      touched.last_used_ns = std::max(touched.last_used_ns, internal::ToNs(Now()));
      SLIPWAY_RETURN_IF_ERROR(WriteFileAtomic(c.manifest_path, internal::ManifestToJson(touched)));
      return MaybeHit(RestoreHit{touched.key, c.branch, c.exact, written.bytes, written.files});
    }
    return MaybeHit(RestoreHit{read->key, c.branch, c.exact, written.bytes, written.files});
  };

  for (const std::string& branch : branches) {
    const Candidate c{layout.EntryPath(scope.project, branch, key, version), branch, true};
    SLIPWAY_ASSIGN_OR_RETURN(std::optional<RestoreHit> hit, attempt(c));
    if (hit) return hit;
  }
  for (const std::string& prefix : restore_keys) {
    if (prefix.empty()) continue;
    for (const std::string& branch : branches) {
      SLIPWAY_ASSIGN_OR_RETURN(std::vector<Candidate> candidates,
                               PrefixCandidates(layout, scope, branch, version, prefix));
      for (const Candidate& c : candidates) {
        SLIPWAY_ASSIGN_OR_RETURN(std::optional<RestoreHit> hit, attempt(c));
        if (hit) return hit;
      }
    }
  }
  return MaybeHit();
}

}  // namespace slipway::cache
