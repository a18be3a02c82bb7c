// Registry: repositories over the blob store (blob links, manifests, tags, referrers,
// settings). Garbage collection is in gc.cc.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "registry/registry.h"
#include "registry/repository_layout.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::registry {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Creates an empty marker file (and its folders); an existing one gets a fresh mtime.
Status TouchFile(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return ErrnoStatus("create " + path.parent_path().string(), ec.value());
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create " + path.string(), errno);
  const int rc = futimens(fd, nullptr);
  const int err = errno;
  close(fd);
  return rc == 0 ? Status::Ok() : ErrnoStatus("touch " + path.string(), err);
}

Status WriteFileMakingDirs(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return ErrnoStatus("create " + path.parent_path().string(), ec.value());
  return WriteFileAtomic(path, bytes);
}

std::string DescriptorJson(const Descriptor& descriptor) {
  json entry = {{"mediaType", descriptor.media_type},
                {"digest", descriptor.digest.ToString()},
                {"size", descriptor.size},
                {"artifactType", descriptor.artifact_type},
                {"annotations", descriptor.annotations}};
  return entry.dump();
}

Result<Descriptor> DescriptorFromJson(std::string_view text) {
  json entry = json::parse(text, nullptr, false);
  if (!entry.is_object()) return Internal("a referrer record is not JSON");
  Descriptor descriptor;
  descriptor.media_type = entry.value("mediaType", "");
  SLIPWAY_ASSIGN_OR_RETURN(descriptor.digest, Digest::Parse(entry.value("digest", "")));
  descriptor.size = entry.value("size", uint64_t{0});
  descriptor.artifact_type = entry.value("artifactType", "");
  if (entry.contains("annotations") && entry["annotations"].is_object()) {
    descriptor.annotations = entry["annotations"].get<std::map<std::string, std::string>>();
  }
  return descriptor;
}

std::string RepositoryText(std::string_view repository) {
  return "repository '" + std::string(repository) + "'";
}

}  // namespace

Registry::Registry(fs::path root, std::unique_ptr<BlobStore> blobs)
    : root_(std::move(root)), blobs_(std::move(blobs)) {}
Registry::~Registry() = default;

Result<std::unique_ptr<Registry>> Registry::Open(const fs::path& root) {
  SLIPWAY_ASSIGN_OR_RETURN(std::unique_ptr<BlobStore> blobs, BlobStore::Open(root));
  std::error_code ec;
  fs::create_directories(root / "repositories", ec);
  if (ec) return ErrnoStatus("create " + (root / "repositories").string(), ec.value());
  return std::unique_ptr<Registry>(new Registry(root, std::move(blobs)));
}

fs::path Registry::RepositoryPath(std::string_view repository) const {
  return root_ / "repositories" / std::string(repository);
}

bool Registry::HoldsBlob(std::string_view repository, const Digest& digest) const {
  return access(layout::BlobLink(RepositoryPath(repository), digest).c_str(), F_OK) == 0 &&
         blobs_->Stat(digest).ok();
}

bool Registry::HoldsManifest(std::string_view repository, const Digest& digest) const {
  return access(layout::Revision(RepositoryPath(repository), digest).c_str(), F_OK) == 0 &&
         blobs_->Stat(digest).ok();
}

Result<BlobInfo> Registry::CommitUpload(std::string_view repository, const std::string& id,
                                        const Digest& digest) {
  std::shared_lock gc(gc_mutex_);
  SLIPWAY_ASSIGN_OR_RETURN(BlobInfo info, blobs_->Commit(id, digest));
  SLIPWAY_RETURN_IF_ERROR(blobs_->Touch(digest));  // a duplicate keeps the older file
  SLIPWAY_RETURN_IF_ERROR(TouchFile(layout::BlobLink(RepositoryPath(repository), digest)));
  return info;
}

