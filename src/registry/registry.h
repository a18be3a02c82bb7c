// The artifact registry: blobs addressed by their SHA-256 digest, written by streaming uploads
// that are verified before anything becomes visible (BlobStore), and the repositories that
// name them: manifests, tags, referrers, per-repository settings and garbage collection
// (Registry). The OCI distribution API on top of it lives in api/.
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

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/oci_names.h"
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
  // Marks the blob as just used (its mtime: garbage collection spares what is younger than its
  // grace period); kNotFound when it is not stored.
  Status Touch(const Digest& digest);

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

// ---------------------------------------------------------------------------------------
// Names and manifests (OCI distribution spec v1.1, image spec v1.1)

// A repository name and a tag by the spec's grammar (util/oci_names.h).
inline bool IsRepositoryName(std::string_view name) { return IsOciRepositoryName(name); }
inline bool IsTag(std::string_view reference) { return IsOciTag(reference); }

inline constexpr size_t kMaxManifestBytes = size_t{4} << 20;

namespace media_type {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
}  // namespace media_type

struct Descriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
  std::string artifact_type;                       // "" when none
  std::map<std::string, std::string> annotations;  // as sent
};

// What the registry needs to know of a manifest: what it references and what refers to what.
struct Manifest {
  bool is_index = false;   // an image index / manifest list (references manifests)
  std::string media_type;  // one of media_type::*
  // The artifact type the referrers API reports: artifactType, else (image manifests) the
  // config's media type.
  std::string artifact_type;
  std::vector<Descriptor> blobs;      // config and layers (image manifests)
  std::vector<Descriptor> manifests;  // children (indexes)
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

// Parses and checks a manifest. `content_type` is the request's Content-Type ("" when none); it
// must agree with the manifest's mediaType field when both are present, and one of them must
// name a supported manifest type (or, failing both, the shape decides: "manifests" is an OCI
// index, "config" an OCI image manifest). kInvalidArgument names the field at fault.
Result<Manifest> ParseManifest(std::string_view bytes, std::string_view content_type);

// The referrers list of the OCI spec (an image index) for `descriptors`.
std::string ReferrersIndexJson(const std::vector<Descriptor>& descriptors);

// ---------------------------------------------------------------------------------------
// Repositories

struct RepositorySettings {
  bool is_public = false;     // anonymous clients may pull
  bool mutable_tags = false;  // every tag may be moved to another manifest
  // Tags that may move even in a repository with immutable tags ("stable", "production"):
  // release channels. Moving one is reported (PutManifestResult::moved_from) for the audit.
  std::vector<std::string> channels;
};

struct StoredManifest {
  Digest digest;
  std::string media_type;
  std::string bytes;
};

struct PutManifestResult {
  Digest digest;
  Manifest manifest;
  std::optional<Digest> moved_from;  // the tag pointed to this manifest before
};

struct GcOptions {
  // Unreferenced blobs, blob links and untagged manifests younger than this are kept: they may
  // belong to a push in progress.
  std::chrono::seconds grace{3600};
  bool dry_run = false;
};

struct GcReport {
  int manifests_deleted = 0;
  int blobs_deleted = 0;
  uint64_t bytes_freed = 0;
};

// Repositories over a BlobStore. Each repository lists the blobs pushed to (or mounted into)
// it, so a blob is served only through repositories that were given it; manifests are stored
// as blobs too. On disk, next to the BlobStore's folders:
//   repositories/<name>/_blobs/<hex>                      the repository holds this blob
//   repositories/<name>/_manifests/revisions/<hex>        a manifest (content: its media type)
//   repositories/<name>/_manifests/tags/<tag>             "sha256:<hex>"
//   repositories/<name>/_referrers/<subject hex>/<hex>    a referrer's descriptor (JSON)
//   repositories/<name>/_settings.json                    RepositorySettings
// Names by the spec's grammar cannot collide with the '_' folders.
//
// Garbage collection runs under an exclusive lock that every call adding a reference (blob
// commit, link, mount, manifest put) holds shared, and spares what is younger than its grace
// period, so an image pushed while it runs stays whole. Thread-safe.
class Registry {
 public:
  static Result<std::unique_ptr<Registry>> Open(const std::filesystem::path& root);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  BlobStore& blobs() { return *blobs_; }

