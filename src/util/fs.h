// Small filesystem helpers the runner and the cache need, beyond std::filesystem: temp dirs,
// removal of trees a build left read-only, fast copies (reflink when the filesystem can),
// atomic writes, and bounded reads.
//
// Contract: nothing throws; failures come back as Status naming the path (ErrnoStatus codes:
// kNotFound for a missing file, kPermissionDenied, kResourceExhausted for a full disk, else
// kUnavailable). None of these follow a symlink unless stated. Thread-safe (no shared state);
// concurrent calls on the same paths race the way the underlying syscalls do.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway {

// Creates a fresh private (0700) directory "<prefix>XXXXXX" under $TMPDIR (or /tmp when unset
// or empty) and returns its path. `prefix` must not contain '/'.
Result<std::filesystem::path> MakeTempDir(std::string_view prefix);

// Removes `path` and everything below it without following symlinks. Directories a build left
// without owner write/search permission are chmod'ed u+rwx first. A missing path is OK.
Status RemoveTree(const std::filesystem::path& path);

// The names of the entries in the directory `dir` except "." and "..", sorted bytewise so that
// walks built on it are reproducible.
Result<std::vector<std::string>> ListDirectory(const std::string& dir);

// Writes all of `bytes` to the file descriptor `fd` (retrying short and interrupted writes); a
// failure is an ErrnoStatus naming `what` ("write /path/to/file", say).
Status WriteAll(int fd, std::string_view bytes, const std::string& what);

// Copies the regular file `from` (a symlink `from` is followed) to `to`: contents, permission
// bits (including setuid/setgid/sticky) and modification time. `to` is replaced if it exists —
// when `to` is a symlink, the link itself is replaced, never the file it points to; a directory
// at `to` is an error. Uses a reflink (ioctl FICLONE) when the filesystem supports it, else
// copy_file_range, else read/write. Not atomic: a failed copy may leave a partial `to`, which is
// removed on a best-effort basis.
Status CopyFile(const std::filesystem::path& from, const std::filesystem::path& to);

// Copies the directory `from` into `to` (created with its parents when missing; merged into
// when it exists): regular files as CopyFile does, directories with their modes (applied after
// their contents, so read-only directories copy too), symlinks as symlinks with the same target
// text. Sockets, FIFOs and devices are skipped. `to` must not lie inside `from`.
Status CopyTree(const std::filesystem::path& from, const std::filesystem::path& to);

// Replaces `path` with `bytes` so that a reader sees either the old or the new contents, never
// a mix, even across a crash: writes a temp file in the same directory, fsyncs it, sets `mode`,
// renames it over `path`, then fsyncs the directory.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view bytes,
                       mode_t mode = 0644);

// The whole contents of the file at `path` (symlinks followed). Fails with kResourceExhausted,
// naming the file and the limit, when it holds more than `max_bytes`.
Result<std::string> ReadFile(const std::filesystem::path& path, size_t max_bytes);

}  // namespace slipway
