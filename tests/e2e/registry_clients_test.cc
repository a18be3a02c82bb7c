// The registry under /v2/ of `slipway server` driven by the real OCI clients a user has:
// umoci builds images in OCI layouts, skopeo copies them to and from the registry (OCI layout,
// docker-archive, registry to registry), podman pulls, tags, pushes and logs in, buildah builds
// an image from scratch and pushes it. What a user notices: the digest pushed is the digest
// pulled, the files come back, immutable tags refuse to move, anonymous clients pull only from
// public repositories and never push, and wrong credentials are refused.
//
// The clients run with a private HOME, XDG_RUNTIME_DIR (auth.json of `podman login`), TMPDIR,
// containers.conf and storage.conf (driver vfs, graphroot and runroot under the test's
// directory), so nothing touches the user's configuration or images. One thing is shared: as
// root, skopeo keeps its blob-info cache in /var/lib/containers/cache (no option moves it); it
// only tells clients which blobs a registry may already have, and each test's server listens on
// a port of its own.
//
// The clients come from Debian (scripts/setup installs skopeo, umoci, podman and buildah).
#include <spawn.h>

#include <cstring>

#include "e2e/server_harness.h"
#include "util/sha256.h"

namespace slipway::e2e {
namespace {

// How long one client command may take before the test gives up on it (a hang is a failure).
constexpr std::chrono::seconds kClientLimit{60};

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// `text` parsed as a JSON object; an empty object when it is not one.
Json ParseObject(const std::string& text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_object() ? json : Json::object();
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

class RegistryClientsTest : public ServerE2eTest {
 protected:
  void SetUp() override {
    ServerE2eTest::SetUp();
    clients_ = root_ / "clients";
    for (const char* dir :
         {"home", "run", "tmp", "output", "storage/root", "storage/run", "engine", "layout-src"}) {
      fs::create_directories(clients_ / dir);
    }
    fs::permissions(clients_ / "run", fs::perms::owner_all);
    std::ofstream(clients_ / "storage.conf")
        << "[storage]\ndriver = \"vfs\"\nrunroot = \"" << (clients_ / "storage/run").string()
        << "\"\ngraphroot = \"" << (clients_ / "storage/root").string() << "\"\n";
    std::ofstream(clients_ / "containers.conf")
        << "[engine]\ntmp_dir = \"" << (clients_ / "engine").string()
        << "\"\nevents_logger = \"none\"\n";
    StartServer({"--local-agents", "0"});
    host_ = url().substr(url().find("://") + 3);
    token_ = AdminToken();
    ASSERT_FALSE(token_.empty());
  }

  // Runs a client (looked up in PATH) with the private environment, stdout and stderr apart;
  // kills it after kClientLimit (a test failure).
  Outcome Client(const std::vector<std::string>& argv) {
    Outcome outcome;
    const std::string n = std::to_string(++client_calls_);
    const fs::path out = clients_ / "output" / ("out." + n);
    const fs::path err = clients_ / "output" / ("err." + n);
    std::vector<std::string> env = ClientEnvironment();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, clients_.c_str());
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);  // its own group: a timeout kills its children
    std::vector<std::string> args = argv;
    std::vector<char*> c_argv, c_env;
    for (auto& arg : args) c_argv.push_back(arg.data());
    c_argv.push_back(nullptr);
    for (auto& entry : env) c_env.push_back(entry.data());
    c_env.push_back(nullptr);
    pid_t pid = -1;
    const int rc =
        posix_spawnp(&pid, c_argv[0], &actions, &attributes, c_argv.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
      ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(rc)
                    << " (scripts/setup installs skopeo, umoci, podman and buildah)";
      return outcome;
    }
    const auto deadline = std::chrono::steady_clock::now() + kClientLimit;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) != pid) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << Joined(argv) << " still running after " << kClientLimit.count()
                      << " s: killed";
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    outcome.out = ReadText(out);
    outcome.err = ReadText(err);
    return outcome;
  }

  // Runs a client that must succeed; a failure prints the command and what it said.
  Outcome Succeed(const std::vector<std::string>& argv) {
    Outcome outcome = Client(argv);
    EXPECT_EQ(outcome.exit_code, 0) << Joined(argv) << "\n" << outcome;
    return outcome;
  }

  std::string Creds() const { return "x:" + token_; }
  std::string Ref(const std::string& name) const { return "docker://" + host_ + "/" + name; }
  fs::path Layout() const { return clients_ / "layout"; }

  // Makes image `tag` in the OCI layout Layout() with umoci: one layer holding `files`
  // (relative path → content) under /data. Returns the digest of its manifest.
  std::string MakeImage(const std::string& tag, const std::map<std::string, std::string>& files) {
    if (!fs::exists(Layout())) Succeed({"umoci", "init", "--layout", Layout().string()});
    const std::string image = Layout().string() + ":" + tag;
    Succeed({"umoci", "new", "--image", image});
    const fs::path source = clients_ / "layout-src" / tag;
    for (const auto& [relative, content] : files) {
      fs::create_directories((source / relative).parent_path());
      std::ofstream(source / relative, std::ios::binary) << content;
    }
    Succeed({"umoci", "insert", "--image", image, source.string(), "/data"});
    return LayoutDigest(Layout(), tag);
  }

  // The manifest digest index.json of the OCI layout `layout` gives tag `tag` ("" if none).
  static std::string LayoutDigest(const fs::path& layout, const std::string& tag) {
    const Json index =
        Json::parse(ReadText(layout / "index.json"), nullptr, /*allow_exceptions=*/false);
    if (index.is_object() && index.contains("manifests")) {
      for (const auto& manifest : index["manifests"]) {
        if (manifest.value("annotations", Json::object())
                .value("org.opencontainers.image.ref.name", "") == tag) {
          return manifest.value("digest", "");
        }
      }
    }
    ADD_FAILURE() << "no tag " << tag << " in " << (layout / "index.json") << ":\n"
                  << index.dump(2);
    return "";
  }

  // skopeo copy of layout image `tag` to repository:tag `target`, with the admin token.
  Outcome PushLayout(const std::string& tag, const std::string& target) {
    return Client({"skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", Creds(),
                   "oci:" + Layout().string() + ":" + tag, Ref(target)});
  }

  // The same, which must succeed (the server's log is printed when it does not).
  bool Push(const std::string& tag, const std::string& target) {
    Outcome push = PushLayout(tag, target);
    EXPECT_EQ(push.exit_code, 0) << "push of " << tag << " to " << target << ": " << push
                                 << "\nserver log:\n"
                                 << ServerLog();
    return push.exit_code == 0;
  }

  // The manifest `target` (repository:tag) resolves to, as skopeo reads it with the admin
  // token ("" and a test failure when it cannot).
  std::string RawManifest(const std::string& target) {
    Outcome raw = Succeed(
        {"skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", Creds(), Ref(target)});
    return raw.exit_code == 0 ? raw.out : "";
  }
  std::string RemoteDigest(const std::string& target) {
    const std::string raw = RawManifest(target);
    return raw.empty() ? "" : "sha256:" + Sha256Hex(raw);
  }

  // Pulls `target` with skopeo (the admin token, none when `anonymous`) into a new OCI layout
  // `name`:v1 and unpacks it with umoci; returns the root filesystem ("" when a step failed).
  fs::path PullAndUnpack(const std::string& target, const std::string& name,
                         bool anonymous = false) {
    const fs::path layout = clients_ / ("pulled-" + name);
    std::vector<std::string> copy = {"skopeo", "copy", "--src-tls-verify=false"};
    if (anonymous) {
      copy.push_back("--src-no-creds");
    } else {
      copy.insert(copy.end(), {"--src-creds", Creds()});
    }
    copy.insert(copy.end(), {Ref(target), "oci:" + layout.string() + ":v1"});
    if (Succeed(copy).exit_code != 0) return "";
    const fs::path bundle = clients_ / ("bundle-" + name);
    std::vector<std::string> unpack = {"umoci", "unpack"};
    if (::geteuid() != 0) unpack.push_back("--rootless");
    unpack.insert(unpack.end(), {"--image", layout.string() + ":v1", bundle.string()});
    if (Succeed(unpack).exit_code != 0) return "";
    pulled_layouts_[name] = layout;
    return bundle / "rootfs";
  }

  fs::path clients_;
  std::string host_, token_;
  std::map<std::string, fs::path> pulled_layouts_;

 private:
  std::vector<std::string> ClientEnvironment() const {
    std::map<std::string, std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text = *entry;
      const auto eq = text.find('=');
      if (eq == std::string::npos) continue;
      const std::string name = text.substr(0, eq);
      // The user's own client settings must not leak into the test (nor the test into them).
      if (name.rfind("XDG_", 0) == 0 || name.rfind("CONTAINERS_", 0) == 0 ||
          name.rfind("REGISTRY_AUTH", 0) == 0 || name.rfind("DOCKER_", 0) == 0 ||
          name.rfind("BUILDAH_", 0) == 0 || name.rfind("SLIPWAY", 0) == 0) {
        continue;
      }
      env[name] = text.substr(eq + 1);
    }
    env["HOME"] = (clients_ / "home").string();
    env["XDG_RUNTIME_DIR"] = (clients_ / "run").string();
    env["XDG_CONFIG_HOME"] = (clients_ / "home/.config").string();
    env["XDG_DATA_HOME"] = (clients_ / "home/.local/share").string();
    env["TMPDIR"] = (clients_ / "tmp").string();
    env["CONTAINERS_STORAGE_CONF"] = (clients_ / "storage.conf").string();
    env["CONTAINERS_CONF"] = (clients_ / "containers.conf").string();
    std::vector<std::string> entries;
    for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
    return entries;
  }

  int client_calls_ = 0;
};

