// Registry: names, manifests and what repositories promise — blobs only through repositories
// that were given them, references checked before a manifest is stored, immutable tags with
// channels, referrers, and garbage collection that spares what is reachable or young.
#include "registry/registry.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Digest DigestOf(std::string_view bytes) { return Digest{Sha256Hex(bytes)}; }

json DescriptorOf(std::string_view bytes, const std::string& media_type) {
  return {
      {"mediaType", media_type}, {"digest", DigestOf(bytes).ToString()}, {"size", bytes.size()}};
}

// An OCI image manifest over `config` and `layers`.
std::string ImageManifest(std::string_view config, const std::vector<std::string>& layers,
                          const json& extra = json::object()) {
  json doc = {{"schemaVersion", 2},
              {"mediaType", media_type::kOciManifest},
              {"config", DescriptorOf(config, "application/vnd.oci.image.config.v1+json")},
              {"layers", json::array()}};
  for (const std::string& layer : layers) {
    doc["layers"].push_back(DescriptorOf(layer, "application/vnd.oci.image.layer.v1.tar"));
  }
  doc.update(extra);
  return doc.dump();
}

// Sets the file's mtime `age` in the past.
void Age(const fs::path& path, std::chrono::seconds age) {
  const auto when = std::chrono::system_clock::now() - age;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch());
  timespec times[2] = {{seconds.count(), 0}, {seconds.count(), 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

void AgeTree(const fs::path& root, std::chrono::seconds age) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) Age(entry.path(), age);
  }
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("registry_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    root_ = *dir;
    auto registry = Registry::Open(root_ / "registry");
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(*registry);
  }
  void TearDown() override {
    registry_.reset();
    (void)RemoveTree(root_);
  }

  void PushBlob(std::string_view repository, std::string_view bytes) {
    auto id = registry_->blobs().StartUpload();
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(registry_->blobs().Append(*id, bytes).ok());
    auto committed = registry_->CommitUpload(repository, *id, DigestOf(bytes));
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  }

  // Pushes config and layers, then the manifest under `reference`; returns the manifest.
  std::string PushImage(std::string_view repository, std::string_view reference,
                        const std::string& config, const std::vector<std::string>& layers) {
    PushBlob(repository, config);
    for (const std::string& layer : layers) PushBlob(repository, layer);
    const std::string manifest = ImageManifest(config, layers);
    auto put = registry_->PutManifest(repository, reference, manifest, "");
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return manifest;
  }

  fs::path root_;
  std::unique_ptr<Registry> registry_;
};

TEST(RegistryNamesTest, FollowTheSpecGrammar) {
  for (const char* good : {"a", "hello", "team/app", "a.b/c_d/e__f/g-h", "x--y", "0/1/2"}) {
    EXPECT_TRUE(IsRepositoryName(good)) << good;
  }
  for (const char* bad : {"", "Hello", "a/", "/a", "a//b", "a..b", "a___b", "-a", "a-", "_a",
                          "a/_blobs", "a b", "a:b"}) {
    EXPECT_FALSE(IsRepositoryName(bad)) << bad;
  }
  EXPECT_FALSE(IsRepositoryName(std::string(256, 'a')));
  for (const char* good : {"v1", "latest", "_x", "V1.2.3-rc.1", "abc_DEF"}) {
    EXPECT_TRUE(IsTag(good)) << good;
  }
  for (const char* bad : {"", ".hidden", "-x", "a/b", "a:b", "sha256:abc"}) {
    EXPECT_FALSE(IsTag(bad)) << bad;
  }
  EXPECT_TRUE(IsTag(std::string(128, 'a')));
  EXPECT_FALSE(IsTag(std::string(129, 'a')));
}

TEST(ParseManifestTest, NamesTheFieldAtFault) {
  auto check = [](const std::string& text, std::string_view content_type, const char* expected) {
    auto parsed = ParseManifest(text, content_type);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(expected), std::string::npos)
        << parsed.status().message();
  };
  check("{", "", "not valid JSON");
  check("[]", "", "must be a JSON object");
  check(R"({"schemaVersion":1})", "", "schemaVersion: must be 2");
  check(
      R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:12","size":1},"layers":[]})",
      "", "config.digest");
  check(R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:)" + std::string(64, 'a') +
            R"(","size":-1},"layers":[]})",
        "", "config.size");
  check(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":{}})",
      "", "manifests: must be an array");
  check(ImageManifest("c", {}), media_type::kOciIndex, "does not match the Content-Type");
  check(R"({"schemaVersion":2})", "text/plain", "mediaType: is missing");
  auto big = ParseManifest(std::string(kMaxManifestBytes + 1, ' '), "");
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

