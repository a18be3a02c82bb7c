// Webhook payloads of the three providers parsed into exact events; pings, other events and
// deleted refs; malformed payloads answered with the field that is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "triggers/triggers.h"
#include "triggers_test_util.h"

namespace slipway::triggers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadFixture;

constexpr char kSecret[] = "hook-secret";

const char* EventHeader(Provider provider) {
  switch (provider) {
    case Provider::kGitHub:
      return "X-GitHub-Event";
    case Provider::kGitLab:
      return "X-Gitlab-Event";
    case Provider::kGitea:
      return "X-Gitea-Event";
  }
  return "";
}

// Delivers `body` as `event`, correctly signed, with `extra` headers.
Result<WebhookDelivery> Deliver(Provider provider, const std::string& event,
                                const std::string& body,
                                std::map<std::string, std::string> extra = {}) {
  const SignatureHeader signature = SignWebhook(provider, kSecret, body);
  extra[signature.name] = signature.value;
  extra[EventHeader(provider)] = event;
  return ParseWebhook(provider, HeadersFromMap(std::move(extra)), body, kSecret);
}

PushEvent DeliverPush(Provider provider, const std::string& event, const std::string& body,
                      std::map<std::string, std::string> extra = {}) {
  auto result = Deliver(provider, event, body, std::move(extra));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok() || !result->push) return {};
  EXPECT_EQ(result->kind, WebhookKind::kPush);
  return *result->push;
}

Status DeliverError(Provider provider, const std::string& event, const nlohmann::json& body) {
  auto result = Deliver(provider, event, body.dump());
  EXPECT_FALSE(result.ok()) << "accepted " << body.dump();
  return result.ok() ? Status::Ok() : result.status();
}

TEST(GitHubPayloadTest, BranchPushParsesIntoTheExactEvent) {
  PushEvent expected;
  expected.provider = Provider::kGitHub;
  expected.delivery_id = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
  expected.ref = "refs/heads/main";
  expected.before = "9049f1265b7d61be4a8904a9a27120d2064dab3b";
  expected.after = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
  expected.repository = "octo-org/shipyard";
  expected.clone_url = "https://github.com/octo-org/shipyard.git";
  expected.pusher = "monalisa";
  expected.commits = {{"7a3f1e2bd0c94c6e1f2a0b8d51c9e3f4a5b6c7d8", "Add health endpoint"},
                      {"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
                       "Document the health endpoint\n\nAlso drop the old status page."}};
  expected.changed_files = {"README.md", "docs/status.md", "src/CMakeLists.txt", "src/health.cc",
                            "src/health.h"};
  expected.changed_files_complete = true;
  expected.forced = false;
  EXPECT_EQ(DeliverPush(Provider::kGitHub, "push", ReadFixture("github_push.json"),
                        {{"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"}}),
            expected);
  EXPECT_TRUE(expected.IsBranch());
  EXPECT_EQ(expected.ShortRef(), "main");
  EXPECT_FALSE(expected.Created());
}

TEST(GitHubPayloadTest, TagPush) {
  const PushEvent event = DeliverPush(Provider::kGitHub, "push", ReadFixture("github_tag.json"));
  EXPECT_EQ(event.ref, "refs/tags/v1.2.0");
  EXPECT_TRUE(event.IsTag());
  EXPECT_TRUE(event.Created());
  EXPECT_EQ(event.ShortRef(), "v1.2.0");
  EXPECT_EQ(event.after, "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
  EXPECT_TRUE(event.commits.empty());
  EXPECT_TRUE(event.changed_files.empty());
}

TEST(GitHubPayloadTest, DeletedBranchStartsNothing) {
  auto result = Deliver(Provider::kGitHub, "push", ReadFixture("github_delete.json"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kind, WebhookKind::kDeletedRef);
  EXPECT_FALSE(result->StartsRun());
  ASSERT_TRUE(result->push.has_value());
  EXPECT_TRUE(result->push->Deleted());
  EXPECT_EQ(result->push->ref, "refs/heads/feature/old-ui");
}

TEST(GitHubPayloadTest, DeletedFlagAloneMeansDeleted) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("github_delete.json"));
  body["after"] = "5b8e4f0a3c2d1e9f8a7b6c5d4e3f2a1b0c9d8e7f";  // "deleted": true still wins
  auto result = Deliver(Provider::kGitHub, "push", body.dump());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kind, WebhookKind::kDeletedRef);
}

