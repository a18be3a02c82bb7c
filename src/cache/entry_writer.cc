#include "cache/entry_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::cache::internal {
namespace {

using Type = FileRecord::Type;

class Writer {
 public:
  Writer(const Layout& layout, const std::filesystem::path& workspace)
      : layout_(layout), workspace_(workspace.string()) {}
  ~Writer() { Rollback(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Makes workspace/rel a real directory, creating what is missing.
  Status EnsureDir(std::string_view rel) {
    std::string path = workspace_;
    size_t start = 0;
    while (start < rel.size()) {
      size_t end = rel.find('/', start);
      if (end == std::string_view::npos) end = rel.size();
      path += '/';
      path += rel.substr(start, end - start);
      start = end + 1;
      struct stat st;
      if (lstat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) return ErrnoStatus("cache restore: stat " + path, errno);
        if (mkdir(path.c_str(), 0755) != 0)
          return ErrnoStatus("cache restore: mkdir " + path, errno);
        created_dirs_.push_back(path);
        continue;
      }
      if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
        return FailedPrecondition("cache restore: " + path + " is " +
                                  (S_ISLNK(st.st_mode) ? "a symlink" : "not a directory") +
                                  "; refusing to restore through it");
      }
      // A directory left read-only (by the build, or restored so) must take new files.
      if ((st.st_mode & S_IRWXU) != S_IRWXU && chmod(path.c_str(), st.st_mode | S_IRWXU) != 0) {
        return ErrnoStatus("cache restore: chmod " + path, errno);
      }
    }
    return Status::Ok();
  }

  // Copies the file's blob beside its destination and checks it. Returns false when corrupt.
  Result<bool> Stage(const FileRecord& r, std::string* reason) {
    const size_t slash = r.path.rfind('/');
    if (slash != std::string::npos) SLIPWAY_RETURN_IF_ERROR(EnsureDir(r.path.substr(0, slash)));
    const std::string dir =
        slash == std::string::npos ? workspace_ : workspace_ + "/" + r.path.substr(0, slash);
    // Unique per process and writer, so concurrent restores never share a temp name.
    const std::string tmp = dir + "/.slipway-restore-" + std::to_string(getpid()) + "-" +
                            std::to_string(reinterpret_cast<uintptr_t>(this)) + "-" +
                            std::to_string(staged_.size());
    const std::filesystem::path blob = layout_.BlobPath(r.sha256);
    Status copied = CopyFile(blob, tmp);
    if (!copied.ok()) {
      struct stat st;
      if (lstat(blob.c_str(), &st) != 0 && errno == ENOENT) {
        *reason = "blob " + r.sha256 + " of '" + r.path + "' is missing";
        return false;
      }
      return copied;
    }
    staged_.push_back({tmp, workspace_ + "/" + r.path});
    uint64_t size = 0;
    SLIPWAY_ASSIGN_OR_RETURN(std::string digest, Sha256File(tmp, &size));
    if (digest != r.sha256 || size != r.size) {
      *reason = "blob " + r.sha256 + " of '" + r.path + "' has digest " + digest + " (" +
                std::to_string(size) + " bytes)";
      return false;
    }
    if (chmod(tmp.c_str(), r.mode & 07777) != 0)
      return ErrnoStatus("cache restore: chmod " + tmp, errno);
    if (r.mtime_ns != 0) {
      const struct timespec times[2] = {{0, UTIME_OMIT},
                                        {r.mtime_ns / 1'000'000'000, r.mtime_ns % 1'000'000'000}};
      utimensat(AT_FDCWD, tmp.c_str(), times, 0);  // best effort, like tar
    }
    return true;
  }

  // Moves every staged file into place; from here on the restore is committed.
  Status Commit() {
    for (size_t i = 0; i < staged_.size(); ++i) {
      if (rename(staged_[i].tmp.c_str(), staged_[i].dest.c_str()) != 0) {
        const int err = errno;
        staged_.erase(staged_.begin(), staged_.begin() + static_cast<ptrdiff_t>(i));
        return ErrnoStatus("cache restore: " + staged_.front().dest, err);
      }
    }
    staged_.clear();
    created_dirs_.clear();
    return Status::Ok();
  }

  Status MakeSymlink(const FileRecord& r) {
    const size_t slash = r.path.rfind('/');
    if (slash != std::string::npos) SLIPWAY_RETURN_IF_ERROR(EnsureDir(r.path.substr(0, slash)));
    const std::string dest = workspace_ + "/" + r.path;
    struct stat st;
    if (lstat(dest.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        return FailedPrecondition("cache restore: " + dest + " is a directory, not a symlink");
      }
      if (unlink(dest.c_str()) != 0) return ErrnoStatus("cache restore: replace " + dest, errno);
    }
    if (symlink(r.target.c_str(), dest.c_str()) != 0) {
      return ErrnoStatus("cache restore: symlink " + dest, errno);
    }
    return Status::Ok();
  }

  // Undoes an uncommitted restore: staged files and the directories made for them.
  void Rollback() {
    for (const Staged& s : staged_) unlink(s.tmp.c_str());
    staged_.clear();
    for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) rmdir(it->c_str());
    created_dirs_.clear();
  }

 private:
  struct Staged {
    std::string tmp, dest;
  };
  const Layout& layout_;
  std::string workspace_;
  std::vector<Staged> staged_;
  std::vector<std::string> created_dirs_;
};

}  // namespace

Result<WriteOutcome> WriteEntry(const Layout& layout, const Manifest& manifest,
                                const std::filesystem::path& workspace) {
  WriteOutcome out;
  Writer writer(layout, workspace);
  for (const FileRecord& r : manifest.files) {
    if (r.type == Type::kDir) SLIPWAY_RETURN_IF_ERROR(writer.EnsureDir(r.path));
  }
  for (const FileRecord& r : manifest.files) {
    if (r.type != Type::kFile) continue;
    SLIPWAY_ASSIGN_OR_RETURN(bool good, writer.Stage(r, &out.reason));
    if (!good) {
      out.corrupt = true;
      out.bad_blob = r.sha256;
      return out;  // ~Writer rolls back
    }
    out.bytes += r.size;
    ++out.files;
  }
  SLIPWAY_RETURN_IF_ERROR(writer.Commit());
  for (const FileRecord& r : manifest.files) {
    if (r.type != Type::kSymlink) continue;
    SLIPWAY_RETURN_IF_ERROR(writer.MakeSymlink(r));
    ++out.files;
  }
  // Directory modes last, deepest first, so read-only directories could be filled first.
  for (auto it = manifest.files.rbegin(); it != manifest.files.rend(); ++it) {
    if (it->type != Type::kDir) continue;
    const std::string path = workspace.string() + "/" + it->path;
    if (chmod(path.c_str(), it->mode & 07777) != 0) {
      return ErrnoStatus("cache restore: chmod " + path, errno);
    }
  }
  return out;
}

}  // namespace slipway::cache::internal
