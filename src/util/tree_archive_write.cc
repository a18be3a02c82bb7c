// Writing tree archives: Writer walks files, directories and symlinks without following links.
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

constexpr size_t kFlushBytes = 256 * 1024;

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

struct Writer::State {
  ByteSink sink;
  Sha256 hash;
  std::string pending;  // written to the sink in pieces of about kFlushBytes
  Summary summary;
  bool started = false;
  bool finished = false;
  bool broken = false;  // an error left a partial entry: nothing more may be written

  Status Emit(const void* data, size_t size) {
    hash.Update(data, size);
    pending.append(static_cast<const char*>(data), size);
    return pending.size() >= kFlushBytes ? Flush() : Status::Ok();
  }
  Status EmitInt(uint64_t value, int bytes) {
    unsigned char raw[8];
    for (int i = bytes - 1; i >= 0; --i, value >>= 8) raw[i] = static_cast<unsigned char>(value);
    return Emit(raw, static_cast<size_t>(bytes));
  }
  Status EmitText(std::string_view text) {
    SLIPWAY_RETURN_IF_ERROR(EmitInt(text.size(), 2));
    return Emit(text.data(), text.size());
  }
  Status Flush() {
    if (pending.empty()) return Status::Ok();
    Status status = sink(pending);
    pending.clear();
    return status;
  }
  Status Header(char kind, std::string_view path, uint32_t mode) {
    if (!started) {
      SLIPWAY_RETURN_IF_ERROR(Emit(internal::kMagic, sizeof internal::kMagic));
      started = true;
    }
    SLIPWAY_RETURN_IF_ERROR(Emit(&kind, 1));
    SLIPWAY_RETURN_IF_ERROR(EmitText(path));
    return EmitInt(mode & internal::kMaxMode, 2);
  }

  Status AddPath(const std::string& root, const std::string& relative);
  Status AddFile(const std::string& path, const std::string& relative);
  Status AddDirectory(const std::string& root, const std::string& relative, uint32_t mode);
};

Status Writer::State::AddPath(const std::string& root, const std::string& relative) {
  const std::string path = root + "/" + relative;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return ErrnoStatus("archive " + path, errno);
  if (S_ISLNK(st.st_mode)) {
    std::string target(kMaxPathBytes + 1, '\0');
    const ssize_t n = readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return ErrnoStatus("archive " + path + ": readlink", errno);
    if (n == 0 || static_cast<size_t>(n) > kMaxPathBytes) {
      return InvalidArgument("archive " + path + ": the symlink's target is empty or too long");
    }
    target.resize(static_cast<size_t>(n));
    SLIPWAY_RETURN_IF_ERROR(Header(internal::kSymlink, relative, 0));
    SLIPWAY_RETURN_IF_ERROR(EmitText(target));
    ++summary.symlinks;
    return Status::Ok();
  }
  if (S_ISREG(st.st_mode)) return AddFile(path, relative);
  if (S_ISDIR(st.st_mode)) return AddDirectory(root, relative, st.st_mode);
  return InvalidArgument("archive " + path + ": not a file, directory or symlink");
}

Status Writer::State::AddFile(const std::string& path, const std::string& relative) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("archive " + path, errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus("archive " + path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  SLIPWAY_RETURN_IF_ERROR(Header(internal::kFile, relative, st.st_mode));
  SLIPWAY_RETURN_IF_ERROR(EmitInt(static_cast<uint64_t>(MtimeNs(st)), 8));
  SLIPWAY_RETURN_IF_ERROR(EmitInt(size, 8));
  std::string chunk(kFlushBytes, '\0');
  uint64_t left = size;
  // One read past the size too: a file still growing would not match its header.
  while (true) {
    const size_t want = left > 0 ? static_cast<size_t>(std::min<uint64_t>(left, chunk.size())) : 1;
    const ssize_t n = read(fd.get(), chunk.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("archive " + path, errno);
    if (left == 0 && n == 0) break;
    if (n == 0 || left == 0) {
      return FailedPrecondition("archive " + path + ": the file changed size while being read");
    }
    SLIPWAY_RETURN_IF_ERROR(Emit(chunk.data(), static_cast<size_t>(n)));
    left -= static_cast<uint64_t>(n);
  }
  summary.file_bytes += size;
  ++summary.files;
  return Status::Ok();
}

Status Writer::State::AddDirectory(const std::string& root, const std::string& relative,
                                   uint32_t mode) {
  SLIPWAY_RETURN_IF_ERROR(Header(internal::kDirectory, relative, mode));
  ++summary.directories;
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(root + "/" + relative));
  for (const std::string& name : names) {
    const std::string child = relative + "/" + name;
    struct stat st;
    if (lstat((root + "/" + child).c_str(), &st) != 0) {
      return ErrnoStatus("archive " + root + "/" + child, errno);
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) continue;
    SLIPWAY_RETURN_IF_ERROR(CheckArchivePath(child).WithContext("archive " + root));
    SLIPWAY_RETURN_IF_ERROR(AddPath(root, child));
  }
  return Status::Ok();
}

Writer::Writer(ByteSink sink) : state_(std::make_unique<State>()) {
  state_->sink = std::move(sink);
}

Writer::~Writer() = default;

Status Writer::Add(const std::filesystem::path& root, std::string_view relative) {
  if (state_->finished || state_->broken) {
    return FailedPrecondition("tree archive: Add after Finish or after an error");
  }
  if (Status valid = CheckArchivePath(relative); !valid.ok()) {
    return valid.WithContext("archive " + root.string());
  }
  Status added = state_->AddPath(root.string(), std::string(relative));
  if (!added.ok()) state_->broken = true;
  return added;
}

Status Writer::Finish() {
  if (state_->finished || state_->broken) {
    return FailedPrecondition("tree archive: Finish after Finish or after an error");
  }
  State& s = *state_;
  if (!s.started) {
    SLIPWAY_RETURN_IF_ERROR(s.Emit(internal::kMagic, sizeof internal::kMagic));
    s.started = true;
  }
  SLIPWAY_RETURN_IF_ERROR(s.Emit(&internal::kTrailer, 1));
  SLIPWAY_RETURN_IF_ERROR(s.EmitInt(s.summary.entries(), 8));
  const Sha256Digest digest = s.hash.Final();
  s.pending.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  s.finished = true;
  return s.Flush();
}

const Summary& Writer::summary() const { return state_->summary; }

Result<Summary> WriteArchiveFile(const std::filesystem::path& archive,
                                 const std::filesystem::path& root,
                                 const std::vector<std::string>& paths) {
  ScopedFd fd(open(archive.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus("create " + archive.string(), errno);
  Writer writer([&](std::string_view bytes) {
    return WriteAll(fd.get(), bytes, "write " + archive.string());
  });
  for (const std::string& path : paths) SLIPWAY_RETURN_IF_ERROR(writer.Add(root, path));
  SLIPWAY_RETURN_IF_ERROR(writer.Finish());
  if (fd.Close() != 0) return ErrnoStatus("write " + archive.string(), errno);
  return writer.summary();
}

}  // namespace slipway::tree_archive