Result<BlobInfo> Registry::PutBlob(std::string_view repository, std::string_view bytes) {
  SLIPWAY_ASSIGN_OR_RETURN(std::string id, blobs_->StartUpload());
  if (auto appended = blobs_->Append(id, bytes); !appended.ok()) {
    (void)blobs_->Cancel(id);
    return appended.status();
  }
  return CommitUpload(repository, id, Digest{Sha256Hex(bytes)});
}

Status Registry::LinkBlob(std::string_view repository, const Digest& digest) {
  std::shared_lock gc(gc_mutex_);
  SLIPWAY_RETURN_IF_ERROR(blobs_->Touch(digest));
  return TouchFile(layout::BlobLink(RepositoryPath(repository), digest));
}

Result<BlobInfo> Registry::StatBlob(std::string_view repository, const Digest& digest) {
  std::shared_lock gc(gc_mutex_);
  if (!HoldsBlob(repository, digest)) {
    return NotFound("blob " + digest.ToString() + " is not in " + RepositoryText(repository));
  }
  // A client that finds the blob here skips uploading it: blob and link must outlive the push.
  SLIPWAY_RETURN_IF_ERROR(blobs_->Touch(digest));
  SLIPWAY_RETURN_IF_ERROR(TouchFile(layout::BlobLink(RepositoryPath(repository), digest)));
  return blobs_->Stat(digest);
}

Status Registry::UnlinkBlob(std::string_view repository, const Digest& digest) {
  const fs::path link = layout::BlobLink(RepositoryPath(repository), digest);
  if (unlink(link.c_str()) != 0) {
    if (errno == ENOENT) {
      return NotFound("blob " + digest.ToString() + " is not in " + RepositoryText(repository));
    }
    return ErrnoStatus("remove " + link.string(), errno);
  }
  return Status::Ok();
}

Result<Digest> Registry::Resolve(std::string_view repository, std::string_view reference) const {
  if (IsTag(reference)) {
    auto text = ReadFile(layout::Tag(RepositoryPath(repository), reference), 256);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) {
        return NotFound("tag '" + std::string(reference) + "' is not in " +
                        RepositoryText(repository));
      }
      return text.status();
    }
    return Digest::Parse(*text);
  }
  auto digest = Digest::Parse(reference);
  if (!digest.ok()) {
    return InvalidArgument("'" + std::string(reference) +
                           "' is neither a tag nor a digest: " + digest.status().message());
  }
  return *digest;
}

Status Registry::CheckReferences(std::string_view repository, const Manifest& manifest) const {
  for (const Descriptor& blob : manifest.blobs) {
    if (!HoldsBlob(repository, blob.digest)) {
      return NotFound("blob " + blob.digest.ToString() + " (" + blob.media_type + ") is not in " +
                      RepositoryText(repository) + "; push it first");
    }
  }
  for (const Descriptor& child : manifest.manifests) {
    if (!HoldsManifest(repository, child.digest)) {
      return NotFound("manifest " + child.digest.ToString() + " is not in " +
                      RepositoryText(repository) + "; push it before the index");
    }
  }
  return Status::Ok();
}

Status Registry::StoreManifestBlob(std::string_view bytes, const Digest& digest) {
  if (blobs_->Stat(digest).ok()) return blobs_->Touch(digest);
  SLIPWAY_ASSIGN_OR_RETURN(std::string id, blobs_->StartUpload());
  auto appended = blobs_->Append(id, bytes);
  if (!appended.ok()) {
    (void)blobs_->Cancel(id);
    return appended.status();
  }
  return blobs_->Commit(id, digest).status();
}