TEST(GitHubPayloadTest, PingIsRecognisedAndStartsNothing) {
  auto result = Deliver(Provider::kGitHub, "ping", ReadFixture("github_ping.json"),
                        {{"X-GitHub-Delivery", "d1"}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kind, WebhookKind::kPing);
  EXPECT_EQ(result->event, "ping");
  EXPECT_EQ(result->delivery_id, "d1");
  EXPECT_FALSE(result->push.has_value());
  EXPECT_FALSE(result->StartsRun());
}

TEST(GitHubPayloadTest, OtherEventsAreIgnoredWithoutReadingTheBody) {
  for (const char* event : {"issues", "pull_request", "create", "delete", "workflow_run"}) {
    auto result = Deliver(Provider::kGitHub, event, "this body is never parsed");
    ASSERT_TRUE(result.ok()) << event << ": " << result.status().ToString();
    EXPECT_EQ(result->kind, WebhookKind::kIgnoredEvent);
    EXPECT_EQ(result->event, event);
    EXPECT_FALSE(result->StartsRun());
  }
}

TEST(GitHubPayloadTest, MissingEventHeaderIsAnError) {
  const std::string body = ReadFixture("github_push.json");
  auto result = ParseWebhook(
      Provider::kGitHub,
      HeadersFromMap(
          {{"X-Hub-Signature-256", SignWebhook(Provider::kGitHub, kSecret, body).value}}),
      body, kSecret);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "X-GitHub-Event header is missing");
}

TEST(GitHubPayloadTest, ForcedPushHasNoReliableFileList) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("github_push.json"));
  body["forced"] = true;
  const PushEvent event = DeliverPush(Provider::kGitHub, "push", body.dump());
  EXPECT_TRUE(event.forced);
  EXPECT_FALSE(event.changed_files_complete);
}

TEST(GitHubPayloadTest, CommitWithoutFileListsMakesTheListIncomplete) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("github_push.json"));
  body["commits"][0].erase("added");
  const PushEvent event = DeliverPush(Provider::kGitHub, "push", body.dump());
  EXPECT_FALSE(event.changed_files_complete);
  EXPECT_THAT(event.changed_files,
              ElementsAre("README.md", "docs/status.md", "src/CMakeLists.txt"));
}

TEST(GitHubPayloadTest, PusherFallsBackToSender) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("github_push.json"));
  body.erase("pusher");
  body["sender"]["login"] = "octocat";
  EXPECT_EQ(DeliverPush(Provider::kGitHub, "push", body.dump()).pusher, "octocat");
}

TEST(GitLabPayloadTest, PushHookParsesIntoTheExactEvent) {
  PushEvent expected;
  expected.provider = Provider::kGitLab;
  expected.delivery_id = "4b5a0f8e-3c1d-4e2f-9a8b-7c6d5e4f3a2b";
  expected.ref = "refs/heads/release/2.x";
  expected.before = "95790bf891e76fee5e1747ab589903a6a1f80f22";
  expected.after = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
  expected.repository = "platform/harbour";
  expected.clone_url = "https://gitlab.example.com/platform/harbour.git";
  expected.pusher = "jdoe";
  expected.commits = {{"b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327", "Bump the chart version\n"},
                      {"da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "Fix the readme\n"}};
  expected.changed_files = {"README.md", "charts/harbour/Chart.yaml",
                            "charts/harbour/values-old.yaml", "charts/harbour/values-prod.yaml"};
  EXPECT_EQ(DeliverPush(Provider::kGitLab, "Push Hook", ReadFixture("gitlab_push.json"),
                        {{"X-Gitlab-Event-UUID", "4b5a0f8e-3c1d-4e2f-9a8b-7c6d5e4f3a2b"}}),
            expected);
  EXPECT_EQ(expected.ShortRef(), "release/2.x");
}

TEST(GitLabPayloadTest, TagPushHook) {
  const PushEvent event =
      DeliverPush(Provider::kGitLab, "Tag Push Hook", ReadFixture("gitlab_tag_push.json"));
  EXPECT_EQ(event.ref, "refs/tags/v2.0.0");
  EXPECT_TRUE(event.IsTag());
  EXPECT_TRUE(event.Created());
  EXPECT_EQ(event.pusher, "Jane Doe");  // tag hooks carry user_name only
  EXPECT_TRUE(event.changed_files_complete);
}

TEST(GitLabPayloadTest, IdempotencyKeyIsTheDeliveryIdWhenPresent) {
  auto result = Deliver(Provider::kGitLab, "Push Hook", ReadFixture("gitlab_push.json"),
                        {{"X-Gitlab-Event-UUID", "request-uuid"}, {"Idempotency-Key", "key-1"}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->delivery_id, "key-1");
  EXPECT_EQ(result->push->delivery_id, "key-1");
}

TEST(GitLabPayloadTest, MoreThanTwentyCommitsMeansAnIncompleteFileList) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("gitlab_push.json"));
  body["total_commits_count"] = 31;
  const PushEvent event = DeliverPush(Provider::kGitLab, "Push Hook", body.dump());
  EXPECT_FALSE(event.changed_files_complete);
  EXPECT_EQ(event.commits.size(), 2u);
}

TEST(GitLabPayloadTest, DeletedBranch) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("gitlab_push.json"));
  body["after"] = std::string(40, '0');
  body["checkout_sha"] = nullptr;
  body["commits"] = nlohmann::json::array();
  body["total_commits_count"] = 0;
  auto result = Deliver(Provider::kGitLab, "Push Hook", body.dump());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kind, WebhookKind::kDeletedRef);
}

