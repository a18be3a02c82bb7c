// Signing and provenance: DSSE envelopes whose Ed25519 signatures an independent implementation
// (the openssl command line) accepts over the PAE bytes, key rotation that keeps old signatures
// verifiable, and provenance checks that say which expectation failed.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "registry/registry.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/subprocess.h"

namespace slipway::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void WriteBytes(const fs::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Runs `argv`; returns its exit code (-1 when it did not exit) and its output in `output`.
int RunCommand(const std::vector<std::string>& argv, std::string* output) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.timeout = std::chrono::seconds(30);
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view chunk) { output->append(chunk); }, nullptr);
  return outcome.kind == ProcessOutcome::Kind::kExited ? outcome.exit_code : -1;
}

BuildRecord Record(const Digest& subject) {
  BuildRecord record;
  record.subject_name = "hello/app";
  record.subject_digest = subject;
  record.builder_id = "https://ci.example";
  record.invocation_id = "https://ci.example/projects/hello/runs/7";
  record.repository = "https://git.example/hello.git";
  record.ref = "refs/heads/main";
  record.commit = std::string(40, 'c');
  record.pipeline_path = ".slipway.yml";
  record.pipeline_sha256 = Sha256Hex("pipeline");
  record.inputs = {{"level", "high"}};
  record.project = "hello";
  record.job = "build";
  record.started_on = "2026-11-27T10:00:00Z";
  record.finished_on = "2026-11-27T10:01:00Z";
  return record;
}

class ProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("provenance_test.");
    ASSERT_TRUE(dir.ok());
    root_ = *dir;
    auto keys = KeyRing::Open(root_ / "keys");
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::move(*keys);
  }
  void TearDown() override { (void)RemoveTree(root_); }

  fs::path root_;
  std::unique_ptr<KeyRing> keys_;
};

