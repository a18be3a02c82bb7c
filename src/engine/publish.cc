// Publisher: a job's `artifacts.publish` entries pushed into the registry from its kept files,
// each with signed provenance and an SBOM as referrers.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using registry::Descriptor;
using registry::Digest;

constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr std::string_view kEmptyConfigType = "application/vnd.oci.empty.v1+json";
constexpr std::string_view kFileLayerType = "application/octet-stream";
constexpr std::string_view kCycloneDx = "application/vnd.cyclonedx+json";
constexpr std::string_view kSpdx = "application/spdx+json";
constexpr std::string_view kDsseEnvelope = "application/vnd.dsse.envelope.v1+json";

// RFC 3339 in UTC, seconds.
std::string Rfc3339(store::Time time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Streams the file at `path` into `repository` as a blob; returns its digest and size.
Result<Descriptor> PushFile(registry::Registry& registry, std::string_view repository,
                            const fs::path& path, std::string_view media_type) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("read " + path.string(), errno);
  SLIPWAY_ASSIGN_OR_RETURN(std::string id, registry.blobs().StartUpload());
  Sha256 hash;
  uint64_t size = 0;
  std::string buffer(kChunkBytes, '\0');
  Status status;
  while (true) {
    const ssize_t got = read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      status = ErrnoStatus("read " + path.string(), errno);
      break;
    }
    if (got == 0) break;
    const std::string_view chunk(buffer.data(), static_cast<size_t>(got));
    hash.Update(chunk);
    size += chunk.size();
    if (auto appended = registry.blobs().Append(id, chunk); !appended.ok()) {
      status = appended.status();
      break;
    }
  }
  close(fd);
  if (!status.ok()) {
    (void)registry.blobs().Cancel(id);
    return status;
  }
  const Digest digest{HexEncode(hash.Final())};
  SLIPWAY_RETURN_IF_ERROR(registry.CommitUpload(repository, id, digest).status());
  return Descriptor{.media_type = std::string(media_type),
                    .digest = digest,
                    .size = size,
                    .artifact_type = "",
                    .annotations = {}};
}

json DescriptorJson(const Descriptor& descriptor) {
  json entry = {{"mediaType", descriptor.media_type},
                {"digest", descriptor.digest.ToString()},
                {"size", descriptor.size}};
  if (!descriptor.annotations.empty()) entry["annotations"] = descriptor.annotations;
  return entry;
}

// Regular files under `root`/`relative` (or that file), as workspace-relative paths, sorted.
Result<std::vector<std::string>> FilesOf(const fs::path& root, const std::string& relative) {
  std::error_code ec;
  const fs::path top = root / relative;
  const auto status = fs::symlink_status(top, ec);
  if (ec || !fs::exists(status)) {
    return NotFound("'" + relative + "' is not among the files the job kept (did a step make it?)");
  }
  std::vector<std::string> files;
  if (fs::is_regular_file(status)) return std::vector<std::string>{relative};
  if (!fs::is_directory(status))
    return InvalidArgument("'" + relative + "' is not a file or folder");
  for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && !it->is_symlink()) {
      files.push_back(fs::relative(it->path(), root).generic_string());
    }
  }
  if (ec) return ErrnoStatus("list " + top.string(), ec.value());
  std::sort(files.begin(), files.end());
  if (files.empty()) return InvalidArgument("'" + relative + "' holds no files");
  return files;
}

struct Published {
  Descriptor manifest;  // what was tagged
  // The artifact's files for the generated SBOM: (name, sha256 hex).
  std::vector<std::pair<std::string, std::string>> files;
};

// Files as an OCI artifact: the empty config and one layer per file.
Result<Published> PublishFiles(registry::Registry& registry, const std::string& repository,
                               const std::string& tag, const fs::path& root,
                               const spec::PublishSpec& entry, const store::Project& project,
                               const store::Run& run) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> files, FilesOf(root, entry.path));
  Published published;
  SLIPWAY_ASSIGN_OR_RETURN(registry::BlobInfo empty, registry.PutBlob(repository, "{}"));
  const Descriptor config{.media_type = std::string(kEmptyConfigType),
                          .digest = empty.digest,
                          .size = empty.size,
                          .artifact_type = "",
                          .annotations = {}};
  json layers = json::array();
  for (const std::string& file : files) {
    SLIPWAY_ASSIGN_OR_RETURN(Descriptor layer,
                             PushFile(registry, repository, root / file, kFileLayerType));
    layer.annotations["org.opencontainers.image.title"] = file;
    layers.push_back(DescriptorJson(layer));
    published.files.emplace_back(file, layer.digest.hex);
  }
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", registry::media_type::kOciManifest},
                   {"artifactType", entry.artifact_type},
                   {"config", DescriptorJson(config)},
                   {"layers", std::move(layers)},
                   {"annotations",
                    {{"org.opencontainers.image.source", project.repo},
                     {"org.opencontainers.image.revision", run.commit}}}};
  const std::string bytes = manifest.dump();
  SLIPWAY_ASSIGN_OR_RETURN(registry::PutManifestResult put,
                           registry.PutManifest(repository, tag, bytes, ""));
  published.manifest = Descriptor{.media_type = std::string(registry::media_type::kOciManifest),
                                  .digest = put.digest,
                                  .size = bytes.size(),
                                  .artifact_type = "",
                                  .annotations = {}};
  return published;
}

