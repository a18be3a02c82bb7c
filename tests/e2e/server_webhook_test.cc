// Push webhooks from GitHub, GitLab and Gitea against the real server (signatures, delivery
// dedup, on.push filters), and the API's answers to bad requests (oversized, malformed,
// unknown project). Signatures are computed here from RFC 2104, not with the server's code.
#include "e2e/server_harness.h"
#include "util/sha256.h"

namespace slipway::e2e {
namespace {

// HMAC-SHA256 (RFC 2104) of `message` under `key`, lower-case hex.
std::string HmacSha256Hex(const std::string& key, const std::string& message) {
  constexpr size_t kBlock = 64;
  std::string block = key;
  if (block.size() > kBlock) {
    Sha256 hash;
    hash.Update(block);
    const Sha256Digest digest = hash.Final();
    block.assign(digest.begin(), digest.end());
  }
  block.resize(kBlock, '\0');
  std::string inner_pad = block, outer_pad = block;
  for (size_t i = 0; i < kBlock; ++i) {
    inner_pad[i] = static_cast<char>(block[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  Sha256 inner;
  inner.Update(inner_pad);
  inner.Update(message);
  const Sha256Digest inner_digest = inner.Final();
  Sha256 outer;
  outer.Update(outer_pad);
  outer.Update(inner_digest.data(), inner_digest.size());
  return HexEncode(outer.Final());
}

Json Fixture(const std::string& name) {
  return Json::parse(ReadText(fs::path(SLIPWAY_SOURCE_DIR) / "tests/api/fixtures" / name));
}

class ServerWebhookTest : public ServerE2eTest {
 protected:
  void SetUp() override {
    ServerE2eTest::SetUp();
    CommitPipeline(R"(name: hooks
on:
  push: {branches: [main]}
  manual: {}
jobs:
  build:
    steps: [{run: echo built}]
)");
    before_ = Head();
    Write("src/main.c", "int main() { return 0; }\n");
    Commit("second");
    after_ = Head();
    Git({"branch", "feature"});
    StartServer({"--local-agents", "0"});
    secret_ = AddProject().value("webhook_secret", "");
    ASSERT_FALSE(secret_.empty()) << "POST /api/v1/projects returned no webhook_secret";
  }

  std::string Head() {
    std::string head = Git({"rev-parse", "HEAD"});
    while (!head.empty() && head.back() == '\n') head.pop_back();
    return head;
  }

  // The provider's fixture as a push of `branch` from before_ to after_.
  std::string Push(const std::string& fixture, const std::string& branch = "main") {
    Json doc = Fixture(fixture);
    doc["ref"] = "refs/heads/" + branch;
    doc["before"] = before_;
    doc["after"] = after_;
    if (doc.contains("checkout_sha")) doc["checkout_sha"] = after_;
    for (auto& commit : doc["commits"]) commit["id"] = after_;
    if (doc.contains("head_commit") && doc["head_commit"].is_object()) {
      doc["head_commit"]["id"] = after_;
    }
    return doc.dump();
  }

  ApiAnswer Deliver(const std::string& provider, const std::string& body,
                    const http::Headers& headers, const std::string& project = "demo") {
    return Call("POST", "/hooks/" + provider + "/" + project, body, "", headers);
  }

  // GitHub headers for a push; `signature` "" leaves the signature out.
  static http::Headers GitHub(const std::string& delivery, const std::string& signature) {
    http::Headers headers{{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", delivery}};
    if (!signature.empty()) headers.Set("X-Hub-Signature-256", signature);
    return headers;
  }

  size_t RunCount() {
    ApiAnswer answer = Call("GET", "/api/v1/projects/demo/runs");
    EXPECT_EQ(answer.status, 200) << answer;
    return answer.json.is_object() ? answer.json["runs"].size() : 0;
  }

  std::string before_, after_, secret_;
};

TEST_F(ServerWebhookTest, GitHubSignedPushStartsOneRunOnceAndOnlyOnItsBranches) {
  const std::string body = Push("github_push.json");
  const std::string good = "sha256=" + HmacSha256Hex(secret_, body);

  ApiAnswer missing = Deliver("github", body, GitHub("d-1", ""));
  EXPECT_EQ(missing.status, 401) << missing;
  ApiAnswer wrong =
      Deliver("github", body, GitHub("d-1", "sha256=" + HmacSha256Hex("not-the-secret", body)));
  EXPECT_EQ(wrong.status, 401) << wrong;
  // A signature of other bytes: the body was changed on the way.
  ApiAnswer tampered =
      Deliver("github", body, GitHub("d-1", "sha256=" + HmacSha256Hex(secret_, body + " ")));
  EXPECT_EQ(tampered.status, 401) << tampered;
  EXPECT_EQ(RunCount(), 0u);

  ApiAnswer started = Deliver("github", body, GitHub("d-1", good));
  ASSERT_EQ(started.status, 201) << started;
  EXPECT_EQ(started.json.value("status", ""), "started");
  const Json& run = started.json["run"];
  EXPECT_EQ(run.value("trigger", ""), "webhook");
  EXPECT_EQ(run.value("commit", ""), after_);
  EXPECT_EQ(run.value("branch", ""), "main");
  EXPECT_EQ(run.value("created_by", ""), "webhook:github");
  EXPECT_EQ(RunCount(), 1u);

  ApiAnswer again = Deliver("github", body, GitHub("d-1", good));
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.json.value("status", ""), "duplicate") << again;
  EXPECT_EQ(RunCount(), 1u);

  const std::string feature = Push("github_push.json", "feature");
  ApiAnswer filtered =
      Deliver("github", feature, GitHub("d-2", "sha256=" + HmacSha256Hex(secret_, feature)));
  EXPECT_EQ(filtered.status, 200) << filtered;
  EXPECT_EQ(filtered.json.value("status", ""), "filtered") << filtered;
  EXPECT_EQ(RunCount(), 1u);

  // The started run is on the audit trail under the provider's name.
  ApiAnswer audit = Call("GET", "/api/v1/audit");
  EXPECT_CONTAINS(audit.body, "webhook:github");
}

TEST_F(ServerWebhookTest, GitLabPushNeedsTheProjectsToken) {
  const std::string body = Push("gitlab_push.json");
  auto headers = [](const std::string& token) {
    http::Headers h{{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Event-UUID", "gl-1"}};
    if (!token.empty()) h.Set("X-Gitlab-Token", token);
    return h;
  };
  EXPECT_EQ(Deliver("gitlab", body, headers("")).status, 401);
  EXPECT_EQ(Deliver("gitlab", body, headers(secret_ + "x")).status, 401);
  EXPECT_EQ(RunCount(), 0u);
  ApiAnswer started = Deliver("gitlab", body, headers(secret_));
  ASSERT_EQ(started.status, 201) << started;
  EXPECT_EQ(started.json["run"].value("created_by", ""), "webhook:gitlab");
  ApiAnswer again = Deliver("gitlab", body, headers(secret_));
  EXPECT_EQ(again.json.value("status", ""), "duplicate") << again;
  EXPECT_EQ(RunCount(), 1u);
}

TEST_F(ServerWebhookTest, GiteaPushNeedsItsSignature) {
  const std::string body = Push("gitea_push.json");
  auto headers = [](const std::string& signature) {
    http::Headers h{{"X-Gitea-Event", "push"}, {"X-Gitea-Delivery", "gt-1"}};
    if (!signature.empty()) h.Set("X-Gitea-Signature", signature);
    return h;
  };
  EXPECT_EQ(Deliver("gitea", body, headers("")).status, 401);
  EXPECT_EQ(Deliver("gitea", body, headers(HmacSha256Hex("wrong", body))).status, 401);
  EXPECT_EQ(RunCount(), 0u);
  ApiAnswer started = Deliver("gitea", body, headers(HmacSha256Hex(secret_, body)));
  ASSERT_EQ(started.status, 201) << started;
  EXPECT_EQ(started.json["run"].value("created_by", ""), "webhook:gitea");
  EXPECT_EQ(RunCount(), 1u);
}

TEST_F(ServerWebhookTest, BadRequestsGetClearErrorsAndChangeNothing) {
  // Over the 5 MiB webhook limit: refused before the signature is even looked at.
  const std::string huge(6 * 1024 * 1024, 'x');
  ApiAnswer too_big =
      Deliver("github", huge, GitHub("big", "sha256=" + HmacSha256Hex(secret_, huge)));
  EXPECT_EQ(too_big.status, 413) << too_big.body.substr(0, 200);
  EXPECT_EQ(RunCount(), 0u);

  const std::string body = Push("github_push.json");
  ApiAnswer unknown =
      Deliver("github", body, GitHub("d-9", "sha256=" + HmacSha256Hex(secret_, body)), "nope");
  EXPECT_EQ(unknown.status, 404) << unknown;
  EXPECT_CONTAINS(unknown.body, "nope");

  const size_t projects = Call("GET", "/api/v1/projects").json["projects"].size();
  ApiAnswer truncated = Call("POST", "/api/v1/projects", R"({"name": "x", "repo": )");
  EXPECT_EQ(truncated.status, 400) << truncated;
  ApiAnswer wrong_type =
      Call("POST", "/api/v1/projects", Json{{"name", 5}, {"repo", repo_.string()}}.dump());
  EXPECT_EQ(wrong_type.status, 400) << wrong_type;
  EXPECT_CONTAINS(wrong_type.body, "name");
  ApiAnswer unknown_field =
      Call("POST", "/api/v1/projects",
           Json{{"name", "x"}, {"repo", repo_.string()}, {"colour", "blue"}}.dump());
  EXPECT_EQ(unknown_field.status, 400) << unknown_field;
  EXPECT_CONTAINS(unknown_field.body, "colour");
  EXPECT_EQ(Call("GET", "/api/v1/projects").json["projects"].size(), projects);
  EXPECT_EQ(Call("GET", "/api/v1/projects/x").status, 404);
}

}  // namespace
}  // namespace slipway::e2e
