// ParseManifest and ReferrersIndexJson: the parts of the image spec the registry enforces.
#include <nlohmann/json.hpp>

#include "registry/registry.h"

namespace slipway::registry {
namespace {

using nlohmann::json;

bool IsManifestType(std::string_view type) {
  return type == media_type::kOciManifest || type == media_type::kOciIndex ||
         type == media_type::kDockerManifest || type == media_type::kDockerManifestList;
}

bool IsIndexType(std::string_view type) {
  return type == media_type::kOciIndex || type == media_type::kDockerManifestList;
}

// "application/vnd.oci.image.manifest.v1+json; charset=utf-8" -> the type alone.
std::string_view BareType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type;
}

Status Invalid(const std::string& where, const std::string& what) {
  return InvalidArgument("manifest " + where + ": " + what);
}

Result<std::map<std::string, std::string>> ParseAnnotations(const json& object,
                                                            const std::string& where) {
  std::map<std::string, std::string> annotations;
  auto it = object.find("annotations");
  if (it == object.end() || it->is_null()) return annotations;
  if (!it->is_object()) return Invalid(where + ".annotations", "must be an object of strings");
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) return Invalid(where + ".annotations." + key, "must be a string");
    annotations[key] = value.get<std::string>();
  }
  return annotations;
}

Result<Descriptor> ParseDescriptor(const json& value, const std::string& where) {
  if (!value.is_object()) return Invalid(where, "must be a descriptor object");
  Descriptor descriptor;
  auto media = value.find("mediaType");
  if (media == value.end() || !media->is_string() || media->get<std::string>().empty()) {
    return Invalid(where + ".mediaType", "must be a non-empty string");
  }
  descriptor.media_type = media->get<std::string>();
  auto digest = value.find("digest");
  if (digest == value.end() || !digest->is_string()) {
    return Invalid(where + ".digest", "must be a string");
  }
  auto parsed = Digest::Parse(digest->get<std::string>());
  if (!parsed.ok()) return Invalid(where + ".digest", parsed.status().message());
  descriptor.digest = *parsed;
  auto size = value.find("size");
  if (size == value.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    return Invalid(where + ".size", "must be a non-negative integer");
  }
  descriptor.size = size->get<uint64_t>();
  if (auto type = value.find("artifactType"); type != value.end()) {
    if (!type->is_string()) return Invalid(where + ".artifactType", "must be a string");
    descriptor.artifact_type = type->get<std::string>();
  }
  SLIPWAY_ASSIGN_OR_RETURN(descriptor.annotations, ParseAnnotations(value, where));
  return descriptor;
}

Result<std::vector<Descriptor>> ParseDescriptors(const json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_array()) return Invalid(field, "must be an array of descriptors");
  std::vector<Descriptor> descriptors;
  for (size_t i = 0; i < it->size(); ++i) {
    SLIPWAY_ASSIGN_OR_RETURN(
        Descriptor descriptor,
        ParseDescriptor((*it)[i], std::string(field) + "[" + std::to_string(i) + "]"));
    descriptors.push_back(std::move(descriptor));
  }
  return descriptors;
}

// The manifest's type from the request and the document (see ParseManifest).
Result<std::string> ResolveType(const json& doc, std::string_view content_type) {
  std::string declared;
  if (auto it = doc.find("mediaType"); it != doc.end()) {
    if (!it->is_string()) return Invalid("mediaType", "must be a string");
    declared = it->get<std::string>();
  }
  const std::string_view header = BareType(content_type);
  if (!declared.empty() && IsManifestType(header) && declared != header) {
    return Invalid("mediaType", "'" + declared + "' does not match the Content-Type '" +
                                    std::string(header) + "'");
  }
  if (IsManifestType(header)) return std::string(header);
  if (IsManifestType(declared)) return declared;
  if (!declared.empty()) {
    return Invalid("mediaType", "'" + declared + "' is not a manifest type this registry stores");
  }
  if (doc.contains("manifests")) return std::string(media_type::kOciIndex);
  if (doc.contains("config")) return std::string(media_type::kOciManifest);
  return Invalid("mediaType", "is missing and the Content-Type '" + std::string(header) +
                                  "' is not a manifest type");
}

}  // namespace

Result<Manifest> ParseManifest(std::string_view bytes, std::string_view content_type) {
  if (bytes.size() > kMaxManifestBytes) {
    return ResourceExhausted("manifest is " + std::to_string(bytes.size()) +
                             " bytes; the limit is 4 MiB");
  }
  json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded()) return InvalidArgument("manifest is not valid JSON");
  if (!doc.is_object()) return InvalidArgument("manifest must be a JSON object");
  auto version = doc.find("schemaVersion");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != 2) {
    return Invalid("schemaVersion", "must be 2");
  }
  Manifest manifest;
  SLIPWAY_ASSIGN_OR_RETURN(manifest.media_type, ResolveType(doc, content_type));
  manifest.is_index = IsIndexType(manifest.media_type);
  if (manifest.is_index) {
    SLIPWAY_ASSIGN_OR_RETURN(manifest.manifests, ParseDescriptors(doc, "manifests"));
  } else {
    auto config = doc.find("config");
    if (config == doc.end()) return Invalid("config", "is required in an image manifest");
    SLIPWAY_ASSIGN_OR_RETURN(Descriptor config_descriptor, ParseDescriptor(*config, "config"));
    SLIPWAY_ASSIGN_OR_RETURN(manifest.blobs, ParseDescriptors(doc, "layers"));
    manifest.artifact_type = config_descriptor.media_type;
    manifest.blobs.insert(manifest.blobs.begin(), std::move(config_descriptor));
  }
  if (auto type = doc.find("artifactType"); type != doc.end()) {
    if (!type->is_string()) return Invalid("artifactType", "must be a string");
    manifest.artifact_type = type->get<std::string>();
  }
  if (auto subject = doc.find("subject"); subject != doc.end() && !subject->is_null()) {
    SLIPWAY_ASSIGN_OR_RETURN(Descriptor descriptor, ParseDescriptor(*subject, "subject"));
    manifest.subject = std::move(descriptor);
  }
  SLIPWAY_ASSIGN_OR_RETURN(manifest.annotations, ParseAnnotations(doc, "manifest"));
  return manifest;
}

std::string ReferrersIndexJson(const std::vector<Descriptor>& descriptors) {
  json manifests = json::array();
  for (const Descriptor& descriptor : descriptors) {
    json entry = {{"mediaType", descriptor.media_type},
                  {"digest", descriptor.digest.ToString()},
                  {"size", descriptor.size}};
    if (!descriptor.artifact_type.empty()) entry["artifactType"] = descriptor.artifact_type;
    if (!descriptor.annotations.empty()) entry["annotations"] = descriptor.annotations;
    manifests.push_back(std::move(entry));
  }
  return json{{"schemaVersion", 2},
              {"mediaType", media_type::kOciIndex},
              {"manifests", std::move(manifests)}}
      .dump();
}

}  // namespace slipway::registry