Result<PutManifestResult> Registry::PutManifest(std::string_view repository,
                                                std::string_view reference, std::string_view bytes,
                                                std::string_view content_type) {
  SLIPWAY_ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(bytes, content_type));
  const Digest digest{Sha256Hex(bytes)};
  const bool by_tag = IsTag(reference);
  if (!by_tag) {
    SLIPWAY_ASSIGN_OR_RETURN(Digest named, Resolve(repository, reference));
    if (!(named == digest)) {
      return InvalidArgument("the manifest's digest is " + digest.ToString() + ", not " +
                             named.ToString() + " as the URL says");
    }
  }
  std::shared_lock gc(gc_mutex_);
  std::lock_guard tags(tags_mutex_);
  SLIPWAY_RETURN_IF_ERROR(CheckReferences(repository, manifest));
  PutManifestResult result{.digest = digest, .manifest = manifest, .moved_from = std::nullopt};
  const fs::path repo = RepositoryPath(repository);
  if (by_tag) {
    // Decide before storing anything: a tag that may not move stores nothing.
    auto current = Resolve(repository, reference);
    if (current.ok() && !(*current == digest)) {
      SLIPWAY_ASSIGN_OR_RETURN(RepositorySettings settings, Settings(repository));
      const bool channel = std::find(settings.channels.begin(), settings.channels.end(),
                                     reference) != settings.channels.end();
      if (!settings.mutable_tags && !channel) {
        return FailedPrecondition(
            "tag '" + std::string(reference) + "' of " + RepositoryText(repository) +
            " points to " + current->ToString() +
            " and tags here are immutable: push under a new tag (one per commit or run), or "
            "declare '" +
            std::string(reference) + "' a channel of the repository");
      }
      result.moved_from = *current;
    }
  }
  SLIPWAY_RETURN_IF_ERROR(StoreManifestBlob(bytes, digest));
  SLIPWAY_RETURN_IF_ERROR(WriteFileMakingDirs(layout::Revision(repo, digest), manifest.media_type));
  if (manifest.subject) {
    Descriptor self{.media_type = manifest.media_type,
                    .digest = digest,
                    .size = bytes.size(),
                    .artifact_type = manifest.artifact_type,
                    .annotations = manifest.annotations};
    SLIPWAY_RETURN_IF_ERROR(WriteFileMakingDirs(
        layout::Referrer(repo, manifest.subject->digest, digest), DescriptorJson(self)));
  }
  if (by_tag) {
    SLIPWAY_RETURN_IF_ERROR(WriteFileMakingDirs(layout::Tag(repo, reference), digest.ToString()));
  }
  return result;
}

Result<StoredManifest> Registry::GetManifest(std::string_view repository,
                                             std::string_view reference) {
  SLIPWAY_ASSIGN_OR_RETURN(Digest digest, Resolve(repository, reference));
  const fs::path revision = layout::Revision(RepositoryPath(repository), digest);
  auto media_type = ReadFile(revision, 1024);
  if (!media_type.ok()) {
    if (media_type.status().code() == StatusCode::kNotFound) {
      return NotFound("manifest " + digest.ToString() + " is not in " + RepositoryText(repository));
    }
    return media_type.status();
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::string bytes, ReadFile(blobs_->PathOf(digest), kMaxManifestBytes));
  return StoredManifest{digest, std::move(*media_type), std::move(bytes)};
}

