// Publishing from pipelines: a job's `artifacts.publish` entries land in the server's registry
// with signed provenance (verified by `slipway verify` against the project's repository and the
// server as builder) and an SBOM; real OCI clients read what was published; a publish that
// cannot be done fails the job with the reason.
#include <regex>
#include <set>

#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class RegistryPublishTest : public ServerE2eTest {
 protected:
  // The references ("repo:tag@digest") the job's log says were published.
  std::vector<std::string> Published(int number, const std::string& instance) {
    std::vector<std::string> references;
    static const std::regex kPublished(R"(slipway: published (\S+) with signed provenance)");
    const std::string log = JobLog(number, instance);
    for (std::sregex_iterator it(log.begin(), log.end(), kPublished), end; it != end; ++it) {
      references.push_back((*it)[1]);
    }
    return references;
  }

  Json Referrers(const std::string& repository, const std::string& digest) {
    ApiAnswer answer = Call("GET", "/v2/" + repository + "/referrers/" + digest);
    EXPECT_EQ(answer.status, 200) << answer;
    return answer.json;
  }
};

TEST_F(RegistryPublishTest, AJobPublishesFilesWithVerifiableProvenanceAndAnSbom) {
  CommitPipeline(R"yaml(name: demo
on: {manual: {}}
jobs:
  build:
    artifacts:
      publish:
        - path: dist
          repository: demo/app
          artifact-type: application/vnd.example.app.v1
        - path: dist/hello.txt
          repository: demo/text
          sbom: sbom.spdx.json
    steps:
      - run: |
          mkdir -p dist/bin
          echo hello > dist/hello.txt
          echo '#!/bin/sh' > dist/bin/app
          echo '{"spdxVersion": "SPDX-2.3", "name": "hello"}' > sbom.spdx.json
)yaml");
  StartServer();
  AddProject();
  const int number = StartRun();
  Json run = WaitForRun(number);
  ASSERT_EQ(run.value("status", ""), "success") << run.dump(2);
  const std::vector<std::string> published = Published(number, "build");
  ASSERT_EQ(published.size(), 2u) << JobLog(number, "build");
  const std::string commit = run.value("commit", "");
  const std::string tag = commit.substr(0, 12) + "-run" + std::to_string(number);
  EXPECT_EQ(published[0].substr(0, published[0].find('@')), "demo/app:" + tag);
  const std::string app_digest = published[0].substr(published[0].find('@') + 1);
  const std::string text_digest = published[1].substr(published[1].find('@') + 1);

  // The artifact: one layer per file, titled with its path.
  ApiAnswer manifest = Call("GET", "/v2/demo/app/manifests/" + tag);
  ASSERT_EQ(manifest.status, 200) << manifest;
  EXPECT_EQ(manifest.json.value("artifactType", ""), "application/vnd.example.app.v1");
  std::vector<std::string> titles;
  for (const Json& layer : manifest.json["layers"]) {
    titles.push_back(layer["annotations"].value("org.opencontainers.image.title", ""));
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"dist/bin/app", "dist/hello.txt"}));
  ApiAnswer layer =
      Call("GET", "/v2/demo/app/blobs/" + manifest.json["layers"][1].value("digest", ""));
  EXPECT_EQ(layer.body, "hello\n");

  // Referrers: provenance and a generated CycloneDX SBOM; the given SPDX SBOM for the other.
  std::multiset<std::string> types;
  const Json app_referrers = Referrers("demo/app", app_digest);
  for (const Json& referrer : app_referrers["manifests"]) {
    types.insert(referrer.value("artifactType", ""));
  }
  EXPECT_EQ(types, (std::multiset<std::string>{"application/vnd.cyclonedx+json",
                                               "application/vnd.in-toto+json"}));
  types.clear();
  const Json text_referrers = Referrers("demo/text", text_digest);
  for (const Json& referrer : text_referrers["manifests"]) {
    types.insert(referrer.value("artifactType", ""));
  }
  EXPECT_EQ(types,
            (std::multiset<std::string>{"application/spdx+json", "application/vnd.in-toto+json"}));

  // Provenance verifies with the server as builder and the project's repository as source.
  const std::string source = repo_.string();
  Outcome verified =
      Slipway({"verify", "--json", "--server", url(), "--token", AdminToken(), "--source-repo",
               source, "--builder", url(), "demo/app@" + app_digest});
  ASSERT_EQ(verified.exit_code, 0) << verified.all();
  EXPECT_EQ(verified.json.value("commit", ""), commit);
  EXPECT_EQ(verified.json.value("ref", ""), "refs/heads/main");
  EXPECT_NE(verified.json.value("invocation", "").find("/runs/" + std::to_string(number)),
            std::string::npos);
  Outcome other_source =
      Slipway({"verify", "--server", url(), "--token", AdminToken(), "--source-repo",
               "https://elsewhere.example/x.git", "demo/app@" + app_digest});
  EXPECT_EQ(other_source.exit_code, 1) << other_source.all();
}

TEST_F(RegistryPublishTest, AnOciLayoutTheBuildMadeIsPublishedAsItsImage) {
  CommitPipeline(R"yaml(name: demo
on: {manual: {}}
jobs:
  image:
    artifacts:
      publish:
        - oci-layout: build/image
    steps:
      - run: |
          umoci init --layout build/image
          umoci new --image build/image:latest
          mkdir -p rootfs/etc && echo 'built' > rootfs/etc/release
          umoci insert --image build/image:latest rootfs/etc /etc
)yaml");
  StartServer();
  AddProject();
  const int number = StartRun();
  Json run = WaitForRun(number);
  ASSERT_EQ(run.value("status", ""), "success") << run.dump(2) << JobLog(number, "image");
  const std::vector<std::string> published = Published(number, "image");
  ASSERT_EQ(published.size(), 1u) << JobLog(number, "image");
  // The default repository is <project>/<job>; the digest is the layout's own manifest.
  const std::string digest = published[0].substr(published[0].find('@') + 1);
  EXPECT_EQ(published[0].substr(0, published[0].find(':')), "demo/image");
  ApiAnswer manifest = Call("GET", "/v2/demo/image/manifests/" + digest);
  ASSERT_EQ(manifest.status, 200) << manifest;
  EXPECT_EQ(manifest.json["layers"].size(), 1u);
  for (const Json& blob : {manifest.json["config"], manifest.json["layers"][0]}) {
    EXPECT_EQ(Call("HEAD", "/v2/demo/image/blobs/" + blob.value("digest", "")).status, 200);
  }
  Outcome verified = Slipway({"verify", "--server", url(), "--token", AdminToken(), "--source-repo",
                              repo_.string(), "demo/image@" + digest});
  EXPECT_EQ(verified.exit_code, 0) << verified.all();
}

TEST_F(RegistryPublishTest, APublishThatCannotBeDoneFailsTheJobWithTheReason) {
  CommitPipeline(R"yaml(name: demo
on: {manual: {}}
jobs:
  build:
    artifacts:
      publish:
        - path: dist/missing
          repository: demo/app
    steps:
      - run: echo nothing made
)yaml");
  StartServer();
  AddProject();
  const int number = StartRun();
  Json run = WaitForRun(number);
  EXPECT_EQ(run.value("status", ""), "failure") << run.dump(2);
  EXPECT_NE(run.dump().find("publish dist/missing"), std::string::npos) << run.dump(2);
  EXPECT_NE(JobLog(number, "build").find("slipway: publish dist/missing"), std::string::npos)
      << JobLog(number, "build");
}

}  // namespace
}  // namespace slipway::e2e
