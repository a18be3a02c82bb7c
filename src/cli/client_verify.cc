// `slipway verify REPOSITORY@DIGEST`: checks an artifact's provenance here, from what the
// registry serves: a DSSE envelope among the digest's referrers whose Ed25519 signature
// verifies with a trusted key, whose SLSA statement names the digest, and whose builder and
// source are the expected ones.
#include <cstdio>

#include "cli/client.h"
#include "registry/registry.h"
#include "util/fs.h"

namespace slipway::cli {
namespace {

struct Reference {
  std::string server;  // "" = the configured server
  std::string repository;
  registry::Digest digest;
};

// "hello/app@sha256:…" or "HOST:PORT/hello/app@sha256:…" (a first component with ':' or '.',
// or "localhost", names the registry's host; it is reached over http).
Result<Reference> ParseReference(const std::string& text) {
  const size_t at = text.find('@');
  if (at == std::string::npos) {
    return InvalidArgument("'" + text + "' is not REPOSITORY@sha256:DIGEST");
  }
  Reference reference;
  SLIPWAY_ASSIGN_OR_RETURN(reference.digest, registry::Digest::Parse(text.substr(at + 1)));
  std::string name = text.substr(0, at);
  const size_t slash = name.find('/');
  if (slash != std::string::npos) {
    const std::string first = name.substr(0, slash);
    if (first.find_first_of(":.") != std::string::npos || first == "localhost") {
      reference.server = "http://" + first;
      name = name.substr(slash + 1);
    }
  }
  if (!registry::IsRepositoryName(name)) {
    return InvalidArgument("'" + name + "' is not a valid repository name");
  }
  reference.repository = name;
  return reference;
}

// The keys to trust: the PEM file given, else the server's published keys.
Result<std::vector<registry::PublicKey>> TrustedKeys(Api& api, const std::string& key_file) {
  if (!key_file.empty()) {
    SLIPWAY_ASSIGN_OR_RETURN(std::string pem, ReadFile(key_file, 64 * 1024));
    auto key = registry::ParsePublicKey(pem);
    if (!key.ok()) return InvalidArgument(key_file + ": " + key.status().message());
    return std::vector<registry::PublicKey>{*key};
  }
  SLIPWAY_ASSIGN_OR_RETURN(Json answer, api.Get("/api/v1/signing-keys"));
  std::vector<registry::PublicKey> keys;
  for (const Json& key : answer.value("keys", Json::array())) {
    auto parsed = registry::ParsePublicKey(Field(key, "public_key"));
    if (parsed.ok()) keys.push_back(*parsed);
  }
  return keys;
}

// The first provenance among the digest's referrers that verifies, else kPermissionDenied
// with every reason.
Result<registry::ProvenanceSummary> Verify(Api& api, const Reference& reference,
                                           const std::vector<registry::PublicKey>& keys,
                                           const registry::ProvenanceExpectations& expected) {
  const std::string base = "/v2/" + reference.repository;
  SLIPWAY_ASSIGN_OR_RETURN(http::ClientResponse index,
                           api.Text(base + "/referrers/" + reference.digest.ToString() +
                                    "?artifactType=application%2Fvnd.in-toto%2Bjson"));
  const Json referrers = Json::parse(index.body, nullptr, false);
  std::string reasons;
  for (const Json& referrer : referrers.value("manifests", Json::array())) {
    if (Field(referrer, "artifactType") != registry::kInTotoArtifactType) continue;
    const std::string digest = Field(referrer, "digest");
    SLIPWAY_ASSIGN_OR_RETURN(http::ClientResponse manifest_text,
                             api.Text(base + "/manifests/" + digest));
    auto content_type = manifest_text.headers.Get("Content-Type");
    auto manifest = registry::ParseManifest(manifest_text.body, content_type ? *content_type : "");
    if (!manifest.ok()) continue;
    for (size_t i = 1; i < manifest->blobs.size(); ++i) {  // blobs[0] is the config
      SLIPWAY_ASSIGN_OR_RETURN(http::ClientResponse envelope,
                               api.Text(base + "/blobs/" + manifest->blobs[i].digest.ToString()));
      auto summary = registry::VerifyProvenance(envelope.body, keys, expected);
      if (summary.ok()) return summary;
      reasons += "\n  " + digest + ": " + summary.status().message();
    }
  }
  if (reasons.empty()) {
    return PermissionDenied(reference.repository + "@" + reference.digest.ToString() +
                            " has no provenance");
  }
  return PermissionDenied("no provenance verifies:" + reasons);
}

}  // namespace

int VerifyCommand(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string key_file, source, builder;
  FlagSet set("slipway verify", "[flags] REPOSITORY@sha256:DIGEST",
              "Checks an artifact's provenance: a signed SLSA statement among the digest's\n"
              "referrers whose Ed25519 signature verifies (with --key, else with the server's\n"
              "published keys), which names the digest, and whose builder and source match the\n"
              "flags. Exits 0 when one does, 1 saying why none does. REPOSITORY may start with\n"
              "the registry's HOST:PORT/.");
  AddClientFlags(set, &flags);
  set.String("key", 0, &key_file, "PUB", "trust only this PEM public key");
  set.String("source-repo", 0, &source, "URL", "the source repository the build must come from");
  set.String("builder", 0, &builder, "ID", "the builder id (the server's URL) it must name");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto reference = ParseReference(positionals[0]);
  if (!reference.ok()) return UsageError(reference.status());
  if (!reference->server.empty() && flags.server.empty()) flags.server = reference->server;
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto keys = TrustedKeys(**api, key_file);
  if (!keys.ok()) return Fail(keys.status());
  auto summary =
      Verify(**api, *reference, *keys,
             {.subject = reference->digest, .source_repository = source, .builder_id = builder});
  if (!summary.ok()) {
    if (summary.status().code() != StatusCode::kPermissionDenied) return Fail(summary.status());
    std::fprintf(stderr, "slipway: verification failed: %s\n", summary.status().message().c_str());
    return kExitFailure;
  }
  if (flags.json) {
    PrintJson({{"verified", true},
               {"digest", reference->digest.ToString()},
               {"keyid", summary->key_id},
               {"builder", summary->builder_id},
               {"source_repository", summary->source_repository},
               {"ref", summary->ref},
               {"commit", summary->commit},
               {"invocation", summary->invocation_id}});
    return 0;
  }
  std::printf("verified %s@%s\n  built by %s (%s)\n  from %s %s at %s\n  signed by key %s\n",
              reference->repository.c_str(), reference->digest.ToString().c_str(),
              summary->builder_id.c_str(), summary->invocation_id.c_str(),
              summary->source_repository.c_str(), summary->ref.c_str(), summary->commit.c_str(),
              summary->key_id.c_str());
  return 0;
}

}  // namespace slipway::cli