TEST(PreAuthEncodingTest, IsTheDsseV1Form) {
  EXPECT_EQ(PreAuthEncoding("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(PreAuthEncoding("", ""), "DSSEv1 0  0 ");
}

TEST_F(ProvenanceTest, OpensslVerifiesTheSignatureOverThePaeBytes) {
  const std::string payload = ProvenanceStatement(Record(Digest{Sha256Hex("artifact")}));
  auto envelope_text = keys_->SignEnvelope(kInTotoPayloadType, payload);
  ASSERT_TRUE(envelope_text.ok()) << envelope_text.status().ToString();
  json envelope = json::parse(*envelope_text);
  EXPECT_EQ(envelope["payloadType"], kInTotoPayloadType);
  EXPECT_EQ(*Base64Decode(envelope["payload"].get<std::string>()), payload);
  ASSERT_EQ(envelope["signatures"].size(), 1u);
  EXPECT_EQ(envelope["signatures"][0]["keyid"], keys_->PublicKeys()[0].key_id);

  WriteBytes(root_ / "key.pub", keys_->PublicKeys()[0].pem);
  WriteBytes(root_ / "pae", PreAuthEncoding(kInTotoPayloadType, payload));
  WriteBytes(root_ / "sig", *Base64Decode(envelope["signatures"][0]["sig"].get<std::string>()));
  std::string output;
  const std::vector<std::string> verify = {"openssl",
                                           "pkeyutl",
                                           "-verify",
                                           "-pubin",
                                           "-inkey",
                                           (root_ / "key.pub").string(),
                                           "-rawin",
                                           "-in",
                                           (root_ / "pae").string(),
                                           "-sigfile",
                                           (root_ / "sig").string()};
  EXPECT_EQ(RunCommand(verify, &output), 0) << output;
  EXPECT_NE(output.find("Signature Verified Successfully"), std::string::npos) << output;

  // One changed byte of the payload: openssl refuses, and so do we.
  WriteBytes(root_ / "pae", PreAuthEncoding(kInTotoPayloadType, payload + " "));
  output.clear();
  EXPECT_NE(RunCommand(verify, &output), 0) << output;
  envelope["payload"] = Base64Encode(payload + " ");
  auto tampered = VerifyEnvelope(envelope.dump(), keys_->PublicKeys());
  EXPECT_EQ(tampered.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(ProvenanceTest, RotationKeepsOldSignaturesVerifiableAndSignsWithTheNewKey) {
  const std::string payload = ProvenanceStatement(Record(Digest{Sha256Hex("a")}));
  auto before = keys_->SignEnvelope(kInTotoPayloadType, payload);
  ASSERT_TRUE(before.ok());
  const std::string old_id = keys_->PublicKeys()[0].key_id;
  auto rotated = keys_->Rotate();
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(rotated->key_id, old_id);
  auto after = keys_->SignEnvelope(kInTotoPayloadType, payload);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(json::parse(*after)["signatures"][0]["keyid"], rotated->key_id);

  // Reopened from disk: both keys, the new one active, both envelopes verify.
  auto reopened = KeyRing::Open(root_ / "keys");
  ASSERT_TRUE(reopened.ok());
  auto keys = (*reopened)->PublicKeys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].key_id, rotated->key_id);
  EXPECT_TRUE(keys[0].active);
  EXPECT_FALSE(keys[1].active);
  EXPECT_EQ(VerifyEnvelope(*before, keys)->key_id, old_id);
  EXPECT_EQ(VerifyEnvelope(*after, keys)->key_id, rotated->key_id);
  // Only the new key trusted: the old envelope no longer verifies.
  EXPECT_EQ(VerifyEnvelope(*before, {keys[0]}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(fs::status(root_ / "keys" / (old_id + ".pem")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(ProvenanceTest, VerificationSaysWhichExpectationFails) {
  const Digest subject{Sha256Hex("artifact")};
  auto envelope = keys_->SignEnvelope(kInTotoPayloadType, ProvenanceStatement(Record(subject)));
  ASSERT_TRUE(envelope.ok());
  const auto keys = keys_->PublicKeys();
  auto good = VerifyProvenance(*envelope, keys,
                               {.subject = subject,
                                .source_repository = "https://git.example/hello.git",
                                .builder_id = "https://ci.example"});
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->commit, std::string(40, 'c'));
  EXPECT_EQ(good->invocation_id, "https://ci.example/projects/hello/runs/7");

  auto expect_denied = [&](const ProvenanceExpectations& expected, const char* words) {
    auto result = VerifyProvenance(*envelope, keys, expected);
    ASSERT_EQ(result.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(result.status().message().find(words), std::string::npos)
        << result.status().message();
  };
  expect_denied({.subject = Digest{Sha256Hex("other")}, .source_repository = "", .builder_id = ""},
                "as its subject");
  expect_denied(
      {.subject = subject, .source_repository = "https://evil.example/x.git", .builder_id = ""},
      "says the source is");
  expect_denied({.subject = subject, .source_repository = "", .builder_id = "https://other"},
                "was made by builder");
  auto unsigned_payload = keys_->SignEnvelope("text/plain", "hello");
  auto wrong_type = VerifyProvenance(
      *unsigned_payload, keys, {.subject = subject, .source_repository = "", .builder_id = ""});
  EXPECT_NE(wrong_type.status().message().find("payload type"), std::string::npos);
  EXPECT_EQ(VerifyEnvelope("{}", keys).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePublicKey("not a key").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ProvenanceTest, ProvenanceAttachedAsAReferrerIsFoundAndChecked) {
  auto registry = Registry::Open(root_ / "registry");
  ASSERT_TRUE(registry.ok());
  // An artifact: config and manifest.
  const std::string config = "{}";
  auto id = (*registry)->blobs().StartUpload();
  ASSERT_TRUE((*registry)->blobs().Append(*id, config).ok());
  ASSERT_TRUE((*registry)->CommitUpload("hello/app", *id, Digest{Sha256Hex(config)}).ok());
  const std::string manifest = json{
      {"schemaVersion", 2},
      {"mediaType", media_type::kOciManifest},
      {"config",
       {{"mediaType", "application/vnd.oci.empty.v1+json"},
        {"digest", "sha256:" + Sha256Hex(config)},
        {"size", 2}}},
      {"layers", json::array()}}.dump();
  auto put = (*registry)->PutManifest("hello/app", "v1", manifest, "");
  ASSERT_TRUE(put.ok());
  const Descriptor subject{.media_type = std::string(media_type::kOciManifest),
                           .digest = put->digest,
                           .size = manifest.size(),
                           .artifact_type = "",
                           .annotations = {}};
  const ProvenanceExpectations expected{.subject = put->digest,
                                        .source_repository = "https://git.example/hello.git",
                                        .builder_id = ""};
  auto none = CheckProvenance(**registry, "hello/app", keys_->PublicKeys(), expected);
  EXPECT_NE(none.status().message().find("has no provenance"), std::string::npos);

  auto envelope = keys_->SignEnvelope(kInTotoPayloadType, ProvenanceStatement(Record(put->digest)));
  ASSERT_TRUE(envelope.ok());
  auto attached = AttachReferrer(**registry, "hello/app", subject, kInTotoArtifactType,
                                 "application/vnd.dsse.envelope.v1+json", *envelope);
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  auto checked = CheckProvenance(**registry, "hello/app", keys_->PublicKeys(), expected);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(checked->source_repository, "https://git.example/hello.git");

  // Signed by a key nobody trusts: refused, naming the referrer.
  auto stranger = KeyRing::Open(root_ / "stranger");
  ASSERT_TRUE(stranger.ok());
  auto refused = CheckProvenance(**registry, "hello/app", (*stranger)->PublicKeys(), expected);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find(attached->ToString()), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace slipway::registry
