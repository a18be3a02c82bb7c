// ArtifactStore: attempts' artifact archives on the server's disk, written atomically.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "engine/engine.h"
#include "util/fs.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;

// A temp file that is removed unless it was renamed into place.
class TempFile {
 public:
  static Result<TempFile> Create(const fs::path& dir) {
    std::string path = (dir / ".upload-XXXXXX").string();
    const int fd = mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("create a temp file in " + dir.string(), errno);
    return TempFile(std::move(path), fd);
  }
  TempFile(TempFile&& other) noexcept
      : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {
    other.path_.clear();
  }
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    if (fd_ >= 0) close(fd_);
    if (!path_.empty()) unlink(path_.c_str());
  }

  Status Write(const char* data, size_t size) {
    return WriteAll(fd_, std::string_view(data, size), "write " + path_);
  }
  // fsync and close: the bytes are on disk before the name can point at them.
  Status Sync() {
    if (fsync(fd_) != 0) return ErrnoStatus("fsync " + path_, errno);
    const int fd = std::exchange(fd_, -1);
    if (close(fd) != 0) return ErrnoStatus("close " + path_, errno);
    return Status::Ok();
  }
  Status RenameTo(const fs::path& target) {
    if (rename(path_.c_str(), target.c_str()) != 0) {
      return ErrnoStatus("rename " + path_ + " to " + target.string(), errno);
    }
    path_.clear();
    return Status::Ok();
  }

 private:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

// Makes a rename in `dir` durable.
Status SyncDirectory(const fs::path& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + dir.string(), errno);
  const int synced = fsync(fd);
  const int err = errno;
  close(fd);
  return synced == 0 ? Status::Ok() : ErrnoStatus("fsync " + dir.string(), err);
}

std::string ArchiveName(int64_t attempt_id) { return std::to_string(attempt_id) + ".slwa"; }

}  // namespace

ArtifactStore::ArtifactStore(ArtifactStoreOptions options) : options_(std::move(options)) {}

fs::path ArtifactStore::RunDir(const store::Run& run) const {
  return options_.root / std::to_string(run.project_id) / std::to_string(run.id);
}

Result<tree_archive::Summary> ArtifactStore::Put(const store::Run& run, int64_t attempt_id,
                                                 const tree_archive::ByteSource& source,
                                                 const std::function<Status()>& still_leased) {
  const fs::path dir = RunDir(run);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ErrnoStatus("create " + dir.string(), ec.value());
  SLIPWAY_ASSIGN_OR_RETURN(TempFile temp, TempFile::Create(dir));
  uint64_t received = 0;
  // Every byte read on the way to the checker lands in the temp file too.
  const tree_archive::ByteSource tee = [&](char* data, size_t size) -> Result<size_t> {
    SLIPWAY_ASSIGN_OR_RETURN(size_t n, source(data, size));
    received += n;
    if (received > options_.max_bytes) {
      return ResourceExhausted("the artifacts archive is over the server's limit of " +
                               std::to_string(options_.max_bytes) + " bytes");
    }
    SLIPWAY_RETURN_IF_ERROR(temp.Write(data, n));
    return n;
  };
  SLIPWAY_ASSIGN_OR_RETURN(tree_archive::Summary summary, tree_archive::Verify(tee));
  SLIPWAY_RETURN_IF_ERROR(temp.Sync());
  SLIPWAY_RETURN_IF_ERROR(still_leased());
  SLIPWAY_RETURN_IF_ERROR(temp.RenameTo(dir / ArchiveName(attempt_id)));
  SLIPWAY_RETURN_IF_ERROR(SyncDirectory(dir));
  return summary;
}

std::optional<ArtifactStore::Archive> ArtifactStore::Find(const store::Run& run,
                                                          int64_t attempt_id) const {
  const fs::path path = RunDir(run) / ArchiveName(attempt_id);
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return Archive{path, static_cast<uint64_t>(st.st_size)};
}

bool ArtifactStore::HasAny(const store::Run& run) const {
  struct stat st;
  return stat(RunDir(run).c_str(), &st) == 0;
}

Status ArtifactStore::RemoveProject(int64_t project_id) {
  return RemoveTree(options_.root / std::to_string(project_id));
}

}  // namespace slipway::engine