// Pushes the manifest `digest` of an OCI layout (children and blobs first); returns its
// descriptor. `depth` bounds nested indexes.
Result<Descriptor> PushLayoutManifest(registry::Registry& registry, const std::string& repository,
                                      const fs::path& layout, const Digest& digest,
                                      Published* published, int depth = 0) {
  if (depth > 8) return InvalidArgument("the OCI layout nests indexes too deeply");
  const fs::path path = layout / "blobs" / "sha256" / digest.hex;
  SLIPWAY_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, registry::kMaxManifestBytes));
  if (Sha256Hex(bytes) != digest.hex) {
    return InvalidArgument("the layout's blob " + digest.ToString() + " does not match its digest");
  }
  SLIPWAY_ASSIGN_OR_RETURN(registry::Manifest manifest, registry::ParseManifest(bytes, ""));
  for (const Descriptor& child : manifest.manifests) {
    SLIPWAY_RETURN_IF_ERROR(
        PushLayoutManifest(registry, repository, layout, child.digest, published, depth + 1)
            .status());
  }
  for (const Descriptor& blob : manifest.blobs) {
    if (registry.StatBlob(repository, blob.digest).ok()) continue;
    SLIPWAY_ASSIGN_OR_RETURN(
        Descriptor pushed,
        PushFile(registry, repository, layout / "blobs" / "sha256" / blob.digest.hex,
                 blob.media_type));
    if (!(pushed.digest == blob.digest)) {
      return InvalidArgument("the layout's blob " + blob.digest.ToString() +
                             " does not match its digest");
    }
    published->files.emplace_back(blob.digest.ToString(), blob.digest.hex);
  }
  SLIPWAY_RETURN_IF_ERROR(
      registry.PutManifest(repository, digest.ToString(), bytes, manifest.media_type).status());
  return Descriptor{.media_type = manifest.media_type,
                    .digest = digest,
                    .size = bytes.size(),
                    .artifact_type = "",
                    .annotations = {}};
}

// The image of an OCI layout: index.json must list exactly one manifest.
Result<Published> PublishLayout(registry::Registry& registry, const std::string& repository,
                                const std::string& tag, const fs::path& root,
                                const spec::PublishSpec& entry) {
  const fs::path layout = root / entry.path;
  auto index_text = ReadFile(layout / "index.json", registry::kMaxManifestBytes);
  if (!index_text.ok()) {
    return NotFound("'" + entry.path + "' is not an OCI layout the job kept (no index.json)");
  }
  json index = json::parse(*index_text, nullptr, false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array() ||
      index["manifests"].size() != 1) {
    return InvalidArgument("the index.json of '" + entry.path +
                           "' must list exactly one manifest (the image to publish)");
  }
  auto digest = Digest::Parse(index["manifests"][0].value("digest", ""));
  if (!digest.ok())
    return InvalidArgument("index.json of '" + entry.path + "': " + digest.status().message());
  Published published;
  SLIPWAY_ASSIGN_OR_RETURN(published.manifest,
                           PushLayoutManifest(registry, repository, layout, *digest, &published));
  SLIPWAY_ASSIGN_OR_RETURN(std::string bytes, ReadFile(layout / "blobs" / "sha256" / digest->hex,
                                                       registry::kMaxManifestBytes));
  SLIPWAY_RETURN_IF_ERROR(
      registry.PutManifest(repository, tag, bytes, published.manifest.media_type).status());
  return published;
}

// A minimal CycloneDX 1.5 document: the artifact and its files with their SHA-256.
std::string GeneratedSbom(const std::string& repository, const std::string& tag,
                          const Published& published) {
  json components = json::array();
  for (const auto& [name, hex] : published.files) {
    components.push_back(
        {{"type", "file"}, {"name", name}, {"hashes", {{{"alg", "SHA-256"}, {"content", hex}}}}});
  }
  return json{
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.5"},
      {"version", 1},
      {"metadata",
       {{"component",
         {{"type", "application"},
          {"name", repository},
          {"version", tag},
          {"hashes", {{{"alg", "SHA-256"}, {"content", published.manifest.digest.hex}}}}}}}},
      {"components", std::move(components)}}
      .dump();
}