  // --- blobs in a repository ---
  // Commits upload `id` as `digest` (BlobStore::Commit) and adds the blob to `repository`.
  Result<BlobInfo> CommitUpload(std::string_view repository, const std::string& id,
                                const Digest& digest);
  // Stores `bytes` (small: a config, an envelope) as a blob of `repository`.
  Result<BlobInfo> PutBlob(std::string_view repository, std::string_view bytes);
  // Adds the stored blob `digest` to `repository` (a cross-repository mount); kNotFound when
  // it is not stored.
  Status LinkBlob(std::string_view repository, const Digest& digest);
  // The blob, when `repository` holds it (and marks it used); kNotFound otherwise.
  Result<BlobInfo> StatBlob(std::string_view repository, const Digest& digest);
  // Removes the blob from `repository` (the bytes go at the next collection when nothing else
  // refers to them); kNotFound when the repository does not hold it.
  Status UnlinkBlob(std::string_view repository, const Digest& digest);

  // --- manifests and tags ---
  // Stores a manifest under `reference` (a tag, or the manifest's own digest). Errors:
  // kInvalidArgument (malformed: MANIFEST_INVALID; a digest reference that is not the
  // content's: DIGEST_INVALID), kNotFound (a referenced blob or child manifest the repository
  // does not hold: MANIFEST_BLOB_UNKNOWN / MANIFEST_UNKNOWN), kFailedPrecondition (the tag
  // points to another manifest and may not move: TAG_INVALID). Nothing is stored on error.
  Result<PutManifestResult> PutManifest(std::string_view repository, std::string_view reference,
                                        std::string_view bytes, std::string_view content_type);
  // By tag or digest; kNotFound when the repository has no such manifest.
  Result<StoredManifest> GetManifest(std::string_view repository, std::string_view reference);
  // Deletes the manifest `digest` from the repository with the tags that point to it and its
  // referrer entry; kNotFound when absent.
  Status DeleteManifest(std::string_view repository, const Digest& digest);
  // Removes a tag (the manifest stays, untagged); kNotFound when absent.
  Status DeleteTag(std::string_view repository, std::string_view tag);
  // Tags sorted bytewise; kNotFound when the repository does not exist.
  Result<std::vector<std::string>> ListTags(std::string_view repository);
  // Repositories with at least one manifest, sorted bytewise.
  Result<std::vector<std::string>> ListRepositories();
  // Descriptors of the manifests whose subject is `subject`, oldest digest order (bytewise).
  Result<std::vector<Descriptor>> Referrers(std::string_view repository, const Digest& subject);

  // --- settings ---
  // Defaults when never set.
  Result<RepositorySettings> Settings(std::string_view repository);
  Status SetSettings(std::string_view repository, const RepositorySettings& settings);

  // --- garbage collection ---
  Result<GcReport> CollectGarbage(const GcOptions& options);

 private:
  explicit Registry(std::filesystem::path root, std::unique_ptr<BlobStore> blobs);
  std::filesystem::path RepositoryPath(std::string_view repository) const;
  bool HoldsBlob(std::string_view repository, const Digest& digest) const;
  bool HoldsManifest(std::string_view repository, const Digest& digest) const;
  Result<Digest> Resolve(std::string_view repository, std::string_view reference) const;
  Status CheckReferences(std::string_view repository, const Manifest& manifest) const;
  Result<std::optional<Digest>> SetTag(std::string_view repository, const std::string& tag,
                                       const Digest& digest);
  Status StoreManifestBlob(std::string_view bytes, const Digest& digest);

  const std::filesystem::path root_;
  std::unique_ptr<BlobStore> blobs_;
  // Held shared by every call that adds a reference, exclusively by garbage collection.
  std::shared_mutex gc_mutex_;
  std::mutex tags_mutex_;  // serialises tag moves (check then write)
};

}  // namespace slipway::registry

// ---------------------------------------------------------------------------------------
// Signing and provenance: DSSE envelopes signed with Ed25519, in-toto Statements with SLSA
// Provenance v1 predicates. Signing keys live in a folder of PEM files; rotation adds a key
// and keeps the old public keys so what they signed still verifies.

