// The OCI distribution registry under /v2/ (spec v1.1), over real HTTP: the test list of the OCI
// conformance suite (github.com/opencontainers/distribution-spec, conformance/) — pull, push,
// content discovery, content management, referrers — then slipway's own rules (who may pull and
// push, immutable tags and channels, repository settings, the audit trail) and bad input.
//
// Like the conformance suite, the four conformance groups read the environment:
//   OCI_ROOT_URL              the registry to test ("http://host:5000"). Unset: the in-process
//                             slipway server of the fixture, with Basic auth "x:<admin token>".
//   OCI_NAMESPACE             the repository pushed to (default "conformance/a")
//   OCI_CROSSMOUNT_NAMESPACE  the target of cross-repository mounts (default "conformance/b")
//   OCI_USERNAME, OCI_PASSWORD  Basic credentials for OCI_ROOT_URL (only Basic is sent: there
//                             is no bearer-token dance with another registry's token server)
//   OCI_TEST_PULL, OCI_TEST_PUSH, OCI_TEST_CONTENT_DISCOVERY, OCI_TEST_CONTENT_MANAGEMENT
//                             "0" skips that group. Only with OCI_ROOT_URL: without it, every
//                             group runs.
// So `OCI_ROOT_URL=http://localhost:5000 api_test --gtest_filter='Registry*'` holds another
// registry (distribution, zot) to the same expectations, which tells a bug of ours from a reading
// of the spec. The slipway-specific tests (RegistryAuthTest, RegistryImmutableTagsTest,
// RegistrySettingsTest, RegistryBadInputTest) then skip: they need this server's tokens, settings,
// audit trail or a raw socket to it. Content is salted per test (blobs, tags), so runs against a
// long-lived registry do not collide with earlier ones. (Debian's docker-registry, distribution
// 2.8, predates spec v1.1: against it the referrers tests and a few strictness checks fail.)
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "api_fixture.h"
#include "http_raw.h"
#include "registry/registry.h"
#include "util/base64.h"
#include "util/sha256.h"

