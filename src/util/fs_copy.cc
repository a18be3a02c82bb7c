// CopyFile: the fastest copy the filesystem offers, falling back step by step.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "util/fs.h"
#include "util/fs_fd.h"

namespace slipway {
namespace {

using fs_internal::ScopedFd;

// Copies with read/write; for filesystems or fds where copy_file_range does not work.
Status CopyByReadWrite(int in, int out, const std::string& what) {
  constexpr size_t kChunk = size_t{1} << 20;
  auto buffer = std::make_unique_for_overwrite<char[]>(kChunk);
  for (;;) {
    const ssize_t n = read(in, buffer.get(), kChunk);
    if (n == 0) return Status::Ok();
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("copy " + what + ": read", errno);
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = write(out, buffer.get() + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("copy " + what + ": write", errno);
      }
      done += w;
    }
  }
}

Status CopyContents(int in, int out, const std::string& what) {
  if (ioctl(out, FICLONE, in) == 0) return Status::Ok();  // reflink: shares extents, no I/O
  bool first = true;
  for (;;) {
    const ssize_t n = copy_file_range(in, nullptr, out, nullptr, size_t{1} << 30, 0);
    if (n == 0) return Status::Ok();
    if (n > 0) {
      first = false;
      continue;
    }
    if (errno == EINTR) continue;
    const bool unsupported = errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP ||
                             errno == EINVAL || errno == EBADF;
    if (first && unsupported) return CopyByReadWrite(in, out, what);
    return ErrnoStatus("copy " + what, errno);
  }
}

}  // namespace

Status CopyFile(const std::filesystem::path& from, const std::filesystem::path& to) {
  const std::string what = from.string() + " to " + to.string();
  ScopedFd in(open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoStatus("copy " + what + ": open source", errno);
  struct stat st;
  if (fstat(in.get(), &st) != 0) return ErrnoStatus("copy " + what + ": stat source", errno);
  if (!S_ISREG(st.st_mode))
    return InvalidArgument("copy " + what + ": source is not a regular file");
  // Unlink first so that a symlink or a read-only file at `to` is replaced, not written through.
  if (unlink(to.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("copy " + what + ": replace destination", errno);
  }
  ScopedFd out(open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out.valid()) return ErrnoStatus("copy " + what + ": create destination", errno);
  Status status = CopyContents(in.get(), out.get(), what);
  if (status.ok() && fchmod(out.get(), st.st_mode & 07777) != 0) {
    status = ErrnoStatus("copy " + what + ": chmod", errno);
  }
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (status.ok() && futimens(out.get(), times) != 0) {
    status = ErrnoStatus("copy " + what + ": set times", errno);
  }
  if (out.Close() != 0 && status.ok()) status = ErrnoStatus("copy " + what + ": close", errno);
  if (!status.ok()) unlink(to.c_str());
  return status;
}

}  // namespace slipway
