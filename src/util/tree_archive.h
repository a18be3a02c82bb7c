// Tree archives: regular files, directories and symlinks below a directory as one byte stream.
// Job artifacts travel in this form from an agent to the server, from the server to the agents
// of dependent jobs, and to users who download them (`slipway artifacts`).
//
// Format, version 1 (every integer big-endian, unsigned unless noted):
//
//   archive = magic entry* trailer
//   magic   = "SLWTREE" 0x01                          8 bytes
//   entry   = kind:u8 path_len:u16 path mode:u16 body
//     kind 'd' (directory): no body
//     kind 'f' (file):      mtime_ns:i64 size:u64 data[size]
//     kind 'l' (symlink):   target_len:u16 target        (mode is 0)
//   trailer = 'z' entry_count:u64 sha256[32]
//
// - `path`: 1 to 4095 bytes, relative, '/'-separated; no empty, "." or ".." segment, no NUL
//   (CheckArchivePath). Parents need no entry of their own: extraction creates missing ones
//   (0755 before the umask).
// - `mode`: permission bits, at most 0777 (setuid, setgid and sticky bits are never carried).
// - `target`: 1 to 4095 bytes without NUL, kept verbatim (it may point anywhere; extraction
//   creates the link and never follows it).
// - `sha256` covers every byte before it, from the magic to entry_count; nothing may follow it.
//   A truncated, corrupted or extended stream is refused.
//
// Extraction never writes outside its root: a path whose parent is a symlink or a file on disk
// (say an earlier entry made `dist` a symlink to /etc, then `dist/passwd` comes) is refused,
// an existing file or symlink at an entry's path is replaced (not written through), and an
// existing directory there is refused for files and symlinks and reused for directories.
//
// Thread-safety: no shared state; a Writer is used by one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::tree_archive {

// Supplies bytes: fills `data` with up to `size` bytes and returns how many; 0 at the end.
// An error is passed on unchanged by whoever reads through it.
using ByteSource = std::function<Result<size_t>(char* data, size_t size)>;
// Receives bytes in order.
using ByteSink = std::function<Status(std::string_view bytes)>;

inline constexpr size_t kMaxPathBytes = 4095;

// What an archive holds.
struct Summary {
  uint64_t files = 0;
  uint64_t directories = 0;
  uint64_t symlinks = 0;
  uint64_t file_bytes = 0;  // the sum of the files' sizes
  uint64_t entries() const { return files + directories + symlinks; }
};

// Bounds a reader enforces beyond the format's (hostile or runaway archives); kResourceExhausted
// when crossed.
struct Limits {
  uint64_t max_entries = 1000000;
  uint64_t max_file_bytes = UINT64_MAX;  // total over all files
};

// OK when `path` may name an entry (see the format above); kInvalidArgument naming the problem.
Status CheckArchivePath(std::string_view path);

// Writes an archive to a sink, entry by entry.
class Writer {
 public:
  explicit Writer(ByteSink sink);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Adds `root`/`relative` as the entry `relative`: a regular file (content, mode, mtime), a
  // symlink (as a symlink; never followed) or a directory followed by everything below it in
  // name order (sockets, FIFOs and devices below it are skipped). kInvalidArgument when
  // `relative` is not a valid path, kNotFound when nothing is there, kFailedPrecondition for a
  // file that changed size while being read; the archive is then unusable.
  Status Add(const std::filesystem::path& root, std::string_view relative);
  // Writes the trailer. Nothing may be added afterwards.
  Status Finish();

  const Summary& summary() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Writes an archive of `paths` (each as Writer::Add) below `root` to the file `archive`
// (created or truncated, mode 0600). The file is complete only when this returns OK.
Result<Summary> WriteArchiveFile(const std::filesystem::path& archive,
                                 const std::filesystem::path& root,
                                 const std::vector<std::string>& paths);

// Reads a whole archive from `source` and checks it (format, paths, limits, digest, nothing
// after the trailer) without writing anything. Errors: the source's own, unchanged (a dropped
// connection stays kUnavailable); kInvalidArgument for a malformed archive;
// kResourceExhausted beyond `limits`.
Result<Summary> Verify(const ByteSource& source, const Limits& limits = {});

// Extracts an archive from `source` below the existing directory `root` (see above for what is
// refused). Entries are written as they arrive and directory modes applied at the end (so
// read-only directories extract too); on an error, what was written so far stays: extract
// into a directory you can discard. Errors as Verify's, plus the filesystem's naming the path.
Result<Summary> Extract(const ByteSource& source, const std::filesystem::path& root,
                        const Limits& limits = {});

// Extract() reading the file `archive`.
Result<Summary> ExtractFile(const std::filesystem::path& archive, const std::filesystem::path& root,
                            const Limits& limits = {});

// A source reading the open file descriptor `fd` (borrowed; must outlive the source).
ByteSource FdSource(int fd);

}  // namespace slipway::tree_archive
