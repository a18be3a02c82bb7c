#include "cache/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace slipway::cache::internal {

Result<FileLock> FileLock::Lock(const std::filesystem::path& path, Mode mode, bool wait) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_CREAT, 0644);
  if (fd < 0 && errno == EISDIR) fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus("cache: open lock " + path.string(), errno);
  FileLock lock(fd);
  const int op = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  while (flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return Unavailable("cache: " + path.string() + " is locked");
    return ErrnoStatus("cache: lock " + path.string(), errno);
  }
  return lock;
}

Result<FileLock> FileLock::Acquire(const std::filesystem::path& path, Mode mode) {
  return Lock(path, mode, true);
}

Result<FileLock> FileLock::TryAcquire(const std::filesystem::path& path, Mode mode) {
  return Lock(path, mode, false);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace slipway::cache::internal