TEST(ParseManifestTest, ReadsReferencesSubjectAndArtifactType) {
  const std::string subject = ImageManifest("base", {});
  auto parsed = ParseManifest(
      ImageManifest("cfg", {"l1", "l2"},
                    {{"artifactType", "application/vnd.example+json"},
                     {"subject", DescriptorOf(subject, std::string(media_type::kOciManifest))},
                     {"annotations", {{"org.example", "yes"}}}}),
      "application/vnd.oci.image.manifest.v1+json; charset=utf-8");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->is_index);
  ASSERT_EQ(parsed->blobs.size(), 3u);
  EXPECT_EQ(parsed->blobs[0].digest, DigestOf("cfg"));
  EXPECT_EQ(parsed->blobs[2].digest, DigestOf("l2"));
  EXPECT_EQ(parsed->artifact_type, "application/vnd.example+json");
  ASSERT_TRUE(parsed->subject.has_value());
  EXPECT_EQ(parsed->subject->digest, DigestOf(subject));
  EXPECT_EQ(parsed->annotations.at("org.example"), "yes");

  // Without artifactType an image manifest reports its config's media type.
  auto plain = ParseManifest(ImageManifest("cfg", {}), "");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->artifact_type, "application/vnd.oci.image.config.v1+json");
  // A Docker manifest list is an index.
  auto list = ParseManifest(
      json{{"schemaVersion", 2}, {"manifests", json::array({DescriptorOf(subject, "x")})}}.dump(),
      media_type::kDockerManifestList);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->is_index);
  EXPECT_EQ(list->manifests.size(), 1u);
}

TEST_F(RegistryTest, BlobsAreServedOnlyThroughRepositoriesThatHoldThem) {
  PushBlob("team/a", "shared bytes");
  EXPECT_TRUE(registry_->StatBlob("team/a", DigestOf("shared bytes")).ok());
  EXPECT_EQ(registry_->StatBlob("team/b", DigestOf("shared bytes")).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(registry_->LinkBlob("team/b", DigestOf("shared bytes")).ok());  // a mount
  EXPECT_TRUE(registry_->StatBlob("team/b", DigestOf("shared bytes")).ok());
  // One copy on disk whichever repositories hold it.
  PushBlob("team/c", "shared bytes");
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root_ / "registry" / "blobs")) {
    files += entry.is_regular_file();
  }
  EXPECT_EQ(files, 1u);
  ASSERT_TRUE(registry_->UnlinkBlob("team/a", DigestOf("shared bytes")).ok());
  EXPECT_EQ(registry_->StatBlob("team/a", DigestOf("shared bytes")).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(registry_->StatBlob("team/b", DigestOf("shared bytes")).ok());
  EXPECT_EQ(registry_->LinkBlob("team/d", DigestOf("never pushed")).code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, AManifestNeedsItsBlobsAndItsDigestIsChecked) {
  PushBlob("app", "config");
  const std::string manifest = ImageManifest("config", {"layer"});
  auto missing = registry_->PutManifest("app", "v1", manifest, "");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(DigestOf("layer").ToString()), std::string::npos);
  EXPECT_EQ(registry_->GetManifest("app", "v1").status().code(), StatusCode::kNotFound);

  PushBlob("app", "layer");
  auto wrong = registry_->PutManifest("app", DigestOf("other").ToString(), manifest, "");
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  auto by_digest = registry_->PutManifest("app", DigestOf(manifest).ToString(), manifest, "");
  ASSERT_TRUE(by_digest.ok()) << by_digest.status().ToString();
  EXPECT_EQ(by_digest->digest, DigestOf(manifest));
  auto tags = registry_->ListTags("app");
  ASSERT_TRUE(tags.ok());
  EXPECT_TRUE(tags->empty());
  auto stored = registry_->GetManifest("app", DigestOf(manifest).ToString());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->bytes, manifest);
  EXPECT_EQ(stored->media_type, media_type::kOciManifest);
  EXPECT_EQ(*registry_->ListRepositories(), std::vector<std::string>{"app"});
}

