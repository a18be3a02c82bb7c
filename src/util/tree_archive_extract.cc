// Extracting tree archives. Every path is walked from the root's file descriptor one segment at
// a time with O_NOFOLLOW, so no entry can reach outside the root through a symlink, whatever
// the archive or the directory held before.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/fs.h"
#include "util/fs_fd.h"
#include "util/tree_archive_entries.h"

namespace slipway::tree_archive {
namespace {

using fs_internal::ScopedFd;
using internal::Entry;

// An entry the directory cannot take without writing outside the root or through a link.
Status Refuse(const std::string& path, const std::string& why) {
  return InvalidArgument("refusing the archive entry '" + path + "': " + why);
}

// The directory that holds `path`'s last segment, walked to (and created, 0755 before the umask)
// without following symlinks. The caller owns the descriptor.
Result<ScopedFd> OpenParent(int root, const std::string& path) {
  ScopedFd current(fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (!current.valid()) return ErrnoStatus("extract " + path, errno);
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string::npos;
       start = slash + 1, slash = path.find('/', start)) {
    const std::string segment = path.substr(start, slash - start);
    constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    ScopedFd next(openat(current.get(), segment.c_str(), kFlags));
    if (!next.valid() && errno == ENOENT) {
      if (mkdirat(current.get(), segment.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus("extract " + path.substr(0, slash), errno);
      }
      next = ScopedFd(openat(current.get(), segment.c_str(), kFlags));
    }
    if (!next.valid()) {
      if (errno == ELOOP || errno == ENOTDIR) {
        return Refuse(path, "'" + path.substr(0, slash) + "' is a symlink or a file");
      }
      return ErrnoStatus("extract " + path.substr(0, slash), errno);
    }
    current = std::move(next);
  }
  return current;
}

std::string LastSegment(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Removes a file or symlink at `name` so that an entry replaces it instead of writing through it.
Status MakeRoom(int parent, const std::string& name, const std::string& path) {
  if (unlinkat(parent, name.c_str(), 0) == 0 || errno == ENOENT) return Status::Ok();
  if (errno == EISDIR || errno == EPERM) return Refuse(path, "a directory is in the way");
  return ErrnoStatus("extract " + path, errno);
}

Status WriteFileEntry(internal::EntryReader& reader, int parent, const Entry& entry) {
  const std::string name = LastSegment(entry.path);
  SLIPWAY_RETURN_IF_ERROR(MakeRoom(parent, name, entry.path));
  ScopedFd fd(
      openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus("extract " + entry.path, errno);
  std::string chunk(256 * 1024, '\0');
  while (true) {
    SLIPWAY_ASSIGN_OR_RETURN(size_t n, reader.ReadData(chunk.data(), chunk.size()));
    if (n == 0) break;
    SLIPWAY_RETURN_IF_ERROR(
        WriteAll(fd.get(), std::string_view(chunk.data(), n), "extract " + entry.path));
  }
  if (fchmod(fd.get(), static_cast<mode_t>(entry.mode)) != 0) {
    return ErrnoStatus("extract " + entry.path + ": chmod", errno);
  }
  const timespec times[2] = {{0, UTIME_OMIT},
                             {static_cast<time_t>(entry.mtime_ns / 1000000000),
                              static_cast<long>(entry.mtime_ns % 1000000000)}};
  if (entry.mtime_ns >= 0 && futimens(fd.get(), times) != 0) {
    return ErrnoStatus("extract " + entry.path + ": set the modification time", errno);
  }
  if (fd.Close() != 0) return ErrnoStatus("extract " + entry.path, errno);
  return Status::Ok();
}

Status MakeDirectoryEntry(int parent, const Entry& entry) {
  const std::string name = LastSegment(entry.path);
  if (mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus("extract " + entry.path, errno);
  }
  struct stat st;
  if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoStatus("extract " + entry.path, errno);
  }
  if (!S_ISDIR(st.st_mode)) return Refuse(entry.path, "a file or symlink is in the way");
  return Status::Ok();
}

Status MakeSymlinkEntry(int parent, const Entry& entry) {
  const std::string name = LastSegment(entry.path);
  SLIPWAY_RETURN_IF_ERROR(MakeRoom(parent, name, entry.path));
  if (symlinkat(entry.target.c_str(), parent, name.c_str()) != 0) {
    return ErrnoStatus("extract " + entry.path, errno);
  }
  return Status::Ok();
}

size_t Depth(const std::string& path) { return std::count(path.begin(), path.end(), '/'); }

// Directory modes last and deepest first, so a read-only directory is filled before it closes.
Status ApplyDirectoryModes(int root, std::vector<std::pair<std::string, uint32_t>> modes) {
  std::stable_sort(modes.begin(), modes.end(),
                   [](const auto& a, const auto& b) { return Depth(a.first) > Depth(b.first); });
  for (const auto& [path, mode] : modes) {
    SLIPWAY_ASSIGN_OR_RETURN(ScopedFd parent, OpenParent(root, path));
    ScopedFd dir(openat(parent.get(), LastSegment(path).c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) return ErrnoStatus("extract " + path, errno);
    if (fchmod(dir.get(), static_cast<mode_t>(mode)) != 0) {
      return ErrnoStatus("extract " + path + ": chmod", errno);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Summary> Extract(const ByteSource& source, const std::filesystem::path& root,
                        const Limits& limits) {
  ScopedFd root_fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return ErrnoStatus("extract into " + root.string(), errno);
  internal::EntryReader reader(source, limits);
  std::vector<std::pair<std::string, uint32_t>> directory_modes;
  while (true) {
    SLIPWAY_ASSIGN_OR_RETURN(std::optional<Entry> entry, reader.Next());
    if (!entry) break;
    SLIPWAY_ASSIGN_OR_RETURN(ScopedFd parent, OpenParent(root_fd.get(), entry->path));
    switch (entry->kind) {
      case internal::kDirectory:
        SLIPWAY_RETURN_IF_ERROR(MakeDirectoryEntry(parent.get(), *entry));
        directory_modes.emplace_back(entry->path, entry->mode);
        break;
      case internal::kSymlink:
        SLIPWAY_RETURN_IF_ERROR(MakeSymlinkEntry(parent.get(), *entry));
        break;
      default:
        SLIPWAY_RETURN_IF_ERROR(WriteFileEntry(reader, parent.get(), *entry));
        break;
    }
  }
  SLIPWAY_RETURN_IF_ERROR(ApplyDirectoryModes(root_fd.get(), std::move(directory_modes)));
  return reader.summary();
}

Result<Summary> ExtractFile(const std::filesystem::path& archive, const std::filesystem::path& root,
                            const Limits& limits) {
  ScopedFd fd(open(archive.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + archive.string(), errno);
  return Extract(FdSource(fd.get()), root, limits);
}

}  // namespace slipway::tree_archive
