// The job cache: GitHub Actions cache semantics, stored on local disk, content-addressed.
//
// A job saves a set of workspace files under a key (usually built from hashFiles() of a lock
// file) and later jobs restore them by the same key or by key prefixes. Entries are namespaced
// by project and branch: a run reads its own branch's entries and falls back to the default
// branch's, never another feature branch's, so an untrusted branch cannot poison others.
//
// Identity and immutability: an entry is identified by (project, branch, key, paths), where
// `paths` is compared as a set (like GitHub's cache "version": restoring with other paths than
// were saved is a miss). Entries are immutable: saving an existing identity changes nothing.
//
// Storage (below CacheOptions::root): `blobs/ab/<sha256>` file contents, stored once however
// many entries, projects and branches share them; `entries/<project>/<branch>/<id>.json` one
// manifest per entry (names percent-encoded, `<id>` the SHA-256 of key and paths) listing every
// file's path, mode, size and digest, every symlink's target and every directory's mode;
// `lock` serialises index changes between threads and processes (flock); `tmp/` staging.
//
// Quota: after each save, entries are evicted least-recently-used first until the distinct
// blobs referenced by the remaining entries fit CacheOptions::quota_bytes, then blobs no entry
// references are deleted. A restore counts as a use.
//
// Integrity: every restored file is checked against its digest. A corrupt entry (bad digest,
// unreadable manifest, a path that would leave the workspace) is never restored: it is
// reported through CacheOptions::warn, deleted, and the lookup goes on as if it were absent.
//
// Thread-safety: a Cache may be used by many threads at once, and many processes may open the
// same root; every operation is atomic with respect to the others (a reader never sees a
// half-written entry or blob). The now/warn callbacks are called from those threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace slipway::cache {

using TimePoint = std::chrono::system_clock::time_point;

// Where entries live. `project` and `branch` are required; `default_branch` (may be empty or
// equal to `branch`) is the read-only fallback for restores.
struct CacheScope {
  std::string project;
  std::string branch;
  std::string default_branch;
};

struct CacheOptions {
  std::filesystem::path root;                // required; created when missing
  uint64_t quota_bytes = uint64_t{5} << 30;  // 5 GiB of distinct blob bytes over all entries
  std::function<TimePoint()> now;            // empty: std::chrono::system_clock::now
  // Receives one sentence per problem the cache recovered from (a corrupt entry it removed);
  // empty: warnings are dropped.
  std::function<void(const std::string&)> warn;
};

struct RestoreHit {
  std::string key;     // the entry's key (differs from the requested key on a prefix hit)
  std::string branch;  // the branch the entry was found in
  bool exact = false;  // found by the exact key rather than by a restore-key prefix
  uint64_t bytes = 0;  // bytes of regular files written
  size_t files = 0;    // regular files and symlinks written
};

struct SaveOutcome {
  enum class Kind {
    kSaved,
    kAlreadyExists,  // an entry with this identity exists in the branch: left unchanged
    kNothingToSave,  // no path matched anything
    kTooLarge,       // the entry alone exceeds the quota: not saved
  };
  Kind kind = Kind::kSaved;
  uint64_t bytes = 0;   // distinct content bytes of the entry (0 unless kSaved or kTooLarge)
  size_t files = 0;     // regular files and symlinks in the entry
  size_t evicted = 0;   // entries evicted to make room (kSaved only)
  std::string message;  // a sentence for the job log
};

struct EntryInfo {
  std::string key;
  std::string project;
  std::string branch;
  std::vector<std::string> paths;  // as given to Save
  uint64_t size = 0;               // distinct content bytes
  size_t files = 0;                // regular files and symlinks
  TimePoint created;
  TimePoint last_used;
};

struct ClearStats {
  size_t entries = 0;  // entries removed
  uint64_t bytes = 0;  // blob bytes deleted (shared blobs still referenced are kept)
};

class Cache {
 public:
  // Opens (creating when missing) the cache at options.root. Fails when root is empty or not
  // writable, or quota_bytes is 0.
  static Result<std::unique_ptr<Cache>> Open(CacheOptions options);

  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  ~Cache();

  // Looks up, in order: `key` in scope.branch, `key` in scope.default_branch, then for each of
  // `restore_keys` the newest entry (by creation time) whose key starts with it, in
  // scope.branch then in scope.default_branch. On a hit, writes the entry's files into
  // `workspace` at their workspace-relative paths (replacing files there; parent directories
  // are created; never writing through a symlink or outside the workspace), with their modes
  // and symlinks, and marks the entry used. nullopt on a miss.
  // `paths` must equal (as a set) the paths the entry was saved with.
  Result<std::optional<RestoreHit>> Restore(const CacheScope& scope, const std::string& key,
                                            const std::vector<std::string>& restore_keys,
                                            const std::vector<std::string>& paths,
                                            const std::filesystem::path& workspace);

  // Saves what `paths` name in `workspace` as a new entry in scope.branch. Each path is
  // workspace-relative: a file or symlink (stored as a symlink), a directory (everything below
  // it, recursively, symlinks not followed), or a glob (util/glob.h; a matching directory is
  // taken whole). A path starting with '!' excludes what it matches (and everything below).
  // Keys: 1-512 bytes, no control characters or commas (as GitHub). Paths must not be absolute
  // or contain '..'.
  Result<SaveOutcome> Save(const CacheScope& scope, const std::string& key,
                           const std::vector<std::string>& paths,
                           const std::filesystem::path& workspace);

  // Entries (of `project` only when given), most recently used first.
  Result<std::vector<EntryInfo>> List(const std::optional<std::string>& project) const;

  // Removes the entries matching every given filter (all entries when none is given), then the
  // blobs no remaining entry references.
  Result<ClearStats> Clear(const std::optional<std::string>& project,
                           const std::optional<std::string>& branch,
                           const std::optional<std::string>& key_prefix);

 private:
  struct PrivateTag {};

 public:
  Cache(PrivateTag, CacheOptions options);  // for Open only (the tag cannot be named outside)

 private:
  TimePoint Now() const;
  void Warn(const std::string& message) const;

  CacheOptions options_;
};

// A digest of the files matching `patterns` in `workspace`, for cache keys: SHA-256 over each
// matching file's workspace-relative path and contents' SHA-256, in path order (so the result
// does not depend on the order of patterns or of the filesystem). Patterns are globs or plain
// paths; a plain directory means every file below it; '!' excludes. Symlinks count by the
// contents they point to. "" when nothing matches, as GitHub's hashFiles.
Result<std::string> HashFiles(const std::filesystem::path& workspace,
                              const std::vector<std::string>& patterns);

}  // namespace slipway::cache