TEST_F(RegistryTest, TagsCannotMoveExceptChannelsAndMutableRepositories) {
  const std::string first = PushImage("app", "v1", "config-1", {"layer-1"});
  const std::string second = ImageManifest("config-1", {});
  // The same manifest again under the same tag is fine.
  ASSERT_TRUE(registry_->PutManifest("app", "v1", first, "").ok());
  auto moved = registry_->PutManifest("app", "v1", second, "");
  EXPECT_EQ(moved.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(moved.status().message().find("immutable"), std::string::npos);
  EXPECT_EQ(registry_->GetManifest("app", "v1")->bytes, first);
  // Nothing of the refused manifest was stored.
  EXPECT_EQ(registry_->GetManifest("app", DigestOf(second).ToString()).status().code(),
            StatusCode::kNotFound);

  ASSERT_TRUE(
      registry_
          ->SetSettings("app", {.is_public = false, .mutable_tags = false, .channels = {"stable"}})
          .ok());
  ASSERT_TRUE(registry_->PutManifest("app", "stable", first, "").ok());
  auto channel = registry_->PutManifest("app", "stable", second, "");
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  ASSERT_TRUE(channel->moved_from.has_value());
  EXPECT_EQ(*channel->moved_from, DigestOf(first));
  EXPECT_EQ(registry_->GetManifest("app", "stable")->bytes, second);
  EXPECT_EQ(registry_->PutManifest("app", "v1", second, "").status().code(),
            StatusCode::kFailedPrecondition);

  ASSERT_TRUE(
      registry_->SetSettings("app", {.is_public = false, .mutable_tags = true, .channels = {}})
          .ok());
  EXPECT_TRUE(registry_->PutManifest("app", "v1", second, "").ok());
  EXPECT_EQ(*registry_->ListTags("app"), (std::vector<std::string>{"stable", "v1"}));
  EXPECT_EQ(
      registry_
          ->SetSettings("app", {.is_public = false, .mutable_tags = false, .channels = {"bad/tag"}})
          .code(),
      StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, AnIndexNeedsItsManifestsAndReferrersAreListedBySubject) {
  const std::string image = PushImage("app", "v1", "config", {"layer"});
  const std::string index =
      json{{"schemaVersion", 2},
           {"mediaType", media_type::kOciIndex},
           {"manifests", json::array({DescriptorOf(image, std::string(media_type::kOciManifest)),
                                      DescriptorOf("absent", "application/x")})}}
          .dump();
  EXPECT_EQ(registry_->PutManifest("app", "all", index, "").status().code(), StatusCode::kNotFound);

  PushBlob("app", "{}");
  const std::string signature =
      ImageManifest("{}", {},
                    {{"artifactType", "application/vnd.example.sig"},
                     {"subject", DescriptorOf(image, std::string(media_type::kOciManifest))}});
  auto put = registry_->PutManifest("app", DigestOf(signature).ToString(), signature, "");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  auto referrers = registry_->Referrers("app", DigestOf(image));
  ASSERT_TRUE(referrers.ok());
  ASSERT_EQ(referrers->size(), 1u);
  EXPECT_EQ((*referrers)[0].digest, DigestOf(signature));
  EXPECT_EQ((*referrers)[0].artifact_type, "application/vnd.example.sig");
  EXPECT_EQ((*referrers)[0].size, signature.size());

  ASSERT_TRUE(registry_->DeleteManifest("app", DigestOf(signature)).ok());
  EXPECT_TRUE(registry_->Referrers("app", DigestOf(image))->empty());
  ASSERT_TRUE(registry_->DeleteManifest("app", DigestOf(image)).ok());
  EXPECT_TRUE(registry_->ListTags("app")->empty());  // its tag went with it
}

TEST_F(RegistryTest, GarbageCollectionKeepsWhatIsReachableOrYoung) {
  const std::string kept = PushImage("app", "v1", "config", {"kept-layer"});
  const std::string dropped = PushImage("app", "v2", "config", {"dropped-layer"});
  PushBlob("{}", "{}");
  PushBlob("app", "{}");
  const std::string sbom = ImageManifest(
      "{}", {}, {{"subject", DescriptorOf(kept, std::string(media_type::kOciManifest))}});
  ASSERT_TRUE(registry_->PutManifest("app", DigestOf(sbom).ToString(), sbom, "").ok());
  ASSERT_TRUE(registry_->DeleteTag("app", "v2").ok());
  PushBlob("app", "stray upload");

  // Everything is young: nothing goes.
  auto young = registry_->CollectGarbage({.grace = std::chrono::seconds(3600)});
  ASSERT_TRUE(young.ok()) << young.status().ToString();
  EXPECT_EQ(young->manifests_deleted, 0);
  EXPECT_EQ(young->blobs_deleted, 0);

  AgeTree(root_ / "registry", std::chrono::seconds(7200));
  auto dry = registry_->CollectGarbage({.grace = std::chrono::seconds(3600), .dry_run = true});
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->manifests_deleted, 1);
  EXPECT_TRUE(registry_->GetManifest("app", DigestOf(dropped).ToString()).ok());

  auto swept = registry_->CollectGarbage({.grace = std::chrono::seconds(3600)});
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->manifests_deleted, 1);
  // The untagged manifest, its layer and the stray blob.
  EXPECT_EQ(swept->blobs_deleted, 3);
  EXPECT_EQ(registry_->GetManifest("app", DigestOf(dropped).ToString()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(registry_->StatBlob("app", DigestOf("dropped-layer")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(registry_->StatBlob("app", DigestOf("stray upload")).status().code(),
            StatusCode::kNotFound);
  // The tagged image and its referrer stay whole.
  EXPECT_EQ(registry_->GetManifest("app", "v1")->bytes, kept);
  EXPECT_TRUE(registry_->StatBlob("app", DigestOf("config")).ok());
  EXPECT_TRUE(registry_->StatBlob("app", DigestOf("kept-layer")).ok());
  EXPECT_EQ(registry_->Referrers("app", DigestOf(kept))->size(), 1u);
  EXPECT_TRUE(registry_->GetManifest("app", DigestOf(sbom).ToString()).ok());
}

// Pushes run while collections run back to back with no grace at all for old content: every
// image pushed comes out whole, because a blob a push finds already stored is marked used.
TEST_F(RegistryTest, PushesDuringGarbageCollectionStayWhole) {
  // Old, unreferenced content the pushes below will reuse.
  PushBlob("app", "shared-config");
  AgeTree(root_ / "registry", std::chrono::seconds(7200));

  std::atomic<bool> stop{false};
  std::thread collector([&] {
    while (!stop) {
      auto report = registry_->CollectGarbage({.grace = std::chrono::seconds(60)});
      EXPECT_TRUE(report.ok()) << report.status().ToString();
    }
  });
  for (int i = 0; i < 40; ++i) {
    const std::string layer = "layer-" + std::to_string(i);
    // What a client does: reuse a blob the registry says it has, upload the others.
    if (!registry_->StatBlob("app", DigestOf("shared-config")).ok()) {
      PushBlob("app", "shared-config");
    }
    PushBlob("app", layer);
    const std::string manifest = ImageManifest("shared-config", {layer});
    auto put = registry_->PutManifest("app", "t" + std::to_string(i), manifest, "");
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }
  stop = true;
  collector.join();
  auto final_pass = registry_->CollectGarbage({.grace = std::chrono::seconds(0)});
  ASSERT_TRUE(final_pass.ok());
  for (int i = 0; i < 40; ++i) {
    auto stored = registry_->GetManifest("app", "t" + std::to_string(i));
    ASSERT_TRUE(stored.ok()) << i;
    auto manifest = ParseManifest(stored->bytes, stored->media_type);
    ASSERT_TRUE(manifest.ok());
    for (const Descriptor& blob : manifest->blobs) {
      auto info = registry_->StatBlob("app", blob.digest);
      ASSERT_TRUE(info.ok()) << "image t" << i << " lost " << blob.digest.ToString();
      EXPECT_EQ(info->size, blob.size);
    }
  }
}

}  // namespace
}  // namespace slipway::registry
