#include "deploy/artifact_fetch.h"

#include "util/fs.h"
#include "util/subprocess.h"

namespace slipway::deploy {

namespace {

namespace fs = std::filesystem;

bool SafeRelative(const fs::path& path) {
  if (path.empty() || path.is_absolute()) return false;
  for (const fs::path& part : path) {
    if (part == "..") return false;
  }
  return true;
}

Status Untar(const fs::path& archive, const fs::path& into) {
  const ProcessOutcome outcome =
      RunProcess({.argv = {"tar", "-xzf", archive.string(), "-C", into.string(), "--no-same-owner"},
                  .cwd = into,
                  .env = {"PATH=/usr/bin:/bin"},
                  .timeout = std::chrono::minutes(5)},
                 {}, nullptr);
  if (outcome.kind != ProcessOutcome::Kind::kExited || outcome.exit_code != 0) {
    return FailedPrecondition("cannot unpack " + archive.filename().string() + " (tar exit " +
                              std::to_string(outcome.exit_code) + ")");
  }
  return Status::Ok();
}

bool IsTarball(std::string_view name) {
  return name.ends_with(".tar.gz") || name.ends_with(".tgz");
}

// "host:5000/team/app@sha256:…" → repository "team/app", reference "sha256:…".
Result<std::pair<std::string, std::string>> SplitReference(std::string_view text) {
  std::string name(text), reference;
  if (const size_t at = name.find('@'); at != std::string::npos) {
    reference = name.substr(at + 1);
    name.resize(at);
  } else if (const size_t colon = name.rfind(':');
             colon != std::string::npos && name.find('/', colon) == std::string::npos) {
    reference = name.substr(colon + 1);
    name.resize(colon);
  }
  if (const size_t slash = name.find('/'); slash != std::string::npos) {
    const std::string first = name.substr(0, slash);
    if (first.find_first_of(".:") != std::string::npos || first == "localhost") {
      name.erase(0, slash + 1);
    }
  }
  if (reference.empty() || !registry::IsRepositoryName(name)) {
    return InvalidArgument("artifact '" + std::string(text) +
                           "' is neither a path in the workspace nor REPO@DIGEST or REPO:TAG");
  }
  return std::pair{name, reference};
}

Status WriteLayer(registry::Registry& registry, const registry::Descriptor& layer,
                  const fs::path& into) {
  const fs::path blob = registry.blobs().PathOf(layer.digest);
  auto title = layer.annotations.find("org.opencontainers.image.title");
  if (title == layer.annotations.end()) {
    if (layer.media_type.find("tar") == std::string::npos) return Status::Ok();  // config etc.
    return Untar(blob, into);
  }
  const fs::path file(title->second);
  if (!SafeRelative(file)) {
    return InvalidArgument("layer " + layer.digest.ToString() + " has an unsafe title '" +
                           title->second + "'");
  }
  std::error_code ec;
  fs::create_directories((into / file).parent_path(), ec);
  SLIPWAY_RETURN_IF_ERROR(CopyFile(blob, into / file));
  if (IsTarball(title->second)) return Untar(into / file, (into / file).parent_path());
  return Status::Ok();
}

}  // namespace

Result<FetchedArtifact> FetchArtifact(registry::Registry* registry, std::string_view reference,
                                      const fs::path& workspace, const fs::path& into) {
  std::error_code ec;
  fs::create_directories(into, ec);
  if (ec) return Internal("cannot create " + into.string() + ": " + ec.message());
  const fs::path local(reference);
  if (SafeRelative(local) && !workspace.empty() && fs::exists(workspace / local, ec)) {
    const fs::path source = workspace / local;
    if (fs::is_directory(source, ec)) {
      SLIPWAY_RETURN_IF_ERROR(CopyTree(source, into));
    } else {
      SLIPWAY_RETURN_IF_ERROR(CopyFile(source, into / local.filename()));
      if (IsTarball(local.filename().string())) {
        SLIPWAY_RETURN_IF_ERROR(Untar(into / local.filename(), into));
      }
    }
    return FetchedArtifact{};
  }
  if (registry == nullptr) {
    return NotFound("artifact '" + std::string(reference) +
                    "' is not a path in the workspace (and this deployer has no registry)");
  }
  SLIPWAY_ASSIGN_OR_RETURN(auto name, SplitReference(reference));
  Result<registry::StoredManifest> stored = registry->GetManifest(name.first, name.second);
  if (!stored.ok()) {
    return NotFound("artifact " + std::string(reference) + ": " + stored.status().message());
  }
  SLIPWAY_ASSIGN_OR_RETURN(
      registry::Manifest manifest,
      registry::ParseManifest(stored.value().bytes, stored.value().media_type));
  if (manifest.is_index) {
    return InvalidArgument("artifact " + std::string(reference) +
                           " is an index; deploy one of its manifests by digest");
  }
  for (const registry::Descriptor& blob : manifest.blobs) {
    SLIPWAY_RETURN_IF_ERROR(WriteLayer(*registry, blob, into));
  }
  return FetchedArtifact{.repository = name.first, .digest = stored.value().digest.ToString()};
}

}  // namespace slipway::deploy
