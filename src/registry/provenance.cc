// Provenance: in-toto Statements with SLSA Provenance v1 predicates, their verification, and
// referrers that carry them (and SBOMs) next to the artifact they describe.
#include <nlohmann/json.hpp>

#include "registry/registry.h"
#include "util/sha256.h"

namespace slipway::registry {
namespace {

using nlohmann::json;

constexpr std::string_view kEmptyConfigType = "application/vnd.oci.empty.v1+json";
constexpr std::string_view kEmptyConfig = "{}";
constexpr size_t kMaxEnvelopeBytes = size_t{4} << 20;

Status Denied(const std::string& why) { return PermissionDenied("provenance " + why); }

}  // namespace

std::string ProvenanceStatement(const BuildRecord& record) {
  json inputs = json::object();
  for (const auto& [name, value] : record.inputs) inputs[name] = value;
  json statement = {
      {"_type", "https://in-toto.io/Statement/v1"},
      {"subject", json::array({{{"name", record.subject_name},
                                {"digest", {{"sha256", record.subject_digest.hex}}}}})},
      {"predicateType", kSlsaProvenanceV1},
      {"predicate",
       {{"buildDefinition",
         {{"buildType", kSlipwayBuildType},
          {"externalParameters",
           {{"repository", record.repository},
            {"ref", record.ref},
            {"commit", record.commit},
            {"pipeline",
             {{"path", record.pipeline_path}, {"digest", {{"sha256", record.pipeline_sha256}}}}},
            {"inputs", inputs}}},
          {"internalParameters", {{"project", record.project}, {"job", record.job}}},
          {"resolvedDependencies",
           json::array({{{"uri", "git+" + record.repository + "@" + record.ref},
                         {"digest", {{"gitCommit", record.commit}}}}})}}},
        {"runDetails",
         {{"builder", {{"id", record.builder_id}}},
          {"metadata",
           {{"invocationId", record.invocation_id},
            {"startedOn", record.started_on},
            {"finishedOn", record.finished_on}}}}}}}};
  return statement.dump();
}

Result<ProvenanceSummary> VerifyProvenance(std::string_view envelope_json,
                                           const std::vector<PublicKey>& keys,
                                           const ProvenanceExpectations& expected) {
  SLIPWAY_ASSIGN_OR_RETURN(VerifiedEnvelope envelope, VerifyEnvelope(envelope_json, keys));
  if (envelope.payload_type != kInTotoPayloadType) {
    return Denied("payload type is '" + envelope.payload_type + "', not " +
                  std::string(kInTotoPayloadType));
  }
  json statement = json::parse(envelope.payload, nullptr, false);
  if (!statement.is_object()) return Denied("payload is not JSON");
  if (statement.value("_type", "") != "https://in-toto.io/Statement/v1") {
    return Denied("payload is not an in-toto Statement v1");
  }
  if (statement.value("predicateType", "") != kSlsaProvenanceV1) {
    return Denied("predicate is not SLSA Provenance v1");
  }
  bool subject_found = false;
  if (statement.contains("subject") && statement["subject"].is_array()) {
    for (const json& subject : statement["subject"]) {
      if (subject.is_object() && subject.contains("digest") && subject["digest"].is_object() &&
          subject["digest"].value("sha256", "") == expected.subject.hex) {
        subject_found = true;
      }
    }
  }
  if (!subject_found) {
    return Denied("does not name " + expected.subject.ToString() + " as its subject");
  }
  const json predicate = statement.value("predicate", json::object());
  const json definition = predicate.value("buildDefinition", json::object());
  const json parameters = definition.value("externalParameters", json::object());
  const json run = predicate.value("runDetails", json::object());
  ProvenanceSummary summary;
  summary.key_id = envelope.key_id;
  summary.builder_id = run.value("builder", json::object()).value("id", "");
  summary.invocation_id = run.value("metadata", json::object()).value("invocationId", "");
  summary.source_repository = parameters.value("repository", "");
  summary.ref = parameters.value("ref", "");
  summary.commit = parameters.value("commit", "");
  if (!expected.builder_id.empty() && summary.builder_id != expected.builder_id) {
    return Denied("was made by builder '" + summary.builder_id + "', not '" + expected.builder_id +
                  "'");
  }
  if (!expected.source_repository.empty() &&
      summary.source_repository != expected.source_repository) {
    return Denied("says the source is '" + summary.source_repository + "', not '" +
                  expected.source_repository + "'");
  }
  return summary;
}

Result<Digest> AttachReferrer(Registry& registry, std::string_view repository,
                              const Descriptor& subject, std::string_view artifact_type,
                              std::string_view layer_media_type, std::string_view content) {
  SLIPWAY_RETURN_IF_ERROR(registry.PutBlob(repository, kEmptyConfig).status());
  SLIPWAY_RETURN_IF_ERROR(registry.PutBlob(repository, content).status());
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", media_type::kOciManifest},
                   {"artifactType", artifact_type},
                   {"config",
                    {{"mediaType", kEmptyConfigType},
                     {"digest", "sha256:" + Sha256Hex(kEmptyConfig)},
                     {"size", kEmptyConfig.size()}}},
                   {"layers", json::array({{{"mediaType", layer_media_type},
                                            {"digest", "sha256:" + Sha256Hex(content)},
                                            {"size", content.size()}}})},
                   {"subject",
                    {{"mediaType", subject.media_type},
                     {"digest", subject.digest.ToString()},
                     {"size", subject.size}}}};
  const std::string bytes = manifest.dump();
  const Digest digest{Sha256Hex(bytes)};
  SLIPWAY_RETURN_IF_ERROR(
      registry.PutManifest(repository, digest.ToString(), bytes, media_type::kOciManifest)
          .status());
  return digest;
}

Result<ProvenanceSummary> CheckProvenance(Registry& registry, std::string_view repository,
                                          const std::vector<PublicKey>& keys,
                                          const ProvenanceExpectations& expected) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<Descriptor> referrers,
                           registry.Referrers(repository, expected.subject));
  std::string reasons;
  for (const Descriptor& referrer : referrers) {
    if (referrer.artifact_type != kInTotoArtifactType) continue;
    auto stored = registry.GetManifest(repository, referrer.digest.ToString());
    if (!stored.ok()) continue;
    auto manifest = ParseManifest(stored->bytes, stored->media_type);
    if (!manifest.ok()) continue;
    for (size_t i = 1; i < manifest->blobs.size(); ++i) {  // blobs[0] is the config
      const Descriptor& layer = manifest->blobs[i];
      if (layer.size > kMaxEnvelopeBytes) continue;
      auto envelope = registry.blobs().Read(layer.digest, 0, layer.size);
      if (!envelope.ok()) continue;
      auto summary = VerifyProvenance(*envelope, keys, expected);
      if (summary.ok()) return summary;
      reasons += "; " + referrer.digest.ToString() + ": " + summary.status().message();
    }
  }
  if (reasons.empty()) {
    return PermissionDenied(std::string(repository) + "@" + expected.subject.ToString() +
                            " has no provenance");
  }
  return PermissionDenied("no provenance of " + std::string(repository) + "@" +
                          expected.subject.ToString() + " verifies" + reasons);
}

}  // namespace slipway::registry
