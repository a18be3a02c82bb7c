// Internal to cache/: where things live below the cache root, and the names that keep
// user-supplied strings (project, branch, key) from ever forming a path of their own.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::cache::internal {

class Layout {
 public:
  explicit Layout(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path lock_file() const { return root_ / "lock"; }
  std::filesystem::path blobs_dir() const { return root_ / "blobs"; }
  std::filesystem::path entries_dir() const { return root_ / "entries"; }
  std::filesystem::path tmp_dir() const { return root_ / "tmp"; }

  // blobs/<first two hex digits>/<hex>.
  std::filesystem::path BlobPath(std::string_view sha256_hex) const;
  std::filesystem::path ProjectDir(std::string_view project) const;
  std::filesystem::path BranchDir(std::string_view project, std::string_view branch) const;
  // The manifest of the entry identified by (project, branch, key, version).
  std::filesystem::path EntryPath(std::string_view project, std::string_view branch,
                                  std::string_view key, std::string_view version) const;

 private:
  std::filesystem::path root_;
};

// A file name for any string: injective, never "", "." or "..", no '/', at most ~120 bytes.
// Bytes outside [A-Za-z0-9_.-] (and a leading '.') are percent-encoded; long names are cut and
// suffixed with '~' and a digest of the whole name ('~' never appears otherwise).
std::string EncodeName(std::string_view name);

// The entry "version": a digest of the saved paths as a set (order and duplicates ignored).
std::string PathsVersion(const std::vector<std::string>& paths);

// Whether `s` is 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace slipway::cache::internal