Status Registry::DeleteManifest(std::string_view repository, const Digest& digest) {
  std::lock_guard tags(tags_mutex_);
  const fs::path repo = RepositoryPath(repository);
  SLIPWAY_ASSIGN_OR_RETURN(StoredManifest stored, GetManifest(repository, digest.ToString()));
  auto names = ListDirectory(layout::Tags(repo).string());
  for (const std::string& tag : names.ok() ? *names : std::vector<std::string>()) {
    auto target = Resolve(repository, tag);
    if (target.ok() && *target == digest) (void)unlink(layout::Tag(repo, tag).c_str());
  }
  auto manifest = ParseManifest(stored.bytes, stored.media_type);
  if (manifest.ok() && manifest->subject) {
    (void)unlink(layout::Referrer(repo, manifest->subject->digest, digest).c_str());
  }
  if (unlink(layout::Revision(repo, digest).c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("remove " + layout::Revision(repo, digest).string(), errno);
  }
  return Status::Ok();
}

Status Registry::DeleteTag(std::string_view repository, std::string_view tag) {
  std::lock_guard tags(tags_mutex_);
  const fs::path path = layout::Tag(RepositoryPath(repository), tag);
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT) {
      return NotFound("tag '" + std::string(tag) + "' is not in " + RepositoryText(repository));
    }
    return ErrnoStatus("remove " + path.string(), errno);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Registry::ListTags(std::string_view repository) {
  const fs::path repo = RepositoryPath(repository);
  if (access(layout::Revisions(repo).c_str(), F_OK) != 0) {
    return NotFound(RepositoryText(repository) + " does not exist");
  }
  auto names = ListDirectory(layout::Tags(repo).string());
  if (!names.ok() && names.status().code() == StatusCode::kNotFound) {
    return std::vector<std::string>();
  }
  if (!names.ok()) return names.status();
  std::erase_if(*names, [](const std::string& name) { return !IsTag(name); });  // temp files
  return names;
}

Result<std::vector<std::string>> Registry::ListRepositories() {
  std::vector<std::string> repositories;
  // Depth-first over name components; a folder holding _manifests/revisions is a repository.
  std::vector<std::string> pending = {""};
  while (!pending.empty()) {
    const std::string prefix = std::move(pending.back());
    pending.pop_back();
    const fs::path dir = root_ / "repositories" / prefix;
    auto names = ListDirectory(dir.string());
    if (!names.ok()) continue;  // removed meanwhile
    for (const std::string& name : *names) {
      if (!IsRepositoryName(name)) continue;  // the _ folders, temp files
      const std::string repository = prefix.empty() ? name : prefix + "/" + name;
      const fs::path revisions = layout::Revisions(RepositoryPath(repository));
      auto manifests = ListDirectory(revisions.string());
      if (manifests.ok() && !manifests->empty()) repositories.push_back(repository);
      pending.push_back(repository);
    }
  }
  std::sort(repositories.begin(), repositories.end());
  return repositories;
}

Result<std::vector<Descriptor>> Registry::Referrers(std::string_view repository,
                                                    const Digest& subject) {
  const fs::path dir = layout::ReferrersOf(RepositoryPath(repository), subject);
  auto names = ListDirectory(dir.string());
  if (!names.ok()) {
    if (names.status().code() == StatusCode::kNotFound) return std::vector<Descriptor>();
    return names.status();
  }
  std::vector<Descriptor> referrers;
  for (const std::string& name : *names) {
    // A descriptor holds the referrer's annotations: as large as its manifest may be.
    auto text = ReadFile(dir / name, kMaxManifestBytes);
    if (!text.ok()) continue;  // deleted meanwhile, or a temp file
    auto descriptor = DescriptorFromJson(*text);
    if (!descriptor.ok() || !HoldsManifest(repository, descriptor->digest)) continue;
    referrers.push_back(std::move(*descriptor));
  }
  return referrers;
}

Result<RepositorySettings> Registry::Settings(std::string_view repository) {
  RepositorySettings settings;
  auto text = ReadFile(layout::Settings(RepositoryPath(repository)), 1 << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return settings;
    return text.status();
  }
  json doc = json::parse(*text, nullptr, false);
  if (!doc.is_object())
    return Internal("the settings of " + RepositoryText(repository) + " are not JSON");
  settings.is_public = doc.value("public", false);
  settings.mutable_tags = doc.value("mutable_tags", false);
  if (doc.contains("channels") && doc["channels"].is_array()) {
    settings.channels = doc["channels"].get<std::vector<std::string>>();
  }
  return settings;
}

Status Registry::SetSettings(std::string_view repository, const RepositorySettings& settings) {
  for (const std::string& channel : settings.channels) {
    if (!IsTag(channel)) return InvalidArgument("channel '" + channel + "' is not a valid tag");
  }
  json doc = {{"public", settings.is_public},
              {"mutable_tags", settings.mutable_tags},
              {"channels", settings.channels}};
  return WriteFileMakingDirs(layout::Settings(RepositoryPath(repository)), doc.dump());
}

}  // namespace slipway::registry
