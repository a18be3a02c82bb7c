// Internal to cache/: an flock(2) on a file, held for the object's lifetime.
//
// flock locks belong to the open file description, so two threads that each acquire the lock
// (each opening the file) exclude each other just like two processes do.
#pragma once

#include <filesystem>

#include "util/status.h"

namespace slipway::cache::internal {

class FileLock {
 public:
  enum class Mode { kShared, kExclusive };

  // Opens (creating) `path` — a file or a directory — and blocks until the lock is held.
  static Result<FileLock> Acquire(const std::filesystem::path& path, Mode mode);
  // As Acquire, but returns kUnavailable at once when someone else holds a conflicting lock.
  static Result<FileLock> TryAcquire(const std::filesystem::path& path, Mode mode);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  static Result<FileLock> Lock(const std::filesystem::path& path, Mode mode, bool wait);
  int fd_ = -1;
};

}  // namespace slipway::cache::internal