TEST(GitLabPayloadTest, OtherHooksAreIgnored) {
  for (const char* event : {"Merge Request Hook", "Issue Hook", "Pipeline Hook", "Note Hook"}) {
    auto result = Deliver(Provider::kGitLab, event, "{}");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->kind, WebhookKind::kIgnoredEvent);
  }
}

TEST(GitLabPayloadTest, ObjectKindMustBeAPush) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("gitlab_push.json"));
  body["object_kind"] = "merge_request";
  EXPECT_EQ(DeliverError(Provider::kGitLab, "Push Hook", body).message(),
            "field 'object_kind' must be \"push\" or \"tag_push\" in a push hook");
}

TEST(GiteaPayloadTest, PushParsesIntoTheExactEvent) {
  PushEvent expected;
  expected.provider = Provider::kGitea;
  expected.delivery_id = "f6266f16-1bf3-46a5-9ea4-602e06ead473";
  expected.ref = "refs/heads/develop";
  expected.before = "28e1879d029cb852e4844d9c718537df08844e03";
  expected.after = "bffeb74224043ba2feb48d137756c8a9331c449a";
  expected.repository = "tools/dock";
  expected.clone_url = "https://git.example.org/tools/dock.git";
  expected.pusher = "sam";
  expected.commits = {{"bffeb74224043ba2feb48d137756c8a9331c449a", "Add the dock command\n"}};
  expected.changed_files = {"cmd/dock/main.go", "go.mod"};
  EXPECT_EQ(DeliverPush(Provider::kGitea, "push", ReadFixture("gitea_push.json"),
                        {{"X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473"}}),
            expected);
}

TEST(GiteaPayloadTest, TotalCommitsBeyondTheListMeansIncomplete) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("gitea_push.json"));
  body["total_commits"] = 12;
  EXPECT_FALSE(DeliverPush(Provider::kGitea, "push", body.dump()).changed_files_complete);
}

TEST(GiteaPayloadTest, OtherEventsAreIgnored) {
  for (const char* event : {"create", "delete", "pull_request", "issues", "release"}) {
    auto result = Deliver(Provider::kGitea, event, "{}");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->kind, WebhookKind::kIgnoredEvent) << event;
  }
}

// --- malformed payloads ----------------------------------------------------------------------

TEST(MalformedPayloadTest, NotJson) {
  auto result = Deliver(Provider::kGitHub, "push", "{\"ref\": ");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("body is not valid JSON: parse error"));
  EXPECT_THAT(result.status().message(), ::testing::Not(HasSubstr("[json.exception")));
}

TEST(MalformedPayloadTest, NotAnObject) {
  EXPECT_EQ(DeliverError(Provider::kGitea, "push", nlohmann::json::array()).message(),
            "body must be a JSON object");
}

struct FieldCase {
  Provider provider;
  const char* fixture;
  const char* event;
  nlohmann::json::json_pointer where;
  nlohmann::json value;  // null: remove the field
  const char* message;
};

