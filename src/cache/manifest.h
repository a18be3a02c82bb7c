// Internal to cache/: the per-entry manifest and its JSON form.
//
// JSON (header fields first, so ReadManifestHeader can stop before the file list):
//   {"format":1, "key":…, "project":…, "branch":…, "version":<hex>, "paths":[…],
//    "created":<ns since the Unix epoch>, "last_used":<ns>, "size":<distinct blob bytes>,
//    "file_count":<files+symlinks>,
//    "files":[{"path":"a/b","type":"file","mode":420,"size":3,"sha256":<hex>},
//             {"path":"l","type":"symlink","target":"b"},
//             {"path":"d","type":"dir","mode":493}, …]}
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::cache::internal {

struct FileRecord {
  enum class Type { kFile, kSymlink, kDir };
  std::string path;  // workspace-relative, '/'-separated
  Type type = Type::kFile;
  uint32_t mode = 0;     // permission bits (files and dirs)
  uint64_t size = 0;     // files
  int64_t mtime_ns = 0;  // files: modification time, restored like tar does
  std::string sha256;    // files
  std::string target;    // symlinks
};

struct Manifest {
  std::string key;
  std::string project;
  std::string branch;
  std::string version;
  std::vector<std::string> paths;
  int64_t created_ns = 0;
  int64_t last_used_ns = 0;
  uint64_t size = 0;
  uint64_t file_count = 0;
  std::vector<FileRecord> files;  // empty when only the header was read
};

std::string ManifestToJson(const Manifest& m);

// Parses and validates a whole manifest: every record's path must be a safe relative path
// (see CheckRelativePath) and every file must name a well-formed digest.
Result<Manifest> ParseManifest(std::string_view json);

// Reads the manifest at `path` up to (not including) its file list.
Result<Manifest> ReadManifestHeader(const std::filesystem::path& path);

// Reads and parses the whole manifest at `path`.
Result<Manifest> ReadManifest(const std::filesystem::path& path);

// OK when `path` is a non-empty relative path with no empty, "." or ".." segment, no leading
// or trailing '/', and no NUL; otherwise says why.
Status CheckRelativePath(std::string_view path);

}  // namespace slipway::cache::internal
