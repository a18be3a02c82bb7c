// MakeTempDir, WriteFileAtomic, ReadFile.
#include "util/fs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "util/fs_fd.h"

namespace slipway {

using fs_internal::ScopedFd;

Result<std::filesystem::path> MakeTempDir(std::string_view prefix) {
  if (prefix.find('/') != std::string_view::npos) {
    return InvalidArgument("temp dir prefix '" + std::string(prefix) + "' contains '/'");
  }
  const char* env = std::getenv("TMPDIR");
  std::string base = (env != nullptr && *env != '\0') ? env : "/tmp";
  std::string pattern = base + "/" + std::string(prefix) + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return ErrnoStatus("create temp dir under " + base, errno);
  }
  return std::filesystem::path(pattern);
}

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view bytes, mode_t mode) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string tmp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  ScopedFd fd(mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("write " + path.string() + ": create temp file", errno);
  auto fail = [&](const std::string& step, int err) {
    fd.Reset();
    unlink(tmp.c_str());
    return ErrnoStatus("write " + path.string() + ": " + step, err);
  };
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write", errno);
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd.get(), mode) != 0) return fail("chmod", errno);
  if (fsync(fd.get()) != 0) return fail("fsync", errno);
  if (fd.Close() != 0) return fail("close", errno);
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("rename", errno);
  // The rename is durable only once the directory entry is on disk.
  ScopedFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid() || fsync(dir_fd.get()) != 0) {
    return ErrnoStatus("write " + path.string() + ": fsync directory", errno);
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const std::filesystem::path& path, size_t max_bytes) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("read " + path.string(), errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus("read " + path.string(), errno);
  if (S_ISDIR(st.st_mode)) return InvalidArgument("read " + path.string() + ": is a directory");
  auto too_big = [&](uint64_t size, bool exact) {
    return ResourceExhausted("read " + path.string() + ": file is " + (exact ? "" : "over ") +
                             std::to_string(size) + " bytes, above the limit of " +
                             std::to_string(max_bytes) + " bytes");
  };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_big(st.st_size, true);
  // Sized from fstat, but read until EOF: the file may grow, and /proc files report size 0.
  const size_t cap = max_bytes < SIZE_MAX ? max_bytes + 1 : max_bytes;  // +1 detects growth
  std::string out;
  out.resize(std::max<size_t>(std::min<size_t>(static_cast<size_t>(st.st_size) + 1, cap), 1));
  size_t used = 0;
  for (;;) {
    if (used == out.size()) {
      if (used > max_bytes) return too_big(max_bytes, false);
      out.resize(std::min(out.size() * 2, cap));
    }
    const ssize_t n = read(fd.get(), out.data() + used, out.size() - used);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read " + path.string(), errno);
    }
    used += static_cast<size_t>(n);
  }
  if (used > max_bytes) return too_big(max_bytes, false);
  out.resize(used);
  return out;
}

}  // namespace slipway