TEST(MalformedPayloadTest, ErrorsNameTheField) {
  using P = nlohmann::json::json_pointer;
  const nlohmann::json kRemove;
  const std::vector<FieldCase> cases = {
      {Provider::kGitHub, "github_push.json", "push", P("/ref"), kRemove, "field 'ref' is missing"},
      {Provider::kGitHub, "github_push.json", "push", P("/ref"), 42,
       "field 'ref' must be a string"},
      {Provider::kGitHub, "github_push.json", "push", P("/ref"), "main",
       "field 'ref' must be a full ref name such as refs/heads/main, not 'main'"},
      {Provider::kGitHub, "github_push.json", "push", P("/after"), "0d1a26e",
       "field 'after' must be a full commit id (40 or 64 hex digits)"},
      {Provider::kGitHub, "github_push.json", "push", P("/before"), kRemove,
       "field 'before' is missing"},
      {Provider::kGitHub, "github_push.json", "push", P("/repository"), "octo-org/shipyard",
       "field 'repository' must be an object"},
      {Provider::kGitHub, "github_push.json", "push", P("/repository/clone_url"), kRemove,
       "field 'repository.clone_url' is missing"},
      {Provider::kGitHub, "github_push.json", "push", P("/commits"), kRemove,
       "field 'commits' is missing"},
      {Provider::kGitHub, "github_push.json", "push", P("/commits"), "none",
       "field 'commits' must be a list of objects"},
      {Provider::kGitHub, "github_push.json", "push", P("/commits/1"), 7,
       "field 'commits[1]' must be an object"},
      {Provider::kGitHub, "github_push.json", "push", P("/commits/1/added"), "README.md",
       "field 'commits[1].added' must be a list of strings"},
      {Provider::kGitHub, "github_push.json", "push", P("/commits/0/removed/0"), 3,
       "field 'commits[0].removed' must be a list of strings"},
      {Provider::kGitHub, "github_push.json", "push", P("/commits/1/id"), kRemove,
       "field 'commits[1].id' is missing"},
      {Provider::kGitHub, "github_push.json", "push", P("/commits/0/message"), false,
       "field 'commits[0].message' must be a string"},
      {Provider::kGitHub, "github_push.json", "push", P("/forced"), "yes",
       "field 'forced' must be true or false"},
      {Provider::kGitLab, "gitlab_push.json", "Push Hook", P("/object_kind"), kRemove,
       "field 'object_kind' is missing"},
      {Provider::kGitLab, "gitlab_push.json", "Push Hook", P("/project"), kRemove,
       "field 'project' is missing"},
      {Provider::kGitLab, "gitlab_push.json", "Push Hook", P("/project/path_with_namespace"), 15,
       "field 'project.path_with_namespace' must be a string"},
      {Provider::kGitLab, "gitlab_push.json", "Push Hook", P("/total_commits_count"), "2",
       "field 'total_commits_count' must be an integer"},
      {Provider::kGitLab, "gitlab_push.json", "Push Hook", P("/commits/1/modified"),
       nlohmann::json::object(), "field 'commits[1].modified' must be a list of strings"},
      {Provider::kGitea, "gitea_push.json", "push", P("/repository/full_name"), kRemove,
       "field 'repository.full_name' is missing"},
      {Provider::kGitea, "gitea_push.json", "push", P("/commits/0/added"), nlohmann::json{1, 2},
       "field 'commits[0].added' must be a list of strings"},
  };
  for (const FieldCase& c : cases) {
    nlohmann::json body = nlohmann::json::parse(ReadFixture(c.fixture));
    if (c.value.is_null()) {
      body[c.where.parent_pointer()].erase(c.where.back());
    } else {
      body[c.where] = c.value;
    }
    const Status status = DeliverError(c.provider, c.event, body);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.where.to_string();
    EXPECT_EQ(status.message(), c.message) << c.where.to_string();
  }
}

TEST(MalformedPayloadTest, NullCountsAsMissing) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("github_push.json"));
  body["ref"] = nullptr;
  EXPECT_EQ(DeliverError(Provider::kGitHub, "push", body).message(), "field 'ref' is missing");
}

TEST(MalformedPayloadTest, HugeRefIsNotEchoedWhole) {
  nlohmann::json body = nlohmann::json::parse(ReadFixture("github_push.json"));
  body["ref"] = std::string(10000, 'x');
  EXPECT_LT(DeliverError(Provider::kGitHub, "push", body).message().size(), 200u);
}

TEST(ProviderTest, NamesRoundTrip) {
  for (Provider p : {Provider::kGitHub, Provider::kGitLab, Provider::kGitea}) {
    EXPECT_EQ(ParseProvider(ProviderName(p)), p);
  }
  EXPECT_EQ(ParseProvider("bitbucket"), std::nullopt);
  EXPECT_EQ(ParseProvider("GitHub"), std::nullopt);
}

}  // namespace
}  // namespace slipway::triggers
