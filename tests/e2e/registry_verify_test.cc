// `slipway verify` and `slipway keys` against a running server: provenance signed with the
// server's key (attached here with the registry library, as the publisher does) verifies from
// what the registry serves; wrong sources, builders, keys and forged signatures fail with the
// reason; after a key rotation old provenance still verifies.
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/server_harness.h"
#include "registry/registry.h"
#include "util/sha256.h"

namespace slipway::e2e {
namespace {

using registry::Digest;

class RegistryVerifyTest : public ServerE2eTest {
 protected:
  void SetUp() override {
    ServerE2eTest::SetUp();
    StartServer({"--local-agents", "0"});
  }

  // Stores an artifact (empty config, one layer) in `repository` as tag v1 through the
  // registry's files, as the server would; returns its descriptor.
  registry::Descriptor PushArtifact(registry::Registry& registry, const std::string& repository) {
    for (std::string_view blob : {std::string_view("{}"), std::string_view("payload")}) {
      auto id = registry.blobs().StartUpload();
      EXPECT_TRUE(id.ok());
      EXPECT_TRUE(registry.blobs().Append(*id, blob).ok());
      EXPECT_TRUE(registry.CommitUpload(repository, *id, Digest{Sha256Hex(blob)}).ok());
    }
    const std::string manifest =
        Json{{"schemaVersion", 2},
             {"mediaType", registry::media_type::kOciManifest},
             {"artifactType", "application/vnd.example.app"},
             {"config",
              {{"mediaType", "application/vnd.oci.empty.v1+json"},
               {"digest", "sha256:" + Sha256Hex("{}")},
               {"size", 2}}},
             {"layers", Json::array({{{"mediaType", "application/octet-stream"},
                                      {"digest", "sha256:" + Sha256Hex("payload")},
                                      {"size", 7}}})}}
            .dump();
    auto put = registry.PutManifest(repository, "v1", manifest, "");
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return {.media_type = std::string(registry::media_type::kOciManifest),
            .digest = put.ok() ? put->digest : Digest{},
            .size = manifest.size(),
            .artifact_type = "",
            .annotations = {}};
  }

  void AttachProvenance(registry::Registry& registry, registry::KeyRing& keys,
                        const std::string& repository, const registry::Descriptor& subject) {
    registry::BuildRecord record;
    record.subject_name = repository;
    record.subject_digest = subject.digest;
    record.builder_id = url();
    record.invocation_id = url() + "/api/v1/projects/hello/runs/1";
    record.repository = "https://git.example/hello.git";
    record.ref = "refs/heads/main";
    record.commit = std::string(40, 'a');
    record.started_on = record.finished_on = "2026-11-27T10:00:00Z";
    auto envelope =
        keys.SignEnvelope(registry::kInTotoPayloadType, registry::ProvenanceStatement(record));
    ASSERT_TRUE(envelope.ok());
    auto attached =
        registry::AttachReferrer(registry, repository, subject, registry::kInTotoArtifactType,
                                 "application/vnd.dsse.envelope.v1+json", *envelope);
    ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  }

  Outcome Verify(const std::vector<std::string>& extra, const std::string& reference) {
    std::vector<std::string> args = {"verify", "--server", url(), "--token", AdminToken()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(reference);
    return Slipway(args);
  }
};

TEST_F(RegistryVerifyTest, SignedProvenanceVerifiesAndEveryMismatchSaysWhy) {
  auto registry = registry::Registry::Open(data_dir() / "registry");
  ASSERT_TRUE(registry.ok());
  auto keys = registry::KeyRing::Open(data_dir() / "keys");  // the server's key files
  ASSERT_TRUE(keys.ok());
  const registry::Descriptor artifact = PushArtifact(**registry, "hello/app");
  const std::string reference = "hello/app@" + artifact.digest.ToString();

  Outcome none = Verify({}, reference);
  EXPECT_EQ(none.exit_code, 1) << none.all();
  EXPECT_NE(none.err.find("has no provenance"), std::string::npos) << none.all();

  AttachProvenance(**registry, **keys, "hello/app", artifact);
  Outcome good =
      Verify({"--source-repo", "https://git.example/hello.git", "--builder", url()}, reference);
  EXPECT_EQ(good.exit_code, 0) << good.all();
  EXPECT_NE(good.out.find("verified hello/app@" + artifact.digest.ToString()), std::string::npos)
      << good.out;
  EXPECT_NE(good.out.find(std::string(40, 'a')), std::string::npos) << good.out;

  Outcome wrong_source = Verify({"--source-repo", "https://evil.example/x.git"}, reference);
  EXPECT_EQ(wrong_source.exit_code, 1) << wrong_source.all();
  EXPECT_NE(wrong_source.err.find("says the source is 'https://git.example/hello.git'"),
            std::string::npos)
      << wrong_source.err;
  Outcome wrong_builder = Verify({"--builder", "https://other.example"}, reference);
  EXPECT_EQ(wrong_builder.exit_code, 1);
  EXPECT_NE(wrong_builder.err.find("was made by builder"), std::string::npos) << wrong_builder.err;

  // Another artifact whose provenance is signed by a key the server never published.
  auto stranger = registry::KeyRing::Open(root_ / "stranger-keys");
  ASSERT_TRUE(stranger.ok());
  const registry::Descriptor forged = PushArtifact(**registry, "hello/forged");
  AttachProvenance(**registry, **stranger, "hello/forged", forged);
  Outcome refused = Verify({}, "hello/forged@" + forged.digest.ToString());
  EXPECT_EQ(refused.exit_code, 1) << refused.all();
  EXPECT_NE(refused.err.find("no signature of the envelope verifies"), std::string::npos)
      << refused.err;

  // --key: the server's published key (keys list --pem) verifies; the stranger's does not.
  Outcome pem = Slipway({"keys", "list", "--pem", "--server", url(), "--token", AdminToken()});
  ASSERT_EQ(pem.exit_code, 0) << pem.all();
  std::ofstream(root_ / "server.pub") << pem.out;
  std::ofstream(root_ / "stranger.pub") << (*stranger)->PublicKeys()[0].pem;
  EXPECT_EQ(Verify({"--key", (root_ / "server.pub").string()}, reference).exit_code, 0);
  EXPECT_EQ(Verify({"--key", (root_ / "stranger.pub").string()}, reference).exit_code, 1);

  // A rotation keeps the old key published: old provenance still verifies.
  Outcome rotated = Slipway({"keys", "rotate", "--server", url(), "--token", AdminToken()});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.all();
  EXPECT_NE(rotated.out.find("is active"), std::string::npos) << rotated.out;
  ApiAnswer published = Call("GET", "/api/v1/signing-keys", "", "");  // public: no token
  ASSERT_EQ(published.status, 200) << published;
  ASSERT_EQ(published.json["keys"].size(), 2u);
  EXPECT_EQ(Verify({}, reference).exit_code, 0);
}

TEST_F(RegistryVerifyTest, BadReferencesAreUsageErrors) {
  for (const std::string& bad : {std::string("hello/app"), std::string("hello/app@sha256:12"),
                                 "Hello/app@sha256:" + std::string(64, 'a')}) {
    Outcome outcome = Verify({}, bad);
    EXPECT_EQ(outcome.exit_code, 2) << bad << ": " << outcome.all();
  }
}

}  // namespace
}  // namespace slipway::e2e
