// The artifact registry's storage: blobs addressed by their SHA-256 digest, written by
// streaming uploads that are verified before anything becomes visible.
//
// On disk, under the root given to BlobStore::Open:
//   blobs/sha256/<first two hex digits>/<64 hex digits>   one file per digest, never rewritten
//   uploads/<upload id>                                     bytes of an upload in progress
// A blob appears only whole: an upload is written to its own file, checked against the digest
// the client names, fsynced, and renamed into place (then the directory is fsynced). A digest
// that is already stored keeps its file; the new copy is dropped, so every digest is stored
// once whichever repositories refer to it. Uploads survive a restart of the process (their
// bytes are on disk; the hash is recomputed from the file when its in-memory state is gone).
//
// Thread-safety: every method may be called from any thread. Appends to one upload are
// serialised; different uploads and reads proceed in parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace slipway::registry {

// A content digest as OCI writes it: "sha256:" and 64 lower-case hex digits. Other algorithms
// (sha512, …) are refused by Parse, so everything stored is addressed the same way.
struct Digest {
  std::string hex;  // 64 lower-case hex digits

  // Fails with kInvalidArgument naming what is wrong ("unsupported digest algorithm 'md5'",
  // "… must have 64 lower-case hex digits").
  static Result<Digest> Parse(std::string_view text);
  std::string ToString() const { return "sha256:" + hex; }
  bool operator==(const Digest&) const = default;
};

struct BlobInfo {
  Digest digest;
  uint64_t size = 0;
};

class BlobStore {
 public:
  // Opens (creating when missing) the store under `root`.
  static Result<std::unique_ptr<BlobStore>> Open(const std::filesystem::path& root);
  ~BlobStore();
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;

  // --- uploads ---
  // Starts an empty upload; returns its id (32 random hex digits, safe in a URL and a path).
  Result<std::string> StartUpload();
  // Appends `bytes` to upload `id`. When `offset` is given it must equal the bytes received so
  // far (an OCI chunk's Content-Range start), else kFailedPrecondition and nothing is
  // appended. Returns the upload's new size. Unknown id: kNotFound; malformed id:
  // kInvalidArgument.
  Result<uint64_t> Append(const std::string& id, std::string_view bytes,
                          std::optional<uint64_t> offset = std::nullopt);
  // The bytes received so far by upload `id`.
  Result<uint64_t> UploadSize(const std::string& id);
  // Ends upload `id` as the blob `expected`. A mismatch fails with kInvalidArgument naming
  // both digests (OCI's DIGEST_INVALID) and stores nothing; either way the upload is gone.
  Result<BlobInfo> Commit(const std::string& id, const Digest& expected);
  // Drops upload `id` and its bytes (OK when it is already gone).
  Status Cancel(const std::string& id);

  // --- blobs ---
  // The stored blob's size; kNotFound when it is not stored.
  Result<BlobInfo> Stat(const Digest& digest) const;
  // Up to `max` bytes of the blob from `offset` (fewer at its end; none past it).
  Result<std::string> Read(const Digest& digest, uint64_t offset, size_t max) const;
  // Removes the blob; kNotFound when it is not stored.
  Status Delete(const Digest& digest);

  // Where the blob's file is (whether or not it exists): for streaming it out with sendfile.
  std::filesystem::path PathOf(const Digest& digest) const;

 private:
  struct Upload;
  explicit BlobStore(std::filesystem::path root);
  // The upload's state, loaded from its file after a restart; kNotFound when there is none.
  Result<std::shared_ptr<Upload>> FindUpload(const std::string& id);
  // Moves the verified upload file into place as `expected` (or finds it stored already);
  // kInvalidArgument when the content's digest `actual_hex` is another.
  Status PlaceBlob(const std::filesystem::path& upload, const Digest& expected,
                   const std::string& actual_hex);
  std::filesystem::path UploadPath(const std::string& id) const;

  const std::filesystem::path root_;
  std::mutex mutex_;  // guards uploads_ (each Upload has its own lock for its bytes)
  std::map<std::string, std::shared_ptr<Upload>> uploads_;
};

}  // namespace slipway::registry
