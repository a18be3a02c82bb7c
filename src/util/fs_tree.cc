// ListDirectory, RemoveTree and CopyTree (directory walks that never follow symlinks), WriteAll.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "util/fs.h"

namespace slipway {

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("list " + dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  const int err = errno;
  closedir(d);
  if (err != 0) return ErrnoStatus("list " + dir, err);
  std::sort(names.begin(), names.end());
  return names;
}

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(what, errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

namespace {

Status RemoveRecursive(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoStatus("remove " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("remove " + path, errno);
    return Status::Ok();
  }
  // A build may leave directories read-only (Go's module cache does): we need rwx to empty them.
  if ((st.st_mode & S_IRWXU) != S_IRWXU && chmod(path.c_str(), st.st_mode | S_IRWXU) != 0) {
    return ErrnoStatus("remove " + path + ": chmod u+rwx", errno);
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(path));
  for (const std::string& name : names) {
    SLIPWAY_RETURN_IF_ERROR(RemoveRecursive(path + "/" + name));
  }
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("remove " + path, errno);
  return Status::Ok();
}

Status CopySymlink(const std::string& from, const std::string& to) {
  std::string target(4096, '\0');
  const ssize_t n = readlink(from.c_str(), target.data(), target.size());
  if (n < 0) return ErrnoStatus("copy symlink " + from + ": readlink", errno);
  if (static_cast<size_t>(n) >= target.size()) {
    return InvalidArgument("copy symlink " + from + ": target too long");
  }
  target.resize(static_cast<size_t>(n));
  if (unlink(to.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("copy symlink to " + to + ": replace", errno);
  }
  if (symlink(target.c_str(), to.c_str()) != 0) {
    return ErrnoStatus("copy symlink " + from + " to " + to, errno);
  }
  return Status::Ok();
}

Status CopyDir(const std::string& from, const std::string& to, mode_t mode) {
  struct stat existing;
  if (lstat(to.c_str(), &existing) == 0) {
    if (!S_ISDIR(existing.st_mode)) {
      return FailedPrecondition("copy " + from + " to " + to + ": destination is not a directory");
    }
    // Merging into a read-only directory needs write permission until the final chmod below.
    if ((existing.st_mode & S_IRWXU) != S_IRWXU && chmod(to.c_str(), existing.st_mode | S_IRWXU)) {
      return ErrnoStatus("copy to " + to + ": chmod u+rwx", errno);
    }
  } else if (mkdir(to.c_str(), 0700) != 0) {
    return ErrnoStatus("copy " + from + ": mkdir " + to, errno);
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(from));
  for (const std::string& name : names) {
    const std::string src = from + "/" + name;
    const std::string dst = to + "/" + name;
    struct stat st;
    if (lstat(src.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // removed while we copy
      return ErrnoStatus("copy " + src, errno);
    }
    if (S_ISDIR(st.st_mode)) {
      SLIPWAY_RETURN_IF_ERROR(CopyDir(src, dst, st.st_mode & 07777));
    } else if (S_ISREG(st.st_mode)) {
      SLIPWAY_RETURN_IF_ERROR(CopyFile(src, dst));
    } else if (S_ISLNK(st.st_mode)) {
      SLIPWAY_RETURN_IF_ERROR(CopySymlink(src, dst));
    }  // sockets, FIFOs, devices: skipped (see fs.h)
  }
  if (chmod(to.c_str(), mode) != 0) return ErrnoStatus("copy " + from + ": chmod " + to, errno);
  return Status::Ok();
}

}  // namespace

Status RemoveTree(const std::filesystem::path& path) {
  if (path.empty()) return InvalidArgument("remove: empty path");
  return RemoveRecursive(path.string());
}

Status CopyTree(const std::filesystem::path& from, const std::filesystem::path& to) {
  struct stat st;
  if (stat(from.c_str(), &st) != 0) return ErrnoStatus("copy " + from.string(), errno);
  if (!S_ISDIR(st.st_mode)) return InvalidArgument("copy " + from.string() + ": not a directory");
  std::error_code ec;
  const std::filesystem::path src = std::filesystem::weakly_canonical(from, ec);
  const std::filesystem::path dst = ec ? to : std::filesystem::weakly_canonical(to, ec);
  if (ec) return ErrnoStatus("copy " + from.string() + " to " + to.string(), ec.value());
  auto trimmed = [](std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  };
  const std::string src_s = trimmed(src.string()), dst_s = trimmed(dst.string());
  if (dst_s == src_s || dst_s.starts_with(src_s == "/" ? src_s : src_s + "/")) {
    return InvalidArgument("copy " + from.string() + " to " + to.string() +
                           ": destination lies inside the source");
  }
  if (to.has_parent_path()) {
    std::filesystem::create_directories(to.parent_path(), ec);
    if (ec) return ErrnoStatus("copy: create " + to.parent_path().string(), ec.value());
  }
  return CopyDir(from.string(), to.string(), st.st_mode & 07777);
}

}  // namespace slipway
