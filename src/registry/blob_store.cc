// BlobStore: uploads written to their own files, verified, then renamed into place by digest.
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "registry/registry.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::registry {
namespace fs = std::filesystem;

// An upload in progress. `hash` covers exactly the `size` bytes in the file while
// `hash_valid`; after a restart it is rebuilt from the file at commit.
struct BlobStore::Upload {
  std::mutex mutex;  // guards the rest and the upload's file
  Sha256 hash;
  uint64_t size = 0;
  bool hash_valid = true;
  bool gone = false;  // committed or cancelled: its id is no longer valid
};

namespace {

bool ValidUploadId(const std::string& id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status SyncPath(const fs::path& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("sync " + path.string(), errno);
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  return rc == 0 ? Status::Ok() : ErrnoStatus("sync " + path.string(), err);
}

Status NoUpload(const std::string& id) {
  return NotFound("upload " + id + " does not exist (finished, cancelled or never started)");
}

}  // namespace

BlobStore::BlobStore(fs::path root) : root_(std::move(root)) {}
BlobStore::~BlobStore() = default;

Result<std::unique_ptr<BlobStore>> BlobStore::Open(const fs::path& root) {
  for (const fs::path& dir : {root / "blobs" / "sha256", root / "uploads"}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return ErrnoStatus("create " + dir.string(), ec.value());
  }
  return std::unique_ptr<BlobStore>(new BlobStore(root));
}

fs::path BlobStore::PathOf(const Digest& digest) const {
  return root_ / "blobs" / "sha256" / digest.hex.substr(0, 2) / digest.hex;
}

fs::path BlobStore::UploadPath(const std::string& id) const { return root_ / "uploads" / id; }

Result<std::string> BlobStore::StartUpload() {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) return Internal("no random bytes for an upload id");
  const std::string id = HexEncode(std::span<const uint8_t>(random, sizeof random));
  const int fd = open(UploadPath(id).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create " + UploadPath(id).string(), errno);
  close(fd);
  std::lock_guard lock(mutex_);
  uploads_[id] = std::make_shared<Upload>();
  return id;
}

Result<std::shared_ptr<BlobStore::Upload>> BlobStore::FindUpload(const std::string& id) {
  if (!ValidUploadId(id)) return InvalidArgument("'" + id + "' is not an upload id");
  std::lock_guard lock(mutex_);
  if (auto it = uploads_.find(id); it != uploads_.end()) return it->second;
  // Not in memory: an upload started before a restart still has its file.
  struct stat st;
  if (stat(UploadPath(id).c_str(), &st) != 0) return NoUpload(id);
  auto upload = std::make_shared<Upload>();
  upload->size = static_cast<uint64_t>(st.st_size);
  upload->hash_valid = false;
  uploads_[id] = upload;
  return upload;
}

Result<uint64_t> BlobStore::Append(const std::string& id, std::string_view bytes,
                                   std::optional<uint64_t> offset) {
  SLIPWAY_ASSIGN_OR_RETURN(std::shared_ptr<Upload> upload, FindUpload(id));
  std::lock_guard lock(upload->mutex);
  if (upload->gone) return NoUpload(id);
  if (offset && *offset != upload->size) {
    return FailedPrecondition("upload " + id + " has " + std::to_string(upload->size) +
                              " bytes; a chunk at offset " + std::to_string(*offset) +
                              " does not follow them");
  }
  const fs::path path = UploadPath(id);
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("append to " + path.string(), errno);
  Status written = WriteAll(fd, bytes, "append to " + path.string());
  // A failed write (a full disk) may leave part of the chunk: cut it off, so the upload
  // stays exactly what was acknowledged and the client can send the chunk again.
  if (!written.ok() && ftruncate(fd, static_cast<off_t>(upload->size)) != 0) {
    upload->hash_valid = false;
  }
  close(fd);
  SLIPWAY_RETURN_IF_ERROR(written);
  if (upload->hash_valid) upload->hash.Update(bytes);
  upload->size += bytes.size();
  return upload->size;
}

Result<uint64_t> BlobStore::UploadSize(const std::string& id) {
  SLIPWAY_ASSIGN_OR_RETURN(std::shared_ptr<Upload> upload, FindUpload(id));
  std::lock_guard lock(upload->mutex);
  if (upload->gone) return NoUpload(id);
  return upload->size;
}

Result<BlobInfo> BlobStore::Commit(const std::string& id, const Digest& expected) {
  SLIPWAY_ASSIGN_OR_RETURN(std::shared_ptr<Upload> upload, FindUpload(id));
  std::lock_guard lock(upload->mutex);
  if (upload->gone) return NoUpload(id);
  const fs::path path = UploadPath(id);
  std::string actual;
  if (upload->hash_valid) {
    actual = HexEncode(upload->hash.Final());
  } else {
    SLIPWAY_ASSIGN_OR_RETURN(actual, Sha256File(path, &upload->size));
  }
  // From here the upload ends, whatever happens. Its id leaves the map only once its file is
  // gone, so FindUpload never brings a finished upload back from its file.
  upload->gone = true;
  Status placed = PlaceBlob(path, expected, actual);
  unlink(path.c_str());  // after a mismatch, a duplicate, or what a failed rename left
  {
    std::lock_guard map_lock(mutex_);
    uploads_.erase(id);
  }
  SLIPWAY_RETURN_IF_ERROR(placed);
  return BlobInfo{expected, upload->size};
}

Status BlobStore::PlaceBlob(const fs::path& upload, const Digest& expected,
                            const std::string& actual_hex) {
  if (actual_hex != expected.hex) {
    return InvalidArgument("digest mismatch: the uploaded content is sha256:" + actual_hex +
                           ", not " + expected.ToString() + "; nothing was stored");
  }
  const fs::path target = PathOf(expected);
  std::error_code ec;
  if (fs::exists(target, ec)) return Status::Ok();  // stored once per digest
  fs::create_directories(target.parent_path(), ec);
  if (ec) return ErrnoStatus("create " + target.parent_path().string(), ec.value());
  SLIPWAY_RETURN_IF_ERROR(SyncPath(upload, O_RDONLY));
  if (rename(upload.c_str(), target.c_str()) != 0) {
    return ErrnoStatus("store " + target.string(), errno);
  }
  return SyncPath(target.parent_path(), O_RDONLY | O_DIRECTORY);
}

Status BlobStore::Cancel(const std::string& id) {
  auto upload = FindUpload(id);
  if (!upload.ok()) {
    return upload.status().code() == StatusCode::kNotFound ? Status::Ok() : upload.status();
  }
  std::lock_guard lock((*upload)->mutex);
  (*upload)->gone = true;
  const int removed = unlink(UploadPath(id).c_str());
  const int err = errno;
  {
    std::lock_guard map_lock(mutex_);
    uploads_.erase(id);
  }
  if (removed != 0 && err != ENOENT) return ErrnoStatus("remove " + UploadPath(id).string(), err);
  return Status::Ok();
}

Result<BlobInfo> BlobStore::Stat(const Digest& digest) const {
  struct stat st;
  if (stat(PathOf(digest).c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound("blob " + digest.ToString() + " is not stored");
    return ErrnoStatus("stat " + PathOf(digest).string(), errno);
  }
  return BlobInfo{digest, static_cast<uint64_t>(st.st_size)};
}

Result<std::string> BlobStore::Read(const Digest& digest, uint64_t offset, size_t max) const {
  const fs::path path = PathOf(digest);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("blob " + digest.ToString() + " is not stored");
    return ErrnoStatus("read " + path.string(), errno);
  }
  std::string bytes(max, '\0');
  size_t got = 0;
  while (got < max) {
    const ssize_t n = pread(fd, bytes.data() + got, max - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return ErrnoStatus("read " + path.string(), err);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  bytes.resize(got);
  return bytes;
}

Status BlobStore::Touch(const Digest& digest) {
  if (utimensat(AT_FDCWD, PathOf(digest).c_str(), nullptr, 0) != 0) {
    if (errno == ENOENT) return NotFound("blob " + digest.ToString() + " is not stored");
    return ErrnoStatus("touch " + PathOf(digest).string(), errno);
  }
  return Status::Ok();
}

Status BlobStore::Delete(const Digest& digest) {
  if (unlink(PathOf(digest).c_str()) != 0) {
    if (errno == ENOENT) return NotFound("blob " + digest.ToString() + " is not stored");
    return ErrnoStatus("remove " + PathOf(digest).string(), errno);
  }
  return Status::Ok();
}

}  // namespace slipway::registry