namespace slipway::api::testing {
namespace {

namespace media = registry::media_type;

constexpr char kConfigType[] = "application/vnd.oci.image.config.v1+json";
constexpr char kLayerType[] = "application/vnd.oci.image.layer.v1.tar";
constexpr char kEmptyType[] = "application/vnd.oci.empty.v1+json";
constexpr char kDockerConfigType[] = "application/vnd.docker.container.image.v1+json";
constexpr char kDockerLayerType[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";
constexpr char kSbomType[] = "application/vnd.example.sbom.v1+json";
constexpr char kSignatureType[] = "application/vnd.example.signature.v1+json";

// --- the environment of the conformance suite ---

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

struct Conformance {
  std::string root_url;  // "" for the in-process server
  std::string name = "conformance/a";
  std::string crossmount_name = "conformance/b";
  std::string username, password;

  bool external() const { return !root_url.empty(); }
  // Whether the group switched by `variable` runs.
  bool Runs(const char* variable) const { return !external() || EnvOr(variable, "1") != "0"; }

  static Conformance FromEnvironment() {
    Conformance env;
    env.root_url = EnvOr("OCI_ROOT_URL", "");
    while (env.root_url.ends_with('/')) env.root_url.pop_back();
    env.name = EnvOr("OCI_NAMESPACE", env.name);
    env.crossmount_name = EnvOr("OCI_CROSSMOUNT_NAMESPACE", env.crossmount_name);
    env.username = EnvOr("OCI_USERNAME", "");
    env.password = EnvOr("OCI_PASSWORD", "");
    return env;
  }
};

// --- small helpers ---

std::string DigestOf(std::string_view bytes) { return "sha256:" + Sha256Hex(bytes); }

std::string Basic(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}
std::string Bearer(const std::string& token) { return "Bearer " + token; }

// A Location or Link target as a path: registries may answer with absolute URLs.
std::string PathOf(std::string location) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (location.starts_with(scheme)) {
      const size_t slash = location.find('/', scheme.size());
      return slash == std::string::npos ? "/" : location.substr(slash);
    }
  }
  return location;
}

std::string WithQuery(const std::string& location, const std::string& query) {
  const std::string path = PathOf(location);
  return path + (path.find('?') == std::string::npos ? "?" : "&") + query;
}

// The code of an OCI error body, {"errors":[{"code":…,"message":…}]}.
std::string OciCode(const Reply& reply) {
  const json& errors = reply.doc.is_object() ? reply.doc.value("errors", json()) : json();
  return errors.is_array() && !errors.empty() ? errors[0].value("code", "") : "";
}
std::string OciMessage(const Reply& reply) {
  const json& errors = reply.doc.is_object() ? reply.doc.value("errors", json()) : json();
  return errors.is_array() && !errors.empty() ? errors[0].value("message", "") : "";
}

std::vector<std::string> Strings(const json& value) {
  return value.is_array() ? value.get<std::vector<std::string>>() : std::vector<std::string>();
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The target of the Link header's rel="next" as a path; "" when there is none.
std::string NextPage(const Reply& reply) {
  const std::string link = reply.Header("Link");
  const size_t open = link.find('<');
  const size_t close = link.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open ||
      link.find("rel=\"next\"") == std::string::npos) {
    return "";
  }
  return PathOf(link.substr(open + 1, close - open - 1));
}

// `text` for a query value ('+' would arrive as a space).
std::string QueryEscape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '+') {
      escaped += "%2B";
    } else if (c == '&' || c == '=' || c == '#' || c == '%' || c == ' ') {
      static const char kHex[] = "0123456789ABCDEF";
      escaped += '%';
      escaped += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
      escaped += kHex[static_cast<unsigned char>(c) & 0xF];
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// The last byte an upload's Range header ("0-<last>") reports; -1 when there is none.
int64_t RangeEnd(const Reply& reply) {
  const std::string range = reply.Header("Range");
  const size_t dash = range.find('-');
  if (dash == std::string::npos) return -1;
  return std::atoll(range.substr(dash + 1).c_str());
}

json DescriptorOf(std::string_view media_type, const std::string& bytes) {
  return {{"mediaType", media_type}, {"digest", DigestOf(bytes)}, {"size", bytes.size()}};
}

// A manifest and the blobs it names.
struct Image {
  std::string config;
  std::string layer;
  std::string manifest;  // the JSON as pushed
  std::string digest;    // the manifest's
  json Descriptor(std::string_view media_type = media::kOciManifest) const {
    return DescriptorOf(media_type, manifest);
  }
};

// --- fixtures ---

// The fixture's server with a registry (or OCI_ROOT_URL), and the requests of an OCI client.
class RegistryTest : public ApiTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ApiTest::SetUp());
    ASSERT_NE(registry_, nullptr);
    salt_ = Sha256Hex(NewTokenSecret()).substr(0, 10);  // fit for names and tags
    name_ = env_.name;
    mount_name_ = env_.crossmount_name;
    if (env_.external()) {
      base_url_ = env_.root_url;
      if (!env_.username.empty() || !env_.password.empty()) {
        authorization_ = Basic(env_.username, env_.password);
      }
    } else {
      base_url_ = server_->base_url();
      authorization_ = Basic("x", admin_);
    }
  }

  // The server's registry, opened on the server's first use: before ApiTest::SetUp starts it.
  ApiContext Context() override {
    ApiContext context = ApiTest::Context();
    if (registry_ == nullptr) {
      auto opened = registry::Registry::Open(dir_ / "registry");
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      if (opened.ok()) registry_ = std::move(*opened);
    }
    context.registry = registry_.get();
    return context;
  }

  // A request with `authorization` ("" for none) to the registry under test.
  Reply As(const std::string& authorization, const std::string& method, const std::string& path,
           const std::string& body = "", http::Headers headers = {}) {
    http::ClientOptions options;
    options.base_url = base_url_;
    auto client = http::HttpClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    Reply reply;
    if (!client.ok()) return reply;
    if (!authorization.empty() && !headers.Has("Authorization")) {
      headers.Set("Authorization", authorization);
    }
    auto response = (*client)->Send(method, path, body, headers);
    EXPECT_TRUE(response.ok()) << method << " " << path << ": " << response.status().ToString();
    if (!response.ok()) return reply;
    reply.status = response->status;
    reply.headers = response->headers;
    reply.body = response->body;
    reply.doc = json::parse(reply.body, nullptr, false);
    if (reply.doc.is_discarded()) reply.doc = nullptr;
    return reply;
  }
  // A request with the conformance credentials.
  Reply Oci(const std::string& method, const std::string& path, const std::string& body = "",
            http::Headers headers = {}) {
    return As(authorization_, method, path, body, std::move(headers));
  }

  // A value unique to this test run: tags and blob contents never meet an earlier run's.
  std::string Salted(const std::string& text) const { return text + "-" + salt_; }

  // Starts an upload in `repository`; returns its Location as a path.
  std::string StartUpload(const std::string& repository, const std::string& authorization) {
    Reply reply = As(authorization, "POST", "/v2/" + repository + "/blobs/uploads/");
    EXPECT_EQ(reply.status, 202) << reply.body;
    EXPECT_FALSE(reply.Header("Location").empty());
    return PathOf(reply.Header("Location"));
  }
  std::string StartUpload(const std::string& repository) {
    return StartUpload(repository, authorization_);
  }

  // Pushes `bytes` to `repository` the way most clients do (POST, then PUT ?digest= with the
  // bytes); returns the blob's digest.
  std::string PushBlob(const std::string& repository, const std::string& bytes,
                       const std::string& authorization) {
    const std::string location = StartUpload(repository, authorization);
    const std::string digest = DigestOf(bytes);
    Reply reply = As(authorization, "PUT", WithQuery(location, "digest=" + digest), bytes,
                     {{"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return digest;
  }
  std::string PushBlob(const std::string& repository, const std::string& bytes) {
    return PushBlob(repository, bytes, authorization_);
  }

  Reply PutManifestAs(const std::string& authorization, const std::string& repository,
                      const std::string& reference, const std::string& body,
                      std::string_view content_type = media::kOciManifest) {
    return As(authorization, "PUT", "/v2/" + repository + "/manifests/" + reference, body,
              {{"Content-Type", std::string(content_type)}});
  }
  Reply PutManifest(const std::string& repository, const std::string& reference,
                    const std::string& body, std::string_view content_type = media::kOciManifest) {
    return PutManifestAs(authorization_, repository, reference, body, content_type);
  }
  Reply GetManifest(const std::string& repository, const std::string& reference,
                    const std::string& method = "GET") {
    return Oci(method, "/v2/" + repository + "/manifests/" + reference, "",
               {{"Accept", std::string(media::kOciManifest) + ", " + std::string(media::kOciIndex) +
                               ", " + std::string(media::kDockerManifest)}});
  }

  // An image manifest over a config and a layer made from `seed` (salted), both pushed to
  // `repository` with `authorization` ("": the conformance credentials); the manifest itself is
  // not pushed. `extra` is merged into the manifest.
  Image MakeImage(const std::string& repository, const std::string& seed,
                  const json& extra = json::object(), const std::string& authorization = "") {
    const std::string& auth = authorization.empty() ? authorization_ : authorization;
    Image image;
    image.config = json{{"architecture", "amd64"}, {"os", "linux"}, {"seed", Salted(seed)}}.dump();
    image.layer = "the layer of " + Salted(seed);
    PushBlob(repository, image.config, auth);
    PushBlob(repository, image.layer, auth);
    json manifest = {{"schemaVersion", 2},
                     {"mediaType", media::kOciManifest},
                     {"config", DescriptorOf(kConfigType, image.config)},
                     {"layers", json::array({DescriptorOf(kLayerType, image.layer)})}};
    manifest.update(extra);
    image.manifest = manifest.dump();
    image.digest = DigestOf(image.manifest);
    return image;
  }
  // MakeImage, then its manifest pushed under `reference` (a tag; "" for its digest).
  Image PushImage(const std::string& repository, const std::string& reference,
                  const std::string& seed) {
    Image image = MakeImage(repository, seed);
    Reply put =
        PutManifest(repository, reference.empty() ? image.digest : reference, image.manifest);
    EXPECT_EQ(put.status, 201) << put.body;
    return image;
  }
  // An artifact whose subject is `subject`: an empty config, one blob made from `seed`, and
  // `artifact_type` (none when ""); its blobs are pushed, the manifest is not.
  Image MakeReferrer(const std::string& repository, const Image& subject,
                     const std::string& artifact_type, const std::string& seed) {
    Image image;
    image.config = "{}";
    image.layer = "an attachment: " + Salted(seed);
    PushBlob(repository, image.config);
    PushBlob(repository, image.layer);
    json manifest = {{"schemaVersion", 2},
                     {"mediaType", media::kOciManifest},
                     {"config", DescriptorOf(kEmptyType, image.config)},
                     {"layers", json::array({DescriptorOf("text/plain", image.layer)})},
                     {"subject", subject.Descriptor()},
                     {"annotations", {{"org.example.seed", Salted(seed)}}}};
    if (!artifact_type.empty()) manifest["artifactType"] = artifact_type;
    image.manifest = manifest.dump();
    image.digest = DigestOf(image.manifest);
    return image;
  }

  Reply Referrers(const std::string& repository, const std::string& digest,
                  const std::string& query = "") {
    return Oci("GET", "/v2/" + repository + "/referrers/" + digest + query);
  }

  // PATCH `bytes` to an upload as a client streaming a body of unknown length does: HTTP
  // chunked transfer encoding, 64 KiB at a time, no Content-Range.
  Reply PatchStreamed(const std::string& location, const std::string& bytes) {
    http::ClientOptions options;
    options.base_url = base_url_;
    auto client = http::HttpClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    Reply reply;
    if (!client.ok()) return reply;
    size_t sent = 0;
    auto source = [&](char* data, size_t size) -> Result<size_t> {
      const size_t n = std::min({size, bytes.size() - sent, size_t{64} << 10});
      std::copy_n(bytes.data() + sent, n, data);
      sent += n;
      return n;
    };
    http::Headers headers{{"Content-Type", "application/octet-stream"}};
    if (!authorization_.empty()) headers.Set("Authorization", authorization_);
    auto response = (*client)->Upload("PATCH", PathOf(location), source, std::nullopt, headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return reply;
    reply.status = response->status;
    reply.headers = response->headers;
    reply.body = response->body;
    return reply;
  }

  // PUT /api/v1/registry/settings of `repository` with the admin token.
  void SetSettings(const std::string& repository, const json& settings) {
    Reply reply =
        Admin("PUT", "/api/v1/registry/settings?repository=" + repository, settings.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
  }

  const Conformance env_ = Conformance::FromEnvironment();
  std::unique_ptr<registry::Registry> registry_;  // outlives the server (destroyed after it)
  std::string base_url_;
  std::string authorization_;  // of the conformance requests
  std::string name_;           // OCI_NAMESPACE
  std::string mount_name_;     // OCI_CROSSMOUNT_NAMESPACE
  std::string salt_;
};

// One group of the conformance suite: skipped when its OCI_TEST_* variable is "0".
class RegistryGroupTest : public RegistryTest {
 protected:
  explicit RegistryGroupTest(const char* variable) : variable_(variable) {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(RegistryTest::SetUp());
    if (!env_.Runs(variable_)) GTEST_SKIP() << variable_ << "=0";
  }

 private:
  const char* variable_;
};

class RegistryPullTest : public RegistryGroupTest {
 protected:
  RegistryPullTest() : RegistryGroupTest("OCI_TEST_PULL") {}
};
class RegistryPushTest : public RegistryGroupTest {
 protected:
  RegistryPushTest() : RegistryGroupTest("OCI_TEST_PUSH") {}
};
class RegistryContentDiscoveryTest : public RegistryGroupTest {
 protected:
  RegistryContentDiscoveryTest() : RegistryGroupTest("OCI_TEST_CONTENT_DISCOVERY") {}
};
class RegistryContentManagementTest : public RegistryGroupTest {
 protected:
  RegistryContentManagementTest() : RegistryGroupTest("OCI_TEST_CONTENT_MANAGEMENT") {}
};

// Slipway's own rules: only against the in-process server.
class RegistrySlipwayTest : public RegistryTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(RegistryTest::SetUp());
    if (env_.external()) {
      GTEST_SKIP() << "slipway-specific: needs the in-process server's tokens, settings, audit "
                      "trail or socket, and OCI_ROOT_URL is set";
    }
  }
};
using RegistryAuthTest = RegistrySlipwayTest;
using RegistryImmutableTagsTest = RegistrySlipwayTest;
using RegistrySettingsTest = RegistrySlipwayTest;
using RegistryBadInputTest = RegistrySlipwayTest;

// =============================================================================================
// Pull

TEST_F(RegistryPullTest, ManifestByTagAndByDigestWithGetAndHead) {
  const std::string tag = Salted("pull");
  const Image image = PushImage(name_, tag, "pull");
  for (const std::string& reference : {tag, image.digest}) {
    SCOPED_TRACE(reference);
    Reply get = GetManifest(name_, reference);
    EXPECT_EQ(get.status, 200) << get.body;
    EXPECT_EQ(get.body, image.manifest);
    EXPECT_EQ(get.Header("Content-Type"), media::kOciManifest);
    EXPECT_EQ(get.Header("Docker-Content-Digest"), image.digest);

    Reply head = GetManifest(name_, reference, "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(head.Header("Content-Length"), std::to_string(image.manifest.size()));
    EXPECT_EQ(head.Header("Docker-Content-Digest"), image.digest);
  }
}

TEST_F(RegistryPullTest, BlobGetAndHead) {
  const std::string bytes = Salted("blob to pull");
  const std::string digest = PushBlob(name_, bytes);
  Reply get = Oci("GET", "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, bytes);
  EXPECT_EQ(get.Header("Docker-Content-Digest"), digest);

  Reply head = Oci("HEAD", "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(bytes.size()));
  EXPECT_EQ(head.Header("Docker-Content-Digest"), digest);
}

TEST_F(RegistryPullTest, BlobRangeIs206WithContentRange) {
  const std::string bytes = "0123456789abcdef" + Salted("");
  const std::string digest = PushBlob(name_, bytes);
  Reply part = Oci("GET", "/v2/" + name_ + "/blobs/" + digest, "", {{"Range", "bytes=2-5"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "2345");
  EXPECT_EQ(part.Header("Content-Range"), "bytes 2-5/" + std::to_string(bytes.size()));

  Reply tail = Oci("GET", "/v2/" + name_ + "/blobs/" + digest, "", {{"Range", "bytes=10-"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, bytes.substr(10));
  EXPECT_EQ(tail.Header("Content-Range"),
            "bytes 10-" + std::to_string(bytes.size() - 1) + "/" + std::to_string(bytes.size()));

  Reply suffix = Oci("GET", "/v2/" + name_ + "/blobs/" + digest, "", {{"Range", "bytes=-4"}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.body, bytes.substr(bytes.size() - 4));
}

TEST_F(RegistryPullTest, RangePastTheBlobIs416) {
  const std::string bytes = Salted("short");
  const std::string digest = PushBlob(name_, bytes);
  Reply reply = Oci("GET", "/v2/" + name_ + "/blobs/" + digest, "", {{"Range", "bytes=1000-2000"}});
  EXPECT_EQ(reply.status, 416);
  EXPECT_EQ(reply.Header("Content-Range"), "bytes */" + std::to_string(bytes.size()));
}

TEST_F(RegistryPullTest, UnknownManifestIs404ManifestUnknown) {
  PushImage(name_, Salted("known"), "known");  // the repository exists
  for (const std::string& reference :
       {Salted("no-such-tag"), DigestOf(Salted("no such manifest"))}) {
    Reply get = GetManifest(name_, reference);
    EXPECT_EQ(get.status, 404) << reference;
    EXPECT_EQ(OciCode(get), "MANIFEST_UNKNOWN") << get.body;
    EXPECT_EQ(GetManifest(name_, reference, "HEAD").status, 404) << reference;
  }
}

TEST_F(RegistryPullTest, UnknownBlobIs404BlobUnknown) {
  const std::string path = "/v2/" + name_ + "/blobs/" + DigestOf(Salted("no such blob"));
  Reply get = Oci("GET", path);
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(OciCode(get), "BLOB_UNKNOWN") << get.body;
  EXPECT_EQ(Oci("HEAD", path).status, 404);
}

TEST_F(RegistryPullTest, MalformedDigestIs400DigestInvalid) {
  const std::vector<std::string> digests = {"sha256:not-hex", "sha256:" + std::string(63, 'a'),
                                            "md5:" + std::string(32, 'a')};
  for (const std::string& digest : digests) {
    Reply reply = Oci("GET", "/v2/" + name_ + "/blobs/" + digest);
    EXPECT_EQ(reply.status, 400) << digest;
    EXPECT_EQ(OciCode(reply), "DIGEST_INVALID") << digest << ": " << reply.body;
  }
}

TEST_F(RegistryPullTest, InvalidRepositoryNameIs400NameInvalid) {
  const std::vector<std::string> paths = {"/v2/Bad/manifests/x", "/v2/a--/tags/list",
                                          "/v2/a/-b/blobs/" + DigestOf("x")};
  for (const std::string& path : paths) {
    Reply reply = Oci("GET", path);
    EXPECT_EQ(reply.status, 400) << path;
    EXPECT_EQ(OciCode(reply), "NAME_INVALID") << path << ": " << reply.body;
  }
  // A dot segment never reaches the registry: the HTTP layer refuses it with its own error.
  EXPECT_EQ(Oci("GET", "/v2/a/%2e%2e/b/manifests/x").status, 400);
}

// =============================================================================================
// Push

TEST_F(RegistryPushTest, PostThenPutStoresTheBlob) {
  const std::string bytes = Salted("monolithic after POST");
  const std::string digest = DigestOf(bytes);
  const std::string location = StartUpload(name_);
  Reply put = Oci("PUT", WithQuery(location, "digest=" + digest), bytes,
                  {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(PathOf(put.Header("Location")), "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(put.Header("Docker-Content-Digest"), digest);

  Reply head = Oci("HEAD", "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(bytes.size()));
}

TEST_F(RegistryPushTest, PostWithDigestStoresTheBlobInOneRequest) {
  const std::string bytes = Salted("monolithic in one POST");
  const std::string digest = DigestOf(bytes);
  Reply post = Oci("POST", "/v2/" + name_ + "/blobs/uploads/?digest=" + digest, bytes,
                   {{"Content-Type", "application/octet-stream"}});
  if (env_.external() && post.status == 202) {
    // The spec lets a registry ignore the body and open an ordinary upload instead.
    post = Oci("PUT", WithQuery(post.Header("Location"), "digest=" + digest), bytes,
               {{"Content-Type", "application/octet-stream"}});
  }
  EXPECT_EQ(post.status, 201) << post.body;
  EXPECT_EQ(PathOf(post.Header("Location")), "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(Oci("GET", "/v2/" + name_ + "/blobs/" + digest).body, bytes);
}

TEST_F(RegistryPushTest, ChunksInOrderMakeOneBlob) {
  const std::string bytes = "0123456789" + Salted("") + "the final chunk";
  const std::string location = StartUpload(name_);
  Reply first = Oci("PATCH", location, bytes.substr(0, 5),
                    {{"Content-Type", "application/octet-stream"}, {"Content-Range", "0-4"}});
  EXPECT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.Header("Range"), "0-4");
  ASSERT_FALSE(first.Header("Location").empty());

  const size_t final_chunk = bytes.size() - 15;
  Reply second = Oci("PATCH", PathOf(first.Header("Location")), bytes.substr(5, final_chunk - 5),
                     {{"Content-Type", "application/octet-stream"},
                      {"Content-Range", "5-" + std::to_string(final_chunk - 1)}});
  EXPECT_EQ(second.status, 202) << second.body;
  EXPECT_EQ(second.Header("Range"), "0-" + std::to_string(final_chunk - 1));

  // The PUT that closes the upload carries the last chunk.
  const std::string digest = DigestOf(bytes);
  Reply put = Oci(
      "PUT", WithQuery(second.Header("Location"), "digest=" + digest), bytes.substr(final_chunk),
      {{"Content-Type", "application/octet-stream"},
       {"Content-Range", std::to_string(final_chunk) + "-" + std::to_string(bytes.size() - 1)}});
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.Header("Docker-Content-Digest"), digest);
  EXPECT_EQ(Oci("GET", "/v2/" + name_ + "/blobs/" + digest).body, bytes);
}

TEST_F(RegistryPushTest, FirstChunkThatDoesNotStartAtZeroIs416) {
  const std::string location = StartUpload(name_);
  Reply chunk = Oci("PATCH", location, "56789",
                    {{"Content-Type", "application/octet-stream"}, {"Content-Range", "5-9"}});
  EXPECT_EQ(chunk.status, 416) << chunk.body;
}

TEST_F(RegistryPushTest, OutOfOrderChunkIs416WithTheProgressSoFar) {
  const std::string location = StartUpload(name_);
  Reply first = Oci("PATCH", location, "01234",
                    {{"Content-Type", "application/octet-stream"}, {"Content-Range", "0-4"}});
  ASSERT_EQ(first.status, 202) << first.body;

  Reply skipped = Oci("PATCH", PathOf(first.Header("Location")), "abcde",
                      {{"Content-Type", "application/octet-stream"}, {"Content-Range", "10-14"}});
  EXPECT_EQ(skipped.status, 416) << skipped.body;
  EXPECT_EQ(skipped.Header("Range"), "0-4");

  // The upload goes on from where it was.
  Reply status = Oci("GET", PathOf(first.Header("Location")));
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(status.Header("Range"), "0-4");
}

TEST_F(RegistryPushTest, UploadStatusIs204WithRangeAndLocation) {
  const std::string location = StartUpload(name_);
  Reply chunk = Oci("PATCH", location, "0123456",
                    {{"Content-Type", "application/octet-stream"}, {"Content-Range", "0-6"}});
  ASSERT_EQ(chunk.status, 202) << chunk.body;
  Reply status = Oci("GET", PathOf(chunk.Header("Location")));
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(status.Header("Range"), "0-6");
  EXPECT_FALSE(status.Header("Location").empty());
  EXPECT_TRUE(status.body.empty());
}

TEST_F(RegistryPushTest, StreamedPatchWithoutContentRange) {
  const std::string bytes = Salted("streamed in one PATCH");
  const std::string location = StartUpload(name_);
  Reply patch = Oci("PATCH", location, bytes, {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(patch.status, 202) << patch.body;
  EXPECT_EQ(patch.Header("Range"), "0-" + std::to_string(bytes.size() - 1));

  const std::string digest = DigestOf(bytes);
  Reply put = Oci("PUT", WithQuery(patch.Header("Location"), "digest=" + digest));
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(Oci("GET", "/v2/" + name_ + "/blobs/" + digest).body, bytes);
}

TEST_F(RegistryPushTest, LargeBlobStreamedWithChunkedEncoding) {
  std::string bytes;
  while (bytes.size() < (size_t{3} << 20) + 12345) bytes += Salted(std::to_string(bytes.size()));
  const std::string location = StartUpload(name_);
  Reply patch = PatchStreamed(location, bytes);
  EXPECT_EQ(patch.status, 202) << patch.body;
  EXPECT_EQ(patch.Header("Range"), "0-" + std::to_string(bytes.size() - 1));

  const std::string digest = DigestOf(bytes);
  Reply put = Oci("PUT", WithQuery(patch.Header("Location"), "digest=" + digest));
  EXPECT_EQ(put.status, 201) << put.body;
  Reply get = Oci("GET", "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(get.status, 200);
  EXPECT_TRUE(get.body == bytes) << "the blob read back differs (" << get.body.size() << " of "
                                 << bytes.size() << " bytes)";
}

TEST_F(RegistryPushTest, EmptyBlob) {
  const std::string digest = PushBlob(name_, "");
  EXPECT_EQ(digest, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Reply head = Oci("HEAD", "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Length"), "0");
  Reply get = Oci("GET", "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(get.status, 200);
  EXPECT_TRUE(get.body.empty());
}

TEST_F(RegistryPushTest, FinishedUploadIsGone) {
  const std::string bytes = Salted("finished");
  const std::string location = StartUpload(name_);
  ASSERT_EQ(Oci("PUT", WithQuery(location, "digest=" + DigestOf(bytes)), bytes).status, 201);
  Reply status = Oci("GET", location);
  EXPECT_EQ(status.status, 404);
  EXPECT_EQ(OciCode(status), "BLOB_UPLOAD_UNKNOWN") << status.body;
}

TEST_F(RegistryPushTest, DigestMismatchIs400AndStoresNothing) {
  const std::string bytes = Salted("what was sent");
  const std::string claimed = DigestOf(Salted("what the client said it sent"));
  const std::string location = StartUpload(name_);
  Reply put = Oci("PUT", WithQuery(location, "digest=" + claimed), bytes,
                  {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(put.status, 400) << put.body;
  EXPECT_EQ(OciCode(put), "DIGEST_INVALID") << put.body;
  EXPECT_EQ(Oci("HEAD", "/v2/" + name_ + "/blobs/" + claimed).status, 404);
  EXPECT_EQ(Oci("HEAD", "/v2/" + name_ + "/blobs/" + DigestOf(bytes)).status, 404);
}

TEST_F(RegistryPushTest, CrossRepositoryMountMakesTheBlobReadableInTheTarget) {
  const std::string bytes = Salted("mounted");
  const std::string digest = PushBlob(name_, bytes);
  const std::string target = "/v2/" + mount_name_ + "/blobs/" + digest;
  EXPECT_EQ(Oci("HEAD", target).status, 404);  // each repository names its own blobs

  Reply mount =
      Oci("POST", "/v2/" + mount_name_ + "/blobs/uploads/?mount=" + digest + "&from=" + name_);
  EXPECT_EQ(mount.status, 201) << mount.body;
  EXPECT_EQ(PathOf(mount.Header("Location")), target);
  EXPECT_EQ(mount.Header("Docker-Content-Digest"), digest);
  Reply get = Oci("GET", target);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, bytes);
}

TEST_F(RegistryPushTest, MountOfABlobTheSourceLacksStartsAnOrdinaryUpload) {
  const std::string bytes = Salted("never pushed to the source");
  const std::string digest = DigestOf(bytes);
  Reply mount =
      Oci("POST", "/v2/" + mount_name_ + "/blobs/uploads/?mount=" + digest + "&from=" + name_);
  EXPECT_EQ(mount.status, 202) << mount.body;
  ASSERT_FALSE(mount.Header("Location").empty());
  EXPECT_EQ(Oci("HEAD", "/v2/" + mount_name_ + "/blobs/" + digest).status, 404);

  Reply put = Oci("PUT", WithQuery(mount.Header("Location"), "digest=" + digest), bytes,
                  {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(put.status, 201) << put.body;
}

TEST_F(RegistryPushTest, ManifestPutByTagAndByDigestAnswersLocationAndDigest) {
  const Image by_tag = MakeImage(name_, "by tag");
  Reply tagged = PutManifest(name_, Salted("tagged"), by_tag.manifest);
  EXPECT_EQ(tagged.status, 201) << tagged.body;
  EXPECT_EQ(PathOf(tagged.Header("Location")), "/v2/" + name_ + "/manifests/" + by_tag.digest);
  EXPECT_EQ(tagged.Header("Docker-Content-Digest"), by_tag.digest);

  const Image by_digest = MakeImage(name_, "by digest");
  Reply untagged = PutManifest(name_, by_digest.digest, by_digest.manifest);
  EXPECT_EQ(untagged.status, 201) << untagged.body;
  EXPECT_EQ(PathOf(untagged.Header("Location")), "/v2/" + name_ + "/manifests/" + by_digest.digest);
  EXPECT_EQ(untagged.Header("Docker-Content-Digest"), by_digest.digest);
  EXPECT_EQ(GetManifest(name_, by_digest.digest).body, by_digest.manifest);
}

TEST_F(RegistryPushTest, ManifestBytesAreKeptExactly) {
  const Image image = MakeImage(name_, "pretty");
  // Indented, with a trailing newline: the digest is of these bytes, not of a re-encoding.
  const std::string pretty = json::parse(image.manifest).dump(3) + "\n";
  const std::string digest = DigestOf(pretty);
  Reply put = PutManifest(name_, Salted("pretty"), pretty);
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.Header("Docker-Content-Digest"), digest);
  Reply get = GetManifest(name_, digest);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, pretty);
  EXPECT_EQ(get.Header("Docker-Content-Digest"), digest);
}

TEST_F(RegistryPushTest, ManifestPutUnderAnotherDigestIs400DigestInvalid) {
  const Image image = MakeImage(name_, "wrong digest in the URL");
  const std::string other = DigestOf(Salted("another manifest"));
  Reply reply = PutManifest(name_, other, image.manifest);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(OciCode(reply), "DIGEST_INVALID") << reply.body;
  EXPECT_EQ(GetManifest(name_, image.digest).status, 404);
}

TEST_F(RegistryPushTest, ManifestNamingAnUnpushedBlobIs400AndStoresNothing) {
  const std::string config = json{{"seed", Salted("config")}}.dump();
  PushBlob(name_, config);
  const json manifest = {
      {"schemaVersion", 2},
      {"mediaType", media::kOciManifest},
      {"config", DescriptorOf(kConfigType, config)},
      {"layers", json::array({DescriptorOf(kLayerType, Salted("a layer nobody pushed"))})}};
  const std::string tag = Salted("incomplete");
  Reply reply = PutManifest(name_, tag, manifest.dump());
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(OciCode(reply), "MANIFEST_BLOB_UNKNOWN") << reply.body;
  EXPECT_EQ(GetManifest(name_, tag).status, 404);
  EXPECT_EQ(GetManifest(name_, DigestOf(manifest.dump())).status, 404);
}

TEST_F(RegistryPushTest, ManifestNamingABlobOfAnotherRepositoryIs400) {
  const Image image = MakeImage(name_, "blobs live elsewhere");  // blobs pushed to name_ only
  const std::string tag = Salted("borrowed");
  Reply reply = PutManifest(mount_name_, tag, image.manifest);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(OciCode(reply), "MANIFEST_BLOB_UNKNOWN") << reply.body;
  EXPECT_EQ(GetManifest(mount_name_, tag).status, 404);
}

TEST_F(RegistryPushTest, ErrorBodiesUseTheSpecsCodes) {
  // The conformance suite's "400 response body should contain OCI-conforming JSON message".
  const std::vector<std::string> codes = {
      "BLOB_UNKNOWN",          "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID",
      "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID",    "MANIFEST_UNKNOWN",    "NAME_INVALID",
      "NAME_UNKNOWN",          "SIZE_INVALID",        "UNAUTHORIZED",        "DENIED",
      "UNSUPPORTED",           "TOOMANYREQUESTS"};
  Reply reply = PutManifest(name_, "sha256:totallywrong", R"({"schemaVersion": 2, "config": 7})");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_TRUE(Contains(codes, OciCode(reply))) << reply.body;
  EXPECT_FALSE(OciMessage(reply).empty()) << reply.body;
}

TEST_F(RegistryPushTest, MalformedManifestIs400ManifestInvalid) {
  const std::string tag = Salted("malformed");
  for (const char* body : {R"({"schemaVersion": 2, "config": )", R"([1, 2, 3])",
                           R"({"schemaVersion": 1, "config": {}, "layers": []})"}) {
    Reply reply = PutManifest(name_, tag, body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(OciCode(reply), "MANIFEST_INVALID") << body << ": " << reply.body;
  }
  EXPECT_EQ(GetManifest(name_, tag).status, 404);
}

TEST_F(RegistryPushTest, ManifestOver4MiBIs413) {
  const Image image = MakeImage(name_, "huge");
  json manifest = json::parse(image.manifest);
  manifest["annotations"] = {{"padding", ""}};
  // One byte over the limit (a valid manifest otherwise).
  const size_t padding = registry::kMaxManifestBytes + 1 - manifest.dump().size();
  manifest["annotations"]["padding"] = std::string(padding, 'x');
  const std::string body = manifest.dump();
  ASSERT_EQ(body.size(), registry::kMaxManifestBytes + 1);
  const std::string tag = Salted("huge");
  Reply reply = PutManifest(name_, tag, body);
  EXPECT_EQ(reply.status, 413) << reply.body.substr(0, 200);
  EXPECT_EQ(GetManifest(name_, tag).status, 404);
}

TEST_F(RegistryPushTest, ManifestOfExactly4MiBIsAccepted) {
  const Image image = MakeImage(name_, "as large as allowed");
  json manifest = json::parse(image.manifest);
  manifest["annotations"] = {{"padding", ""}};
  const size_t padding = registry::kMaxManifestBytes - manifest.dump().size();
  manifest["annotations"]["padding"] = std::string(padding, 'x');
  const std::string body = manifest.dump();
  ASSERT_EQ(body.size(), registry::kMaxManifestBytes);
  Reply put = PutManifest(name_, Salted("largest"), body);
  EXPECT_EQ(put.status, 201) << put.body.substr(0, 300);
  Reply get = GetManifest(name_, DigestOf(body));
  EXPECT_EQ(get.status, 200) << get.body.substr(0, 300);
  EXPECT_TRUE(get.body == body) << get.body.size() << " bytes came back";
}

TEST_F(RegistryPushTest, ImageIndexReferencingPushedManifests) {
  const Image amd64 = PushImage(name_, "", "amd64");
  const Image arm64 = PushImage(name_, "", "arm64");
  json first = amd64.Descriptor();
  first["platform"] = {{"architecture", "amd64"}, {"os", "linux"}};
  json second = arm64.Descriptor();
  second["platform"] = {{"architecture", "arm64"}, {"os", "linux"}};
  const std::string index = json{{"schemaVersion", 2},
                                 {"mediaType", media::kOciIndex},
                                 {"manifests", json::array({first, second})}}
                                .dump();
  const std::string tag = Salted("multi-arch");
  Reply put = PutManifest(name_, tag, index, media::kOciIndex);
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.Header("Docker-Content-Digest"), DigestOf(index));

  Reply get = GetManifest(name_, tag);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, index);
  EXPECT_EQ(get.Header("Content-Type"), media::kOciIndex);
  EXPECT_EQ(get.Header("Docker-Content-Digest"), DigestOf(index));
}

TEST_F(RegistryPushTest, DockerSchema2ManifestKeepsItsContentType) {
  const std::string config = json{{"architecture", "amd64"}, {"seed", Salted("docker")}}.dump();
  const std::string layer = Salted("docker layer");
  PushBlob(name_, config);
  PushBlob(name_, layer);
  const std::string manifest =
      json{{"schemaVersion", 2},
           {"mediaType", media::kDockerManifest},
           {"config", DescriptorOf(kDockerConfigType, config)},
           {"layers", json::array({DescriptorOf(kDockerLayerType, layer)})}}
          .dump();
  const std::string tag = Salted("docker");
  Reply put = PutManifest(name_, tag, manifest, media::kDockerManifest);
  EXPECT_EQ(put.status, 201) << put.body;

  Reply get = GetManifest(name_, tag);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, manifest);
  EXPECT_EQ(get.Header("Content-Type"), media::kDockerManifest);
  EXPECT_EQ(GetManifest(name_, DigestOf(manifest), "HEAD").Header("Content-Type"),
            media::kDockerManifest);
}

// =============================================================================================
// Content discovery

TEST_F(RegistryContentDiscoveryTest, TagsListIsSorted) {
  const Image image = MakeImage(name_, "tagged many times");
  std::vector<std::string> tags;
  for (const char* tag : {"zeta", "alpha", "mid", "beta", "Alpha"}) {
    tags.push_back(Salted(tag));
    EXPECT_EQ(PutManifest(name_, tags.back(), image.manifest).status, 201);
  }
  Reply list = Oci("GET", "/v2/" + name_ + "/tags/list");
  EXPECT_EQ(list.status, 200) << list.body;
  ASSERT_TRUE(list.doc.is_object()) << list.body;
  EXPECT_EQ(list.doc.value("name", ""), name_);
  const std::vector<std::string> listed = Strings(list.doc["tags"]);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end())) << list.body;
  for (const std::string& tag : tags) EXPECT_TRUE(Contains(listed, tag)) << tag;
  if (!env_.external()) {
    std::sort(tags.begin(), tags.end());
    EXPECT_EQ(listed, tags);
  }
}

TEST_F(RegistryContentDiscoveryTest, TagsListPagesWithNAndLastAndALinkToTheNextPage) {
  const Image image = MakeImage(name_, "paged");
  for (const char* tag : {"t1", "t2", "t3", "t4", "t5"}) {
    ASSERT_EQ(PutManifest(name_, Salted(tag), image.manifest).status, 201);
  }
  const std::vector<std::string> all =
      Strings(Oci("GET", "/v2/" + name_ + "/tags/list").doc["tags"]);
  ASSERT_GE(all.size(), 5u);

  Reply first = Oci("GET", "/v2/" + name_ + "/tags/list?n=2");
  EXPECT_EQ(first.status, 200);
  const std::vector<std::string> page = Strings(first.doc["tags"]);
  ASSERT_EQ(page, std::vector<std::string>(all.begin(), all.begin() + 2));
  const std::string next = NextPage(first);
  EXPECT_TRUE(next.starts_with("/v2/" + name_ + "/tags/list?")) << first.Header("Link");
  EXPECT_NE(next.find("n=2"), std::string::npos) << first.Header("Link");
  EXPECT_NE(next.find("last=" + page.back()), std::string::npos) << first.Header("Link");
  if (!env_.external()) {
    EXPECT_EQ(first.Header("Link"),
              "</v2/" + name_ + "/tags/list?n=2&last=" + page.back() + ">; rel=\"next\"");
  }

  // Following the links gives every tag once, in order; the last page has no link.
  std::vector<std::string> followed = page;
  for (std::string path = next; !path.empty();) {
    Reply reply = Oci("GET", path);
    ASSERT_EQ(reply.status, 200) << path;
    const std::vector<std::string> more = Strings(reply.doc["tags"]);
    ASSERT_FALSE(more.empty()) << path;
    EXPECT_LE(more.size(), 2u);
    followed.insert(followed.end(), more.begin(), more.end());
    path = NextPage(reply);
  }
  EXPECT_EQ(followed, all);

  // ?last= alone continues after the tag it names.
  Reply after = Oci("GET", "/v2/" + name_ + "/tags/list?last=" + all[2]);
  EXPECT_EQ(Strings(after.doc["tags"]), std::vector<std::string>(all.begin() + 3, all.end()));
}

TEST_F(RegistryContentDiscoveryTest, TagsOfAnUnknownRepositoryIs404NameUnknown) {
  Reply list = Oci("GET", "/v2/" + name_ + "/" + Salted("never-pushed") + "/tags/list");
  EXPECT_EQ(list.status, 404);
  EXPECT_EQ(OciCode(list), "NAME_UNKNOWN") << list.body;
}

TEST_F(RegistryContentDiscoveryTest, CatalogListsTheRepositories) {
  PushImage(name_, Salted("catalog"), "catalog a");
  PushImage(mount_name_, Salted("catalog"), "catalog b");
  Reply catalog = Oci("GET", "/v2/_catalog");
  EXPECT_EQ(catalog.status, 200) << catalog.body;
  const std::vector<std::string> repositories = Strings(catalog.doc["repositories"]);
  EXPECT_TRUE(std::is_sorted(repositories.begin(), repositories.end()));
  EXPECT_TRUE(Contains(repositories, name_)) << catalog.body;
  EXPECT_TRUE(Contains(repositories, mount_name_)) << catalog.body;
  if (!env_.external()) {
    EXPECT_EQ(repositories.size(), 2u) << catalog.body;
    Reply paged = Oci("GET", "/v2/_catalog?n=1");
    EXPECT_EQ(Strings(paged.doc["repositories"]), std::vector<std::string>{repositories[0]});
    EXPECT_EQ(NextPage(paged), "/v2/_catalog?n=1&last=" + repositories[0]);
  }
}

TEST_F(RegistryContentDiscoveryTest, ReferrersListTheManifestsWithThatSubject) {
  const Image subject = PushImage(name_, Salted("subject"), "subject");
  const Image sbom = MakeReferrer(name_, subject, kSbomType, "sbom");
  Reply put = PutManifest(name_, sbom.digest, sbom.manifest);
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.Header("OCI-Subject"), subject.digest);

  Reply list = Referrers(name_, subject.digest);
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.Header("Content-Type"), media::kOciIndex);
  ASSERT_TRUE(list.doc.is_object()) << list.body;
  EXPECT_EQ(list.doc.value("schemaVersion", 0), 2);
  EXPECT_EQ(list.doc.value("mediaType", ""), media::kOciIndex);
  ASSERT_TRUE(list.doc["manifests"].is_array()) << list.body;
  ASSERT_EQ(list.doc["manifests"].size(), 1u) << list.body;
  const json& entry = list.doc["manifests"][0];
  EXPECT_EQ(entry.value("digest", ""), sbom.digest);
  EXPECT_EQ(entry.value("mediaType", ""), media::kOciManifest);
  EXPECT_EQ(entry.value("size", size_t{0}), sbom.manifest.size());
  EXPECT_EQ(entry.value("artifactType", ""), kSbomType);
  EXPECT_EQ(entry["annotations"], (json{{"org.example.seed", Salted("sbom")}})) << list.body;
}

TEST_F(RegistryContentDiscoveryTest, IndexWithASubjectIsAReferrer) {
  const Image subject = PushImage(name_, Salted("subject"), "subject of an index");
  const Image sbom = MakeReferrer(name_, subject, kSbomType, "sbom in an index");
  ASSERT_EQ(PutManifest(name_, sbom.digest, sbom.manifest).status, 201);
  const std::string index = json{
      {"schemaVersion", 2},
      {"mediaType", media::kOciIndex},
      {"artifactType", kSignatureType},
      {"manifests", json::array({sbom.Descriptor()})},
      {"subject",
       subject.Descriptor()}}.dump();
  Reply put = PutManifest(name_, DigestOf(index), index, media::kOciIndex);
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.Header("OCI-Subject"), subject.digest);

  Reply list = Referrers(name_, subject.digest, "?artifactType=" + QueryEscape(kSignatureType));
  ASSERT_EQ(list.doc["manifests"].size(), 1u) << list.body;
  EXPECT_EQ(list.doc["manifests"][0].value("digest", ""), DigestOf(index));
  EXPECT_EQ(list.doc["manifests"][0].value("mediaType", ""), media::kOciIndex);
}

TEST_F(RegistryContentDiscoveryTest, ReferrerOfASubjectNotPushedIsListed) {
  // Signatures may arrive before (or without) what they sign.
  const Image absent = MakeImage(name_, "never pushed itself");
  const Image sbom = MakeReferrer(name_, absent, kSbomType, "sbom of an absent image");
  Reply put = PutManifest(name_, sbom.digest, sbom.manifest);
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.Header("OCI-Subject"), absent.digest);
  Reply list = Referrers(name_, absent.digest);
  EXPECT_EQ(list.status, 200);
  ASSERT_EQ(list.doc["manifests"].size(), 1u) << list.body;
  EXPECT_EQ(list.doc["manifests"][0].value("digest", ""), sbom.digest);
}

// A referrer whose annotations pass 1 MiB (its manifest is still within the 4 MiB allowed) is
// listed with them (the referrer records were once read with a 1 MiB limit and skipped).
TEST_F(RegistryContentDiscoveryTest, ReferrerWithLargeAnnotationsIsListedWithThem) {
  const Image subject = PushImage(name_, Salted("subject"), "subject of a large referrer");
  Image sbom = MakeReferrer(name_, subject, kSbomType, "large sbom");
  json manifest = json::parse(sbom.manifest);
  // Well under the 4 MiB of a manifest, but more than a megabyte of annotations.
  const std::string summary(1536 << 10, 's');
  manifest["annotations"]["org.example.summary"] = summary;
  sbom.manifest = manifest.dump();
  sbom.digest = DigestOf(sbom.manifest);
  Reply put = PutManifest(name_, sbom.digest, sbom.manifest);
  ASSERT_EQ(put.status, 201) << put.body;

  Reply list = Referrers(name_, subject.digest);
  EXPECT_EQ(list.status, 200);
  ASSERT_EQ(list.doc["manifests"].size(), 1u) << list.body.substr(0, 300);
  const json& entry = list.doc["manifests"][0];
  EXPECT_EQ(entry.value("digest", ""), sbom.digest);
  EXPECT_TRUE(entry["annotations"].value("org.example.summary", "") == summary);
}

TEST_F(RegistryContentDiscoveryTest, ReferrerWithoutArtifactTypeIsListedUnderItsConfigType) {
  const Image subject = PushImage(name_, Salted("subject"), "subject of a plain image");
  const Image plain = MakeImage(name_, "plain referrer", {{"subject", subject.Descriptor()}});
  ASSERT_EQ(PutManifest(name_, plain.digest, plain.manifest).status, 201);
  Reply list = Referrers(name_, subject.digest);
  ASSERT_EQ(list.doc["manifests"].size(), 1u) << list.body;
  EXPECT_EQ(list.doc["manifests"][0].value("artifactType", ""), kConfigType);
}

TEST_F(RegistryContentDiscoveryTest, ReferrersFilterByArtifactType) {
  const Image subject = PushImage(name_, Salted("subject"), "filtered subject");
  const Image sbom = MakeReferrer(name_, subject, kSbomType, "sbom");
  const Image signature = MakeReferrer(name_, subject, kSignatureType, "signature");
  ASSERT_EQ(PutManifest(name_, sbom.digest, sbom.manifest).status, 201);
  ASSERT_EQ(PutManifest(name_, signature.digest, signature.manifest).status, 201);
  EXPECT_EQ(Referrers(name_, subject.digest).doc["manifests"].size(), 2u);

  Reply filtered = Referrers(name_, subject.digest, "?artifactType=" + QueryEscape(kSbomType));
  EXPECT_EQ(filtered.status, 200);
  EXPECT_EQ(filtered.Header("OCI-Filters-Applied"), "artifactType");
  ASSERT_EQ(filtered.doc["manifests"].size(), 1u) << filtered.body;
  EXPECT_EQ(filtered.doc["manifests"][0].value("digest", ""), sbom.digest);
}

TEST_F(RegistryContentDiscoveryTest, ReferrersOfAnUnknownDigestIsAnEmptyList) {
  Reply list = Referrers(name_, DigestOf(Salted("nothing refers to this")));
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.Header("Content-Type"), media::kOciIndex);
  ASSERT_TRUE(list.doc.is_object()) << list.body;
  EXPECT_EQ(list.doc["manifests"], json::array());
}

// =============================================================================================
// Content management

TEST_F(RegistryContentManagementTest, DeletedTagIsGone) {
  const std::string tag = Salted("to-delete");
  const Image image = PushImage(name_, tag, "tag to delete");
  Reply deleted = Oci("DELETE", "/v2/" + name_ + "/manifests/" + tag);
  if (env_.external() && deleted.status == 400 && OciCode(deleted) == "UNSUPPORTED") {
    GTEST_SKIP() << "this registry does not delete tags (allowed by the spec)";
  }
  EXPECT_EQ(deleted.status, 202) << deleted.body;
  Reply get = GetManifest(name_, tag);
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(OciCode(get), "MANIFEST_UNKNOWN");
  if (!env_.external()) {
    EXPECT_EQ(GetManifest(name_, image.digest).status, 200);  // the manifest stays, untagged
    EXPECT_FALSE(Contains(Strings(Oci("GET", "/v2/" + name_ + "/tags/list").doc["tags"]), tag));
  }
}

TEST_F(RegistryContentManagementTest, DeletedManifestIsGone) {
  const std::string tag = Salted("manifest-to-delete");
  const Image image = PushImage(name_, tag, "manifest to delete");
  Reply deleted = Oci("DELETE", "/v2/" + name_ + "/manifests/" + image.digest);
  EXPECT_EQ(deleted.status, 202) << deleted.body;
  Reply get = GetManifest(name_, image.digest);
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(OciCode(get), "MANIFEST_UNKNOWN") << get.body;
  if (!env_.external()) {
    EXPECT_EQ(GetManifest(name_, tag).status, 404);  // its tags go with it
  }
}

TEST_F(RegistryContentManagementTest, DeletedReferrerLeavesTheReferrersList) {
  const Image subject = PushImage(name_, Salted("subject"), "subject of a deleted referrer");
  const Image sbom = MakeReferrer(name_, subject, kSbomType, "deleted sbom");
  ASSERT_EQ(PutManifest(name_, sbom.digest, sbom.manifest).status, 201);
  ASSERT_EQ(Referrers(name_, subject.digest).doc["manifests"].size(), 1u);
  EXPECT_EQ(Oci("DELETE", "/v2/" + name_ + "/manifests/" + sbom.digest).status, 202);
  Reply list = Referrers(name_, subject.digest);
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.doc["manifests"], json::array()) << list.body;
}

TEST_F(RegistryContentManagementTest, DeletedBlobIsGone) {
  const std::string digest = PushBlob(name_, Salted("blob to delete"));
  const std::string path = "/v2/" + name_ + "/blobs/" + digest;
  Reply deleted = Oci("DELETE", path);
  EXPECT_EQ(deleted.status, 202) << deleted.body;
  EXPECT_EQ(Oci("HEAD", path).status, 404);
  Reply get = Oci("GET", path);
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(OciCode(get), "BLOB_UNKNOWN");
}

TEST_F(RegistryContentManagementTest, CancelledUploadIsGone) {
  Reply patch = Oci("PATCH", StartUpload(name_), "some bytes",
                    {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(patch.status, 202) << patch.body;
  const std::string location = PathOf(patch.Header("Location"));  // clients follow the latest
  Reply cancelled = Oci("DELETE", location);
  EXPECT_EQ(cancelled.status, 204) << cancelled.body;
  Reply status = Oci("GET", location);
  EXPECT_EQ(status.status, 404);
  EXPECT_EQ(OciCode(status), "BLOB_UPLOAD_UNKNOWN") << status.body;
}

// =============================================================================================
// Immutable tags and channels (slipway)

TEST_F(RegistryImmutableTagsTest, RepushingTheSameManifestToItsTagIs201) {
  const Image image = PushImage(name_, "v1", "v1");
  Reply again = PutManifest(name_, "v1", image.manifest);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.Header("Docker-Content-Digest"), image.digest);
}

TEST_F(RegistryImmutableTagsTest, AnotherManifestForAnExistingTagIs409AndTheTagStays) {
  const Image first = PushImage(name_, "v1", "first");
  const Image second = MakeImage(name_, "second");
  Reply moved = PutManifest(name_, "v1", second.manifest);
  EXPECT_EQ(moved.status, 409) << moved.body;
  EXPECT_EQ(OciCode(moved), "TAG_INVALID");
  EXPECT_NE(OciMessage(moved).find("immutable"), std::string::npos) << OciMessage(moved);
  EXPECT_EQ(GetManifest(name_, "v1").Header("Docker-Content-Digest"), first.digest);
  EXPECT_EQ(GetManifest(name_, second.digest).status, 404);  // nothing of it was stored
}

TEST_F(RegistryImmutableTagsTest, ConcurrentPushesToANewTagHaveOneWinner) {
  constexpr int kPushers = 6;
  std::vector<Image> images;
  for (int i = 0; i < kPushers; ++i)
    images.push_back(MakeImage(name_, "racer " + std::to_string(i)));
  std::vector<int> statuses(kPushers);
  std::atomic<int> ready{0};
  std::vector<std::thread> pushers;
  for (int i = 0; i < kPushers; ++i) {
    pushers.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kPushers) std::this_thread::yield();
      statuses[i] = PutManifest(name_, "v1", images[i].manifest).status;
    });
  }
  for (std::thread& pusher : pushers) pusher.join();

  const std::string winner = GetManifest(name_, "v1").Header("Docker-Content-Digest");
  int created = 0;
  for (int i = 0; i < kPushers; ++i) {
    if (statuses[i] == 201) {
      ++created;
      EXPECT_EQ(images[i].digest, winner);
    } else {
      EXPECT_EQ(statuses[i], 409) << "pusher " << i;
    }
  }
  EXPECT_EQ(created, 1);
}

TEST_F(RegistryImmutableTagsTest, AChannelMovesAndTheMoveIsAudited) {
  const Image first = PushImage(name_, "stable", "first release");
  PushImage(name_, "v1", "first release");
  SetSettings(name_, {{"channels", {"stable"}}});
  const Image second = MakeImage(name_, "second release");
  Reply moved = PutManifest(name_, "stable", second.manifest);
  EXPECT_EQ(moved.status, 201) << moved.body;
  EXPECT_EQ(GetManifest(name_, "stable").Header("Docker-Content-Digest"), second.digest);
  EXPECT_EQ(PutManifest(name_, "v1", second.manifest).status, 409);  // not a channel

  std::vector<store::AuditRecord> moves;
  for (const store::AuditRecord& record : AuditTrail()) {
    if (record.action == "registry.channel.move") moves.push_back(record);
  }
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].actor, "admin");
  EXPECT_EQ(moves[0].target, "registry/" + name_ + ":stable");
  const json details = json::parse(moves[0].details_json);
  EXPECT_EQ(details.value("from", ""), first.digest);
  EXPECT_EQ(details.value("to", ""), second.digest);
}

TEST_F(RegistryImmutableTagsTest, MutableTagsRepositoryMovesAnyTag) {
  PushImage(name_, "latest", "first");
  SetSettings(name_, {{"mutable_tags", true}});
  const Image second = MakeImage(name_, "second");
  EXPECT_EQ(PutManifest(name_, "latest", second.manifest).status, 201);
  EXPECT_EQ(GetManifest(name_, "latest").Header("Docker-Content-Digest"), second.digest);
}

// =============================================================================================
// Repository settings (slipway)

TEST_F(RegistrySettingsTest, DefaultsAreChangedByAnAdminAndAudited) {
  const std::string path = "/api/v1/registry/settings?repository=" + name_;
  Reply defaults = Admin("GET", path);
  EXPECT_EQ(defaults.status, 200) << defaults.body;
  EXPECT_EQ(defaults.doc, (json{{"repository", name_},
                                {"public", false},
                                {"mutable_tags", false},
                                {"channels", json::array()}}));
  Reply changed = Admin("PUT", path, R"({"public": true, "channels": ["stable", "beta"]})");
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Admin("GET", path).doc, (json{{"repository", name_},
                                          {"public", true},
                                          {"mutable_tags", false},
                                          {"channels", {"stable", "beta"}}}));
  const std::vector<store::AuditRecord> trail = AuditTrail();
  ASSERT_FALSE(trail.empty());
  EXPECT_EQ(trail.back().action, "registry.settings");
  EXPECT_EQ(trail.back().target, "registry/" + name_);
}

TEST_F(RegistrySettingsTest, ProjectAdminSetsItsOwnRepositoriesOnly) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  ASSERT_OK_AND_ASSIGN(store::Project project, store_->GetProject("hello"));
  const std::string scoped = AddToken("hello-admin", store::Role::kAdmin, project.id);
  const std::string body = R"({"public": true})";
  EXPECT_EQ(Call("PUT", "/api/v1/registry/settings?repository=hello/app", body, scoped).status,
            200);
  EXPECT_EQ(Call("PUT", "/api/v1/registry/settings?repository=other/app", body, scoped).status,
            403);
  EXPECT_EQ(Call("PUT", "/api/v1/registry/settings?repository=helloworld", body, scoped).status,
            403);
  EXPECT_EQ(
      Admin("GET", "/api/v1/registry/settings?repository=other/app").doc.value("public", true),
      false);
}

TEST_F(RegistrySettingsTest, BadSettingsAreRefusedAndChangeNothing) {
  const std::string path = "/api/v1/registry/settings?repository=" + name_;
  const std::vector<std::string> bodies = {R"({"channels": ["not a tag!"]})",
                                           R"({"public": "yes"})", R"({"colour": "blue"})",
                                           R"({"public": true)"};
  for (const std::string& body : bodies) {
    EXPECT_EQ(Admin("PUT", path, body).status, 400) << body;
  }
  EXPECT_EQ(Admin("PUT", "/api/v1/registry/settings?repository=Bad", "{}").status, 400);
  EXPECT_EQ(Admin("PUT", "/api/v1/registry/settings", "{}").status, 400);
  const std::string developer = AddToken("dev", store::Role::kDeveloper);
  EXPECT_EQ(Call("PUT", path, R"({"public": true})", developer).status, 403);
  EXPECT_EQ(Admin("GET", path).doc.value("public", true), false);
  EXPECT_TRUE(AuditTrail().empty());
}

// =============================================================================================
// Who may pull and push (slipway)

TEST_F(RegistryAuthTest, NoCredentialsIs401WithABearerChallenge) {
  Reply ping = As("", "GET", "/v2/");
  EXPECT_EQ(ping.status, 401);
  EXPECT_EQ(OciCode(ping), "UNAUTHORIZED") << ping.body;
  EXPECT_TRUE(
      ping.Header("WWW-Authenticate")
          .starts_with(R"(Bearer realm="http://slipway.example/v2/token",service="slipway")"))
      << ping.Header("WWW-Authenticate");
  // Docker clients look for this header on the ping, answered or challenged.
  EXPECT_EQ(ping.Header("Docker-Distribution-API-Version"), "registry/2.0");
  Reply answered = Oci("GET", "/v2/");
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(answered.Header("Docker-Distribution-API-Version"), "registry/2.0");

  Reply pull = As("", "GET", "/v2/" + name_ + "/manifests/latest");
  EXPECT_EQ(pull.status, 401);
  EXPECT_NE(pull.Header("WWW-Authenticate").find("scope=\"repository:" + name_ + ":pull\""),
            std::string::npos)
      << pull.Header("WWW-Authenticate");
}

TEST_F(RegistryAuthTest, TokenFromBasicCredentialsPushesAndPulls) {
  Reply issued = As(Basic("x", admin_), "GET",
                    "/v2/token?service=slipway&scope=repository:" + name_ + ":pull,push");
  ASSERT_EQ(issued.status, 200) << issued.body;
  const std::string token = issued.doc.value("token", "");
  ASSERT_FALSE(token.empty()) << issued.body;

  const std::string bytes = Salted("pushed with a registry token");
  const std::string digest = PushBlob(name_, bytes, Bearer(token));
  Reply pulled = As(Bearer(token), "GET", "/v2/" + name_ + "/blobs/" + digest);
  EXPECT_EQ(pulled.status, 200);
  EXPECT_EQ(pulled.body, bytes);
  EXPECT_EQ(As(Bearer(token), "GET", "/v2/").status, 200);
}

TEST_F(RegistryAuthTest, RevokingAnApiTokenEndsItsRegistryTokens) {
  const std::string secret = AddToken("ci", store::Role::kDeveloper);
  ASSERT_OK_AND_ASSIGN(store::Token stored, store_->FindToken(TokenHash(secret)));
  Reply issued = As(Basic("ci", secret), "GET", "/v2/token");
  ASSERT_EQ(issued.status, 200) << issued.body;
  const std::string bearer = Bearer(issued.doc.value("token", ""));
  ASSERT_EQ(As(bearer, "POST", "/v2/" + name_ + "/blobs/uploads/").status, 202);

  ASSERT_EQ(Admin("DELETE", "/api/v1/tokens/" + std::to_string(stored.id)).status / 100, 2);
  Reply refused = As(bearer, "POST", "/v2/" + name_ + "/blobs/uploads/");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(OciCode(refused), "UNAUTHORIZED") << refused.body;
  EXPECT_EQ(As(Basic("ci", secret), "GET", "/v2/").status, 401);
}

TEST_F(RegistryAuthTest, WrongPasswordIs401) {
  for (const std::string& authorization :
       {Basic("x", "not-a-token"), Basic("x", admin_ + "x"), Bearer("not-a-token")}) {
    Reply ping = As(authorization, "GET", "/v2/");
    EXPECT_EQ(ping.status, 401) << authorization;
    EXPECT_TRUE(ping.Header("WWW-Authenticate").starts_with("Bearer realm="));
    EXPECT_EQ(As(authorization, "GET", "/v2/token").status, 401) << authorization;
    EXPECT_EQ(As(authorization, "POST", "/v2/" + name_ + "/blobs/uploads/").status, 401);
  }
}

TEST_F(RegistryAuthTest, ViewerPullsButMayNotPushOrDelete) {
  const Image image = PushImage(name_, "v1", "for viewers");
  const std::string viewer = Basic("x", AddToken("v", store::Role::kViewer));
  Reply pulled = As(viewer, "GET", "/v2/" + name_ + "/manifests/v1");
  EXPECT_EQ(pulled.status, 200);
  EXPECT_EQ(pulled.body, image.manifest);

  Reply push = As(viewer, "POST", "/v2/" + name_ + "/blobs/uploads/");
  EXPECT_EQ(push.status, 403);
  EXPECT_EQ(OciCode(push), "DENIED") << push.body;
  Reply tag = PutManifestAs(viewer, name_, "v2", image.manifest);
  EXPECT_EQ(tag.status, 403);
  EXPECT_EQ(As(viewer, "DELETE", "/v2/" + name_ + "/manifests/v1").status, 403);
  EXPECT_EQ(GetManifest(name_, "v1").status, 200);
  EXPECT_EQ(GetManifest(name_, "v2").status, 404);
}

TEST_F(RegistryAuthTest, DeveloperPushesButOnlyAnAdminDeletes) {
  const std::string developer = Basic("x", AddToken("d", store::Role::kDeveloper));
  const Image image = MakeImage(name_, "by a developer", json::object(), developer);
  EXPECT_EQ(PutManifestAs(developer, name_, "v1", image.manifest).status, 201);
  Reply deleted = As(developer, "DELETE", "/v2/" + name_ + "/manifests/v1");
  EXPECT_EQ(deleted.status, 403);
  EXPECT_EQ(OciCode(deleted), "DENIED");
  EXPECT_EQ(GetManifest(name_, "v1").status, 200);
}

TEST_F(RegistryAuthTest, ProjectTokenPushesOnlyToItsProjectsRepositories) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  ASSERT_OK_AND_ASSIGN(store::Project project, store_->GetProject("hello"));
  const std::string scoped = Basic("x", AddToken("p", store::Role::kDeveloper, project.id));

  const Image image = MakeImage("hello/app", "scoped", json::object(), scoped);
  EXPECT_EQ(PutManifestAs(scoped, "hello/app", "v1", image.manifest).status, 201);
  EXPECT_EQ(As(scoped, "POST", "/v2/hello/blobs/uploads/").status, 202);
  for (const std::string repository : {"other/app", "helloworld/app", "hello2"}) {
    Reply push = As(scoped, "POST", "/v2/" + repository + "/blobs/uploads/");
    EXPECT_EQ(push.status, 403) << repository;
    EXPECT_EQ(OciCode(push), "DENIED") << repository;
  }
  // Its catalog shows its own repositories only.
  PushImage("other/app", "v1", "someone else's");
  Reply catalog = As(scoped, "GET", "/v2/_catalog");
  EXPECT_EQ(Strings(catalog.doc["repositories"]), std::vector<std::string>{"hello/app"});
}

TEST_F(RegistryAuthTest, MountFromARepositoryTheCallerCannotPullStartsAnUpload) {
  auto repo = MakeRepo();
  AddProject("hello", *repo);
  ASSERT_OK_AND_ASSIGN(store::Project project, store_->GetProject("hello"));
  const std::string scoped = Basic("x", AddToken("p", store::Role::kDeveloper, project.id));
  const std::string digest = PushBlob("secret/app", Salted("a secret layer"));

  Reply mount =
      As(scoped, "POST", "/v2/hello/app/blobs/uploads/?mount=" + digest + "&from=secret/app");
  EXPECT_EQ(mount.status, 202) << mount.body;
  EXPECT_EQ(As(scoped, "GET", "/v2/hello/app/blobs/" + digest).status, 404);
}

TEST_F(RegistryAuthTest, AnonymousPullOfAPrivateRepositoryIs401) {
  PushImage(name_, "v1", "private");
  Reply token = As("", "GET", "/v2/token");
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string anonymous = Bearer(token.doc.value("token", ""));
  for (const std::string& authorization : {std::string(), anonymous}) {
    Reply pull = As(authorization, "GET", "/v2/" + name_ + "/manifests/v1");
    EXPECT_EQ(pull.status, 401) << authorization;
    EXPECT_EQ(OciCode(pull), "UNAUTHORIZED");
    EXPECT_TRUE(pull.Header("WWW-Authenticate").starts_with("Bearer realm="));
  }
}

TEST_F(RegistryAuthTest, PublicRepositoryIsPulledAnonymouslyButNotPushed) {
  const Image image = PushImage(name_, "v1", "public");
  PushImage(mount_name_, "v1", "still private");
  SetSettings(name_, {{"public", true}});
  Reply token = As("", "GET", "/v2/token?service=slipway&scope=repository:" + name_ + ":pull");
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string anonymous = Bearer(token.doc.value("token", ""));

  for (const std::string& authorization : {std::string(), anonymous}) {
    SCOPED_TRACE(authorization.empty() ? "no Authorization" : "anonymous token");
    Reply manifest = As(authorization, "GET", "/v2/" + name_ + "/manifests/v1");
    EXPECT_EQ(manifest.status, 200);
    EXPECT_EQ(manifest.body, image.manifest);
    Reply blob = As(authorization, "GET", "/v2/" + name_ + "/blobs/" + DigestOf(image.layer));
    EXPECT_EQ(blob.body, image.layer);
    EXPECT_EQ(As(authorization, "GET", "/v2/" + name_ + "/tags/list").status, 200);

    EXPECT_EQ(As(authorization, "POST", "/v2/" + name_ + "/blobs/uploads/").status, 401);
    EXPECT_EQ(PutManifestAs(authorization, name_, "v2", image.manifest).status, 401);
    EXPECT_EQ(As(authorization, "DELETE", "/v2/" + name_ + "/manifests/v1").status, 401);
    EXPECT_EQ(As(authorization, "GET", "/v2/" + mount_name_ + "/manifests/v1").status, 401);
  }
}

TEST_F(RegistryAuthTest, AgentTokenHasNoRegistryAccess) {
  const std::string agent = RegisterAgent("builder");
  ASSERT_FALSE(agent.empty());
  for (const std::string& authorization : {Basic("x", agent), Bearer(agent)}) {
    const int ping = As(authorization, "GET", "/v2/").status;
    EXPECT_TRUE(ping == 401 || ping == 403) << ping;
    const int pull = As(authorization, "GET", "/v2/" + name_ + "/tags/list").status;
    EXPECT_TRUE(pull == 401 || pull == 403) << pull;
    const int push = As(authorization, "POST", "/v2/" + name_ + "/blobs/uploads/").status;
    EXPECT_TRUE(push == 401 || push == 403) << push;
  }
  EXPECT_EQ(As(Basic("x", agent), "GET", "/v2/token").status, 401);
}

// =============================================================================================
// Bytes a well-behaved client would not send (slipway)

// The request head of `method` on `path` with the admin's Basic credentials.
std::string RawHead(const std::string& method, const std::string& path, const std::string& admin,
                    const std::string& extra) {
  return method + " " + path +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + Basic("x", admin) +
         "\r\nContent-Type: application/octet-stream\r\n" + extra + "\r\n";
}

TEST_F(RegistryBadInputTest, TruncatedPatchAppendsAtMostWhatArrived) {
  const std::string location = StartUpload(name_);
  const std::string sent(40, 'a');
  const int status = RawStatus(server_->port(),
                               RawHead("PATCH", location, admin_, "Content-Length: 100\r\n") + sent,
                               RawSend::kHalfClose);
  EXPECT_TRUE(status == 0 || status >= 400) << status;

  Reply progress = Oci("GET", location);
  EXPECT_EQ(progress.status, 204);
  EXPECT_LE(RangeEnd(progress), 39) << progress.Header("Range");
  EXPECT_EQ(Oci("HEAD", "/v2/" + name_ + "/blobs/" + DigestOf(sent)).status, 404);
  EXPECT_EQ(Oci("DELETE", location).status, 204);  // and it can still be cancelled
}

TEST_F(RegistryBadInputTest, TruncatedPutStoresNoBlob) {
  const std::string location = StartUpload(name_);
  const std::string sent(40, 'b');
  // The digest of what arrived: only the missing 60 bytes tell it from a whole upload.
  const std::string digest = DigestOf(sent);
  const int status = RawStatus(
      server_->port(),
      RawHead("PUT", WithQuery(location, "digest=" + digest), admin_, "Content-Length: 100\r\n") +
          sent,
      RawSend::kHalfClose);
  EXPECT_NE(status, 201);
  EXPECT_EQ(Oci("HEAD", "/v2/" + name_ + "/blobs/" + digest).status, 404);
  const Reply progress = Oci("GET", location);
  if (progress.status == 204) {
    EXPECT_LE(RangeEnd(progress), 39) << progress.Header("Range");
  }
}

TEST_F(RegistryBadInputTest, MalformedChunkedBodyAppendsNothing) {
  const std::string location = StartUpload(name_);
  const int status = RawStatus(
      server_->port(), RawHead("PATCH", location, admin_, "Transfer-Encoding: chunked\r\n") +
                           "5\r\nabcde\r\nzz\r\nnot a chunk\r\n0\r\n\r\n");
  EXPECT_TRUE(status == 0 || status >= 400) << status;
  Reply progress = Oci("GET", location);
  EXPECT_EQ(progress.status, 204);
  EXPECT_LE(RangeEnd(progress), 4) << progress.Header("Range");
}

TEST_F(RegistryBadInputTest, ContentRangeThatDisagreesWithTheBodyIsRefused) {
  const std::string location = StartUpload(name_);
  for (const std::string range : {"0-9", "5-4", "bytes", "-3"}) {
    Reply patch = Oci("PATCH", location, "01234",
                      {{"Content-Type", "application/octet-stream"}, {"Content-Range", range}});
    EXPECT_EQ(patch.status, 416) << range << ": " << patch.body;
    EXPECT_EQ(patch.Header("Range"), "0-0") << range;
  }
  EXPECT_EQ(Oci("GET", location).Header("Range"), "0-0");
}

TEST_F(RegistryBadInputTest, ManifestWhoseMediaTypeContradictsTheContentTypeIsRefused) {
  const Image image = MakeImage(name_, "contradiction");
  Reply reply = PutManifest(name_, "v1", image.manifest, media::kDockerManifest);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(OciCode(reply), "MANIFEST_INVALID");
  EXPECT_NE(OciMessage(reply).find("mediaType"), std::string::npos) << OciMessage(reply);
  EXPECT_EQ(GetManifest(name_, "v1").status, 404);
}

TEST_F(RegistryBadInputTest, UnknownUploadIs404BlobUploadUnknown) {
  const std::string path = "/v2/" + name_ + "/blobs/uploads/" + std::string(32, 'f');
  for (const char* method : {"GET", "PATCH", "DELETE"}) {
    Reply reply = Oci(method, path, method == std::string("PATCH") ? "x" : "");
    EXPECT_EQ(reply.status, 404) << method;
    EXPECT_EQ(OciCode(reply), "BLOB_UPLOAD_UNKNOWN") << method << ": " << reply.body;
  }
  Reply put = Oci("PUT", path + "?digest=" + DigestOf("x"), "x");
  EXPECT_EQ(put.status, 404);
  EXPECT_EQ(OciCode(put), "BLOB_UPLOAD_UNKNOWN") << put.body;
  const int traversal = Oci("GET", "/v2/" + name_ + "/blobs/uploads/..%2f..%2fslipway.db").status;
  EXPECT_TRUE(traversal == 404 || traversal == 400) << traversal;
}

}  // namespace
}  // namespace slipway::api::testing