TEST_F(RegistryClientsTest, AnImageUmociMadeComesBackFromTheRegistryAsItWasPushed) {
  const std::string digest =
      MakeImage("t1", {{"hello.txt", "hello from the layer\n"}, {"etc/app.conf", "port = 8080\n"}});
  ASSERT_FALSE(digest.empty());

  ASSERT_TRUE(Push("t1", "demo/app:v1"));
  EXPECT_EQ(RemoteDigest("demo/app:v1"), digest);
  Outcome tags =
      Succeed({"skopeo", "list-tags", "--tls-verify=false", "--creds", Creds(), Ref("demo/app")});
  EXPECT_EQ(ParseObject(tags.out).value("Tags", Json()), Json::array({"v1"})) << tags;

  const fs::path rootfs = PullAndUnpack("demo/app:v1", "app");
  ASSERT_FALSE(rootfs.empty());
  EXPECT_EQ(LayoutDigest(pulled_layouts_["app"], "v1"), digest);
  EXPECT_EQ(ReadText(rootfs / "data/hello.txt"), "hello from the layer\n");
  EXPECT_EQ(ReadText(rootfs / "data/etc/app.conf"), "port = 8080\n");
}

TEST_F(RegistryClientsTest, ADockerArchiveRoundTripsThroughTheRegistry) {
  ASSERT_FALSE(MakeImage("t1", {{"hello.txt", "hello from a docker archive\n"}}).empty());
  ASSERT_TRUE(Push("t1", "demo/app:v1"));
  const Json oci_manifest = Json::parse(RawManifest("demo/app:v1"), nullptr, false);
  ASSERT_TRUE(oci_manifest.is_object());
  const std::string config = oci_manifest["config"].value("digest", "");

  // Registry → docker-archive → another repository: a Docker schema 2 manifest, same config.
  const fs::path first = clients_ / "first.tar", second = clients_ / "second.tar";
  Succeed({"skopeo", "copy", "--src-tls-verify=false", "--src-creds", Creds(), Ref("demo/app:v1"),
           "docker-archive:" + first.string() + ":demo/app:v1"});
  Outcome push = Succeed({"skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", Creds(),
                          "docker-archive:" + first.string(), Ref("demo/archived:v1")});
  ASSERT_EQ(push.exit_code, 0) << "server log:\n" << ServerLog();
  const Json docker_manifest = Json::parse(RawManifest("demo/archived:v1"), nullptr, false);
  ASSERT_TRUE(docker_manifest.is_object());
  EXPECT_EQ(docker_manifest.value("mediaType", ""),
            "application/vnd.docker.distribution.manifest.v2+json")
      << docker_manifest.dump(2);
  EXPECT_EQ(docker_manifest["config"].value("digest", ""), config) << docker_manifest.dump(2);

  // What the registry serves from that push holds the file.
  const fs::path rootfs = PullAndUnpack("demo/archived:v1", "archived");
  ASSERT_FALSE(rootfs.empty());
  EXPECT_EQ(ReadText(rootfs / "data/hello.txt"), "hello from a docker archive\n");

  // …and back into a docker-archive: the same config, and the layer is the image's
  // uncompressed layer byte for byte (its digest is the config's diff_id). umoci 0.4.7's
  // `insert` writes layer tars without the end-of-archive blocks, which GNU tar refuses
  // ("Unexpected EOF in archive"), so the layer is compared by digest rather than extracted.
  Succeed({"skopeo", "copy", "--src-tls-verify=false", "--src-creds", Creds(),
           Ref("demo/archived:v1"), "docker-archive:" + second.string() + ":demo/archived:v1"});
  Outcome config_json = Succeed({"skopeo", "inspect", "--config", "--raw", "--tls-verify=false",
                                 "--creds", Creds(), Ref("demo/archived:v1")});
  const Json diff_ids =
      ParseObject(config_json.out).value("rootfs", Json::object()).value("diff_ids", Json::array());
  ASSERT_EQ(diff_ids.size(), 1u) << config_json;
  const fs::path archive = clients_ / "archive";
  fs::create_directories(archive);
  ASSERT_EQ(Succeed({"tar", "-xf", second.string(), "-C", archive.string()}).exit_code, 0);
  const Json manifest = Json::parse(ReadText(archive / "manifest.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_array() && manifest.size() == 1) << manifest.dump(2);
  EXPECT_EQ("sha256:" + manifest[0].value("Config", "").substr(0, 64), config) << manifest.dump(2);
  ASSERT_EQ(manifest[0].value("Layers", Json::array()).size(), 1u) << manifest.dump(2);
  auto layer_digest = Sha256File(archive / manifest[0]["Layers"][0].get<std::string>());
  ASSERT_TRUE(layer_digest.ok()) << layer_digest.status().ToString();
  EXPECT_EQ("sha256:" + *layer_digest, diff_ids[0].get<std::string>()) << manifest.dump(2);
}

TEST_F(RegistryClientsTest, PodmanLogsInPullsTagsAndPushesToANewRepository) {
  ASSERT_FALSE(MakeImage("t1", {{"hello.txt", "hello podman\n"}}).empty());
  ASSERT_TRUE(Push("t1", "demo/app:v1"));
  const Json pushed = Json::parse(RawManifest("demo/app:v1"), nullptr, false);
  ASSERT_TRUE(pushed.is_object());
  const std::string config = pushed["config"].value("digest", "");

  // A wrong password is refused and stores nothing; the token as password logs in.
  Outcome wrong =
      Client({"podman", "login", "--tls-verify=false", "-u", "x", "-p", "not-a-token", host_});
  EXPECT_NE(wrong.exit_code, 0) << wrong;
  EXPECT_NE(Client({"podman", "login", "--get-login", host_}).exit_code, 0);
  Outcome login =
      Succeed({"podman", "login", "--tls-verify=false", "-u", "x", "-p", token_, host_});
  EXPECT_CONTAINS(login.out, "Login Succeeded");
  EXPECT_EQ(Trim(Succeed({"podman", "login", "--get-login", host_}).out), "x");

  Outcome pull =
      Succeed({"podman", "pull", "--tls-verify=false", "--creds", Creds(), host_ + "/demo/app:v1"});
  ASSERT_EQ(pull.exit_code, 0) << "server log:\n" << ServerLog();
  EXPECT_EQ("sha256:" + Trim(pull.out), config);  // podman prints the image ID
  Succeed({"podman", "tag", host_ + "/demo/app:v1", host_ + "/demo/copy:v1"});
  // No --creds: the push uses what `podman login` stored.
  const fs::path digest_file = clients_ / "podman.digest";
  Outcome push = Succeed({"podman", "push", "--tls-verify=false", "--digestfile",
                          digest_file.string(), host_ + "/demo/copy:v1"});
  ASSERT_EQ(push.exit_code, 0) << "server log:\n" << ServerLog();
  EXPECT_EQ(RemoteDigest("demo/copy:v1"), Trim(ReadText(digest_file)));
  const Json copy = Json::parse(RawManifest("demo/copy:v1"), nullptr, false);
  ASSERT_TRUE(copy.is_object());
  EXPECT_EQ(copy["config"].value("digest", ""), config) << copy.dump(2);

  const fs::path rootfs = PullAndUnpack("demo/copy:v1", "copy");
  ASSERT_FALSE(rootfs.empty());
  EXPECT_EQ(ReadText(rootfs / "data/hello.txt"), "hello podman\n");
}

// buildah runs here as root with the vfs driver: from scratch, copy, config, commit and push run
// no container, so they need neither a user namespace nor an OCI runtime.
TEST_F(RegistryClientsTest, BuildahBuildsAnImageFromScratchAndPushesIt) {
  Outcome from = Succeed({"buildah", "from", "scratch"});
  ASSERT_EQ(from.exit_code, 0);
  const std::string container = Trim(from.out);
  std::ofstream(clients_ / "built.txt") << "built by buildah\n";
  Succeed({"buildah", "copy", container, (clients_ / "built.txt").string(), "/srv/built.txt"});
  Succeed({"buildah", "config", "--label", "made-by=buildah", container});
  ASSERT_EQ(Succeed({"buildah", "commit", container, "localhost/built:1"}).exit_code, 0);
  const fs::path digest_file = clients_ / "buildah.digest";
  Outcome push =
      Succeed({"buildah", "push", "--tls-verify=false", "--creds", Creds(), "--digestfile",
               digest_file.string(), "localhost/built:1", Ref("demo/built:v1")});
  ASSERT_EQ(push.exit_code, 0) << "server log:\n" << ServerLog();
  Succeed({"buildah", "rm", container});

  EXPECT_EQ(RemoteDigest("demo/built:v1"), Trim(ReadText(digest_file)));
  Outcome inspect = Succeed(
      {"skopeo", "inspect", "--tls-verify=false", "--creds", Creds(), Ref("demo/built:v1")});
  const Json labels = ParseObject(inspect.out).value("Labels", Json());
  EXPECT_EQ(labels.value("made-by", ""), "buildah") << inspect;
  const fs::path rootfs = PullAndUnpack("demo/built:v1", "built");
  ASSERT_FALSE(rootfs.empty());
  EXPECT_EQ(ReadText(rootfs / "srv/built.txt"), "built by buildah\n");
}

TEST_F(RegistryClientsTest, PushingAnotherImageToATagIsRefusedAsImmutable) {
  const std::string first = MakeImage("t1", {{"hello.txt", "first\n"}});
  const std::string second = MakeImage("t2", {{"hello.txt", "second\n"}});
  ASSERT_NE(first, second);
  ASSERT_TRUE(Push("t1", "demo/app:v1"));

  Outcome moved = PushLayout("t2", "demo/app:v1");
  EXPECT_NE(moved.exit_code, 0) << moved;
  EXPECT_CONTAINS(moved.err, "immutable");
  EXPECT_EQ(RemoteDigest("demo/app:v1"), first);
  const fs::path rootfs = PullAndUnpack("demo/app:v1", "app");
  ASSERT_FALSE(rootfs.empty());
  EXPECT_EQ(ReadText(rootfs / "data/hello.txt"), "first\n");

  // Pushing the same image again is no move; the other image goes under a new tag.
  EXPECT_TRUE(Push("t1", "demo/app:v1"));
  EXPECT_TRUE(Push("t2", "demo/app:v2"));
  EXPECT_EQ(RemoteDigest("demo/app:v2"), second);
  EXPECT_EQ(RemoteDigest("demo/app:v1"), first);
}

TEST_F(RegistryClientsTest, AnonymousClientsPullOnlyFromPublicRepositoriesAndNeverPush) {
  const std::string digest = MakeImage("t1", {{"hello.txt", "for everyone\n"}});
  ASSERT_FALSE(MakeImage("t2", {{"hello.txt", "never pushed\n"}}).empty());
  ASSERT_TRUE(Push("t1", "demo/app:v1"));
  ASSERT_TRUE(Push("t1", "demo/private:v1"));

  Outcome hidden =
      Client({"skopeo", "inspect", "--tls-verify=false", "--no-creds", Ref("demo/app:v1")});
  EXPECT_NE(hidden.exit_code, 0) << hidden;
  EXPECT_CONTAINS(hidden.err, "authentication required");

  ApiAnswer made_public =
      Call("PUT", "/api/v1/registry/settings?repository=demo/app", R"({"public":true})");
  ASSERT_EQ(made_public.status, 200) << made_public;
  EXPECT_EQ(made_public.json.value("public", false), true) << made_public;

  Outcome inspect =
      Client({"skopeo", "inspect", "--tls-verify=false", "--no-creds", Ref("demo/app:v1")});
  ASSERT_EQ(inspect.exit_code, 0) << inspect << "\nserver log:\n" << ServerLog();
  EXPECT_EQ(ParseObject(inspect.out).value("Digest", ""), digest) << inspect;
  const fs::path rootfs = PullAndUnpack("demo/app:v1", "anonymous", /*anonymous=*/true);
  ASSERT_FALSE(rootfs.empty());
  EXPECT_EQ(LayoutDigest(pulled_layouts_["anonymous"], "v1"), digest);
  EXPECT_EQ(ReadText(rootfs / "data/hello.txt"), "for everyone\n");

  // Another repository stays private, and nobody pushes anonymously, even to a public one.
  Outcome still_hidden =
      Client({"skopeo", "inspect", "--tls-verify=false", "--no-creds", Ref("demo/private:v1")});
  EXPECT_NE(still_hidden.exit_code, 0) << still_hidden;
  EXPECT_CONTAINS(still_hidden.err, "authentication required");
  Outcome push = Client({"skopeo", "copy", "--dest-tls-verify=false", "--dest-no-creds",
                         "oci:" + Layout().string() + ":t2", Ref("demo/app:v2")});
  EXPECT_NE(push.exit_code, 0) << push;
  EXPECT_CONTAINS(push.err, "authentication required");
  Outcome tags =
      Succeed({"skopeo", "list-tags", "--tls-verify=false", "--creds", Creds(), Ref("demo/app")});
  EXPECT_EQ(ParseObject(tags.out).value("Tags", Json()), Json::array({"v1"})) << tags;
}

TEST_F(RegistryClientsTest, TheSameImageGoesToASecondRepository) {
  const std::string digest = MakeImage("t1", {{"hello.txt", "in two places\n"}});
  ASSERT_TRUE(Push("t1", "demo/app:v1"));

  // Registry to registry (skopeo may mount the blobs from demo/app), and the layout again to a
  // repository of another project.
  Outcome mirror =
      Succeed({"skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds",
               Creds(), "--dest-creds", Creds(), Ref("demo/app:v1"), Ref("demo/mirror:v1")});
  ASSERT_EQ(mirror.exit_code, 0) << "server log:\n" << ServerLog();
  ASSERT_TRUE(Push("t1", "other/app:v1"));

  for (const std::string target : {"demo/app:v1", "demo/mirror:v1", "other/app:v1"}) {
    EXPECT_EQ(RemoteDigest(target), digest) << target;
  }
  const fs::path rootfs = PullAndUnpack("demo/mirror:v1", "mirror");
  ASSERT_FALSE(rootfs.empty());
  EXPECT_EQ(ReadText(rootfs / "data/hello.txt"), "in two places\n");
  const fs::path other_rootfs = PullAndUnpack("other/app:v1", "other");
  ASSERT_FALSE(other_rootfs.empty());
  EXPECT_EQ(ReadText(other_rootfs / "data/hello.txt"), "in two places\n");
}

}  // namespace
}  // namespace slipway::e2e
