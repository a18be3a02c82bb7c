// /v2/<name>/blobs/…: blob reads (HEAD, GET with Range), deletes, and uploads — monolithic
// (POST with ?digest=, or POST then PUT), chunked (PATCH with Content-Range at the exact
// offset) and streamed (PATCH without Content-Range), cross-repository mounts. Bodies are
// streamed to disk a megabyte at a time; no blob is held in memory.
#include <charconv>

#include "api/registry_api.h"

namespace slipway::api {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;

std::string UploadPath(std::string_view repository, std::string_view id) {
  return "/v2/" + std::string(repository) + "/blobs/uploads/" + std::string(id);
}

std::string BlobPath(std::string_view repository, const registry::Digest& digest) {
  return "/v2/" + std::string(repository) + "/blobs/" + digest.ToString();
}

// The Range header of an upload's progress: "0-<last byte>" ("0-0" before any byte).
std::string ProgressRange(uint64_t size) { return "0-" + std::to_string(size == 0 ? 0 : size - 1); }

http::Response UploadAccepted(std::string_view repository, const std::string& id, uint64_t size,
                              int status = 202) {
  http::Response response;
  response.status = status;
  response.headers.Set("Location", UploadPath(repository, id));
  response.headers.Set("Range", ProgressRange(size));
  response.headers.Set("Docker-Upload-UUID", id);
  return response;
}

http::Response BlobCreated(std::string_view repository, const registry::Digest& digest) {
  http::Response response;
  response.status = 201;
  response.headers.Set("Location", BlobPath(repository, digest));
  response.headers.Set("Docker-Content-Digest", digest.ToString());
  return response;
}

std::optional<uint64_t> ParseNumber(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

struct ChunkRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

// "first-last" (clients also send "bytes first-last" or "bytes=first-last").
std::optional<ChunkRange> ParseContentRange(std::string_view text) {
  for (std::string_view prefix : {"bytes=", "bytes "}) {
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  }
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = ParseNumber(text.substr(0, dash));
  auto last = ParseNumber(text.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  return ChunkRange{*first, *last};
}

// The ?digest= that finishes an upload.
Result<registry::Digest> DigestQuery(const http::Request& request) {
  auto value = request.Query("digest");
  if (!value) return InvalidArgument("the query parameter 'digest' is missing");
  return registry::Digest::Parse(*value);
}

// Appends the request body to upload `id`; the first piece must land at `offset` when one is
// given. Returns the upload's size after the body.
Result<uint64_t> AppendBody(registry::BlobStore& blobs, const std::string& id,
                            http::Request& request, std::optional<uint64_t> offset) {
  std::string buffer(kChunkBytes, '\0');
  SLIPWAY_ASSIGN_OR_RETURN(uint64_t size, blobs.UploadSize(id));
  if (offset && *offset != size) {
    return FailedPrecondition("the chunk starts at byte " + std::to_string(*offset) +
                              " but the upload has " + std::to_string(size) + " bytes");
  }
  while (true) {
    size_t filled = 0;
    while (filled < buffer.size()) {
      SLIPWAY_ASSIGN_OR_RETURN(
          size_t got, request.body_reader->Read(buffer.data() + filled, buffer.size() - filled));
      if (got == 0) break;
      filled += got;
    }
    if (filled == 0) return size;
    SLIPWAY_ASSIGN_OR_RETURN(size, blobs.Append(id, std::string_view(buffer.data(), filled)));
    if (filled < buffer.size()) return size;
  }
}

// The answer for a failed append: 416 with the upload's progress for a chunk that does not
// follow, 404 for an unknown upload, else the error.
http::Response AppendFailed(ApiState& state, std::string_view repository, const std::string& id,
                            const Status& status) {
  if (status.code() == StatusCode::kFailedPrecondition) {
    auto size = RegistryOf(state).blobs().UploadSize(id);
    http::Response response = OciError(416, "BLOB_UPLOAD_INVALID", status.message());
    response.headers.Set("Location", UploadPath(repository, id));
    response.headers.Set("Range", ProgressRange(size.ok() ? *size : 0));
    return response;
  }
  if (status.code() == StatusCode::kNotFound || status.code() == StatusCode::kInvalidArgument) {
    return OciError(404, "BLOB_UPLOAD_UNKNOWN", status.message());
  }
  if (status.code() == StatusCode::kResourceExhausted) {
    return OciError(507, "BLOB_UPLOAD_INVALID", status.message());
  }
  return OciError(http::StatusToHttp(status.code()), "BLOB_UPLOAD_INVALID", status.message());
}

// Checks Content-Range and Content-Length of a chunk; the chunk's offset when it has a range.
Result<std::optional<uint64_t>> ChunkOffset(const http::Request& request) {
  auto header = request.Header("Content-Range");
  if (!header) return std::optional<uint64_t>();
  auto range = ParseContentRange(*header);
  if (!range) {
    return InvalidArgument("Content-Range '" + std::string(*header) +
                           "' is not 'first-last' (inclusive byte offsets)");
  }
  if (auto length = request.Header("Content-Length")) {
    auto bytes = ParseNumber(*length);
    if (!bytes || *bytes != range->last - range->first + 1) {
      return InvalidArgument("Content-Range '" + std::string(*header) + "' covers " +
                             std::to_string(range->last - range->first + 1) +
                             " bytes but Content-Length is " + std::string(*length));
    }
  }
  return std::optional<uint64_t>(range->first);
}

// Commits upload `id` as the ?digest= of the request: 201, or the error (the upload is gone).
http::Response Finish(ApiState& state, const http::Request& request, std::string_view repository,
                      const std::string& id) {
  auto digest = DigestQuery(request);
  if (!digest.ok()) return OciError(400, "DIGEST_INVALID", digest.status().message());
  auto committed = RegistryOf(state).CommitUpload(repository, id, *digest);
  if (!committed.ok()) {
    const Status& status = committed.status();
    if (status.code() == StatusCode::kInvalidArgument) {
      return OciError(400, "DIGEST_INVALID", status.message());
    }
    if (status.code() == StatusCode::kNotFound) {
      return OciError(404, "BLOB_UPLOAD_UNKNOWN", status.message());
    }
    return OciErrorFrom(status, "BLOB_UPLOAD_INVALID");
  }
  return BlobCreated(repository, *digest);
}

}  // namespace

http::Response GetBlob(ApiState& state, http::Request& request) {
  const std::string_view repository = request.Param("name");
  auto digest = registry::Digest::Parse(request.Param("digest"));
  if (!digest.ok()) return OciError(400, "DIGEST_INVALID", digest.status().message());
  auto blob = RegistryOf(state).StatBlob(repository, *digest);
  if (!blob.ok()) return OciErrorFrom(blob.status(), "BLOB_UNKNOWN");
  http::Response response =
      http::Response::File(request, RegistryOf(state).blobs().PathOf(*digest).string());
  if (response.status == 416) {
    http::Response unsatisfiable = OciError(416, "BLOB_UNKNOWN", "the range is outside the blob");
    unsatisfiable.headers.Set("Content-Range", "bytes */" + std::to_string(blob->size));
    return unsatisfiable;
  }
  if (response.status == 404) return OciError(404, "BLOB_UNKNOWN", "the blob was just removed");
  response.headers.Set("Docker-Content-Digest", digest->ToString());
  response.headers.Set("ETag", "\"" + digest->ToString() + "\"");
  return response;
}

http::Response DeleteBlob(ApiState& state, http::Request& request) {
  const std::string_view repository = request.Param("name");
  auto digest = registry::Digest::Parse(request.Param("digest"));
  if (!digest.ok()) return OciError(400, "DIGEST_INVALID", digest.status().message());
  Status removed = RegistryOf(state).UnlinkBlob(repository, *digest);
  if (!removed.ok()) return OciErrorFrom(removed, "BLOB_UNKNOWN");
  http::Response response;
  response.status = 202;
  return response;
}

http::Response StartBlobUpload(ApiState& state, http::Request& request) {
  const std::string repository(request.Param("name"));
  registry::Registry& registry = RegistryOf(state);
  // A mount: the blob is linked from a repository the caller may pull from, no bytes move.
  if (auto mount = request.Query("mount")) {
    auto digest = registry::Digest::Parse(*mount);
    if (!digest.ok()) return OciError(400, "DIGEST_INVALID", digest.status().message());
    auto from = request.Query("from");
    if (from && registry::IsRepositoryName(*from) &&
        RegistryAllows(state, RegistryCallerOf(request), RegistryAction::kPull, *from) &&
        registry.StatBlob(*from, *digest).ok() && registry.LinkBlob(repository, *digest).ok()) {
      return BlobCreated(repository, *digest);
    }
    // Otherwise an ordinary upload, as the spec says.
  }
  auto id = registry.blobs().StartUpload();
  if (!id.ok()) return OciErrorFrom(id.status(), "BLOB_UPLOAD_INVALID");
  if (!request.Query("digest")) {
    if (request.Header("Content-Length").value_or("0") != "0") {
      (void)registry.blobs().Cancel(*id);
      return OciError(400, "BLOB_UPLOAD_INVALID",
                      "a POST with a body needs ?digest= (a monolithic upload)");
    }
    return UploadAccepted(repository, *id, 0);
  }
  auto appended = AppendBody(registry.blobs(), *id, request, std::nullopt);
  if (!appended.ok()) {
    (void)registry.blobs().Cancel(*id);
    return AppendFailed(state, repository, *id, appended.status());
  }
  return Finish(state, request, repository, *id);
}

http::Response GetBlobUpload(ApiState& state, http::Request& request) {
  const std::string repository(request.Param("name"));
  const std::string id(request.Param("id"));
  auto size = RegistryOf(state).blobs().UploadSize(id);
  if (!size.ok()) return OciError(404, "BLOB_UPLOAD_UNKNOWN", size.status().message());
  return UploadAccepted(repository, id, *size, 204);
}

http::Response PatchBlobUpload(ApiState& state, http::Request& request) {
  const std::string repository(request.Param("name"));
  const std::string id(request.Param("id"));
  auto offset = ChunkOffset(request);
  if (!offset.ok()) {
    auto size = RegistryOf(state).blobs().UploadSize(id);
    if (!size.ok()) return OciError(404, "BLOB_UPLOAD_UNKNOWN", size.status().message());
    http::Response response = OciError(416, "BLOB_UPLOAD_INVALID", offset.status().message());
    response.headers.Set("Range", ProgressRange(*size));
    return response;
  }
  auto size = AppendBody(RegistryOf(state).blobs(), id, request, *offset);
  if (!size.ok()) return AppendFailed(state, repository, id, size.status());
  return UploadAccepted(repository, id, *size);
}

http::Response PutBlobUpload(ApiState& state, http::Request& request) {
  const std::string repository(request.Param("name"));
  const std::string id(request.Param("id"));
  auto offset = ChunkOffset(request);
  if (!offset.ok()) return OciError(416, "BLOB_UPLOAD_INVALID", offset.status().message());
  auto size = AppendBody(RegistryOf(state).blobs(), id, request, *offset);
  if (!size.ok()) return AppendFailed(state, repository, id, size.status());
  return Finish(state, request, repository, id);
}

http::Response CancelBlobUpload(ApiState& state, http::Request& request) {
  const std::string id(request.Param("id"));
  auto size = RegistryOf(state).blobs().UploadSize(id);
  if (!size.ok()) return OciError(404, "BLOB_UPLOAD_UNKNOWN", size.status().message());
  Status cancelled = RegistryOf(state).blobs().Cancel(id);
  if (!cancelled.ok()) return OciErrorFrom(cancelled, "BLOB_UPLOAD_UNKNOWN");
  return http::Response::NoContent();
}

}  // namespace slipway::api