namespace slipway::registry {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kInTotoArtifactType = "application/vnd.in-toto+json";
inline constexpr std::string_view kSlsaProvenanceV1 = "https://slsa.dev/provenance/v1";
inline constexpr std::string_view kSlipwayBuildType = "https://slipway.dev/build-types/pipeline/v1";

// DSSE's pre-authentication encoding: "DSSEv1 <len(type)> <type> <len(payload)> <payload>",
// the bytes a DSSE signature covers.
std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload);

struct PublicKey {
  std::string key_id;  // sha256 hex of the key's DER SubjectPublicKeyInfo
  std::string pem;     // "-----BEGIN PUBLIC KEY-----…"
  bool active = false;
};

// Parses a PEM public key (Ed25519); kInvalidArgument when it is not one.
Result<PublicKey> ParsePublicKey(std::string_view pem);

// The server's Ed25519 signing keys under one folder: <key id>.pem (private, mode 0600) and
// "active" naming the one that signs. Open creates the first key when there is none. Thread-safe.
class KeyRing {
 public:
  static Result<std::unique_ptr<KeyRing>> Open(const std::filesystem::path& dir);
  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  // A DSSE envelope (JSON) over `payload`, signed by the active key.
  Result<std::string> SignEnvelope(std::string_view payload_type, std::string_view payload);
  // Makes a new key the active one; the old ones stay (public halves listed, never used to
  // sign again). Returns the new key.
  Result<PublicKey> Rotate();
  // Every key's public half, the active one first.
  std::vector<PublicKey> PublicKeys() const;

 private:
  struct Key;
  explicit KeyRing(std::filesystem::path dir);
  const std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Key>> keys_;  // the active one first
};

// What DSSE verification established.
struct VerifiedEnvelope {
  std::string payload_type;
  std::string payload;  // decoded
  std::string key_id;   // the key whose signature verified
};

// Verifies a DSSE envelope (JSON) against `keys`: at least one signature must verify over the
// PAE bytes with one of them (matched by keyid when the signature names one). kPermissionDenied
// says why it does not verify; kInvalidArgument for an envelope that is not DSSE.
Result<VerifiedEnvelope> VerifyEnvelope(std::string_view envelope_json,
                                        const std::vector<PublicKey>& keys);

// What a provenance statement records of one build.
struct BuildRecord {
  std::string subject_name;   // the repository, e.g. "hello/app"
  Digest subject_digest;      // the artifact's manifest digest
  std::string builder_id;     // the server's URL
  std::string invocation_id;  // the run's URL
  std::string repository;     // the source repository URL
  std::string ref;            // "refs/heads/main"
  std::string commit;         // 40 hex digits
  std::string pipeline_path;  // ".slipway.yml"
  std::string pipeline_sha256;
  std::map<std::string, std::string> inputs;
  std::string project, job;
  std::string started_on, finished_on;  // RFC 3339
};

// An in-toto Statement v1 with a SLSA Provenance v1 predicate (JSON).
std::string ProvenanceStatement(const BuildRecord& record);

// What a provenance check requires beyond a valid signature.
struct ProvenanceExpectations {
  Digest subject;
  std::string source_repository;  // "" = any
  std::string builder_id;         // "" = any
};

struct ProvenanceSummary {
  std::string key_id, builder_id, source_repository, ref, commit, invocation_id;
};

// Verifies one provenance envelope: signature (VerifyEnvelope), payload type, statement and
// predicate types, that the subject includes `expected.subject`, and builder and source when
// given. kPermissionDenied names the first check that fails.
Result<ProvenanceSummary> VerifyProvenance(std::string_view envelope_json,
                                           const std::vector<PublicKey>& keys,
                                           const ProvenanceExpectations& expected);

// Stores `content` as a referrer of `subject` in `repository`: an OCI image manifest with
// `artifact_type`, the empty config and one layer of `layer_media_type` holding `content`, under
// its digest (no tag). Returns the referrer's digest.
Result<Digest> AttachReferrer(Registry& registry, std::string_view repository,
                              const Descriptor& subject, std::string_view artifact_type,
                              std::string_view layer_media_type, std::string_view content);

// "Does this digest have valid provenance from this source?": the first provenance referrer of
// `repository`@expected.subject that VerifyProvenance accepts, else kPermissionDenied saying
// why each one failed (or that there is none).
Result<ProvenanceSummary> CheckProvenance(Registry& registry, std::string_view repository,
                                          const std::vector<PublicKey>& keys,
                                          const ProvenanceExpectations& expected);

}  // namespace slipway::registry