// The media type of an SBOM file the build made: SPDX or CycloneDX JSON.
Result<std::string_view> SbomType(const std::string& name, std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_object() && doc.contains("spdxVersion")) return kSpdx;
  if (doc.is_object() && doc.value("bomFormat", "") == "CycloneDX") return kCycloneDx;
  return InvalidArgument("sbom '" + name +
                         "' is neither SPDX JSON (spdxVersion) nor CycloneDX JSON (bomFormat)");
}

}  // namespace

Publisher::Publisher(registry::Registry* registry, registry::KeyRing* keys)
    : registry_(registry), keys_(keys) {}

void Publisher::set_builder_id(std::string id) {
  std::lock_guard lock(mutex_);
  builder_id_ = std::move(id);
}

Result<std::vector<std::string>> Publisher::Publish(const Context& context,
                                                    const fs::path& archive) {
  const store::Project& project = *context.project;
  const store::Run& run = *context.run;
  const spec::Job& job = *context.job;
  std::string builder;
  {
    std::lock_guard lock(mutex_);
    builder = builder_id_;
  }
  SLIPWAY_ASSIGN_OR_RETURN(fs::path root, MakeTempDir("slipway-publish."));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { (void)RemoveTree(dir); }
  } cleanup{root};
  SLIPWAY_RETURN_IF_ERROR(tree_archive::ExtractFile(archive, root).status());
  const std::string tag = run.commit.substr(0, 12) + "-run" + std::to_string(run.number);
  std::vector<std::string> references;
  for (const spec::PublishSpec& entry : job.publish) {
    std::string repository = entry.repository;
    if (repository.empty()) {
      std::string name = project.name + "/" + job.name;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return c == '_' ? '-' : std::tolower(c); });
      repository = name;
    }
    auto fail = [&](const Status& status) {
      return Status(status.code(),
                    "publish " + entry.path + " to " + repository + ": " + status.message());
    };
    if (!registry::IsRepositoryName(repository)) {
      return fail(InvalidArgument("'" + repository +
                                  "' is not a valid repository name; set "
                                  "'repository' in the publish entry"));
    }
    auto published = entry.oci_layout
                         ? PublishLayout(*registry_, repository, tag, root, entry)
                         : PublishFiles(*registry_, repository, tag, root, entry, project, run);
    if (!published.ok()) return fail(published.status());

    registry::BuildRecord record;
    record.subject_name = repository;
    record.subject_digest = published->manifest.digest;
    record.builder_id = builder;
    record.invocation_id =
        builder + "/api/v1/projects/" + project.name + "/runs/" + std::to_string(run.number);
    record.repository = project.repo;
    record.ref = run.ref;
    record.commit = run.commit;
    record.pipeline_path = project.pipeline_file;
    record.pipeline_sha256 = Sha256Hex(run.pipeline_yaml);
    json inputs = json::parse(run.inputs_json, nullptr, false);
    if (inputs.is_object()) {
      for (const auto& [name, value] : inputs.items()) {
        record.inputs[name] = value.is_string() ? value.get<std::string>() : value.dump();
      }
    }
    record.project = project.name;
    record.job = job.name;
    record.started_on = Rfc3339(context.started);
    record.finished_on = Rfc3339(context.finished);
    auto envelope =
        keys_->SignEnvelope(registry::kInTotoPayloadType, registry::ProvenanceStatement(record));
    if (!envelope.ok()) return fail(envelope.status());
    auto provenance =
        registry::AttachReferrer(*registry_, repository, published->manifest,
                                 registry::kInTotoArtifactType, kDsseEnvelope, *envelope);
    if (!provenance.ok()) return fail(provenance.status());

    if (entry.sbom.empty()) {
      auto sbom = registry::AttachReferrer(*registry_, repository, published->manifest, kCycloneDx,
                                           kCycloneDx, GeneratedSbom(repository, tag, *published));
      if (!sbom.ok()) return fail(sbom.status());
    }
    for (const std::string& file : entry.sbom) {
      auto text = ReadFile(root / file, 64 << 20);
      if (!text.ok()) return fail(NotFound("sbom '" + file + "' is not among the kept files"));
      auto type = SbomType(file, *text);
      if (!type.ok()) return fail(type.status());
      auto sbom = registry::AttachReferrer(*registry_, repository, published->manifest, *type,
                                           *type, *text);
      if (!sbom.ok()) return fail(sbom.status());
    }
    references.push_back(repository + ":" + tag + "@" + published->manifest.digest.ToString());
  }
  return references;
}

}  // namespace slipway::engine
