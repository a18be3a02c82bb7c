// Registry::CollectGarbage: mark what tags reach, sweep what nothing reaches once it is older
// than the grace period.
//
// Kept manifests: tagged ones, those younger than the grace period (a push in progress writes
// children before their index, and an untagged manifest may be about to be tagged), children
// of kept indexes, and referrers of kept manifests (signatures, provenance, SBOMs), repeated
// until nothing changes. Kept blobs: what kept manifests reference (and the manifests
// themselves), what a repository was given within the grace period, and anything younger than
// the grace period. Everything runs under the exclusive GC lock, so no reference can be added
// between the mark and the sweep.
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "registry/registry.h"
#include "registry/repository_layout.h"
#include "util/fs.h"

namespace slipway::registry {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::system_clock;

// Whether the file at `path` was last modified before `cutoff` (a missing file is not old).
bool OlderThan(const fs::path& path, Clock::time_point cutoff) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  const auto mtime = Clock::time_point(std::chrono::seconds(st.st_mtim.tv_sec) +
                                       std::chrono::nanoseconds(st.st_mtim.tv_nsec));
  return mtime < std::chrono::time_point_cast<Clock::duration>(cutoff);
}

uint64_t FileSize(const fs::path& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::vector<std::string> Names(const fs::path& dir) {
  auto names = ListDirectory(dir.string());
  return names.ok() ? std::move(*names) : std::vector<std::string>();
}

}  // namespace

Result<GcReport> Registry::CollectGarbage(const GcOptions& options) {
  std::unique_lock gc(gc_mutex_);
  std::lock_guard tags(tags_mutex_);
  const Clock::time_point cutoff = Clock::now() - options.grace;
  GcReport report;
  std::set<std::string> live_blobs;  // hex digests

  std::vector<std::string> all_repositories;
  {
    // Every repository folder, including ones whose manifests are all gone.
    std::vector<std::string> pending = {""};
    while (!pending.empty()) {
      const std::string prefix = std::move(pending.back());
      pending.pop_back();
      for (const std::string& name : Names(root_ / "repositories" / prefix)) {
        if (!IsRepositoryName(name)) continue;
        const std::string repository = prefix.empty() ? name : prefix + "/" + name;
        all_repositories.push_back(repository);
        pending.push_back(repository);
      }
    }
  }

  for (const std::string& repository : all_repositories) {
    const fs::path repo = RepositoryPath(repository);
    std::map<std::string, Manifest> manifests;  // hex -> parsed
    std::set<std::string> kept;
    for (const std::string& hex : Names(layout::Revisions(repo))) {
      auto digest = Digest::Parse("sha256:" + hex);
      if (!digest.ok()) continue;  // a temp file
      auto stored = GetManifest(repository, digest->ToString());
      if (!stored.ok()) continue;
      auto manifest = ParseManifest(stored->bytes, stored->media_type);
      if (!manifest.ok()) continue;
      manifests.emplace(hex, std::move(*manifest));
      if (!OlderThan(layout::Revision(repo, *digest), cutoff)) kept.insert(hex);
    }
    for (const std::string& tag : Names(layout::Tags(repo))) {
      auto digest = Resolve(repository, tag);
      if (IsTag(tag) && digest.ok()) kept.insert(digest->hex);
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& [hex, manifest] : manifests) {
        const bool is_kept = kept.count(hex) != 0;
        if (is_kept) {
          for (const Descriptor& child : manifest.manifests) {
            changed |= kept.insert(child.digest.hex).second;
          }
        } else if (manifest.subject && kept.count(manifest.subject->digest.hex) != 0) {
          changed |= kept.insert(hex).second;
        }
      }
    }
    std::set<std::string> referenced;
    for (const auto& [hex, manifest] : manifests) {
      if (kept.count(hex) == 0) {
        ++report.manifests_deleted;
        if (!options.dry_run) {
          if (manifest.subject) {
            (void)unlink(layout::Referrer(repo, manifest.subject->digest, Digest{hex}).c_str());
          }
          (void)unlink(layout::Revision(repo, Digest{hex}).c_str());
        }
        continue;
      }
      live_blobs.insert(hex);
      for (const Descriptor& blob : manifest.blobs) referenced.insert(blob.digest.hex);
    }
    for (const std::string& hex : Names(layout::BlobLinks(repo))) {
      const fs::path link = layout::BlobLink(repo, Digest{hex});
      if (referenced.count(hex) == 0 && OlderThan(link, cutoff)) {
        if (!options.dry_run) (void)unlink(link.c_str());
      } else {
        live_blobs.insert(hex);
      }
    }
  }

  const fs::path blob_root = root_ / "blobs" / "sha256";
  for (const std::string& prefix : Names(blob_root)) {
    for (const std::string& hex : Names(blob_root / prefix)) {
      const fs::path path = blob_root / prefix / hex;
      if (live_blobs.count(hex) != 0 || !OlderThan(path, cutoff)) continue;
      ++report.blobs_deleted;
      report.bytes_freed += FileSize(path);
      if (!options.dry_run) (void)unlink(path.c_str());
    }
  }
  // Uploads abandoned for longer than the grace period.
  for (const std::string& id : Names(root_ / "uploads")) {
    if (OlderThan(root_ / "uploads" / id, cutoff) && !options.dry_run) (void)blobs_->Cancel(id);
  }
  return report;
}

}  // namespace slipway::registry
