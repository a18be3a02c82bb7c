// Webhooks from GitHub, GitLab and Gitea with payloads shaped like their documented push events
// (tests/api/fixtures), against a real repository: signatures, delivery dedup, on.push
// filters, deleted refs, and invalid pipelines.
#include <future>

#include "api_fixture.h"
#include "fault_store.h"
#include "triggers/triggers.h"

namespace slipway::api::testing {
namespace {

using triggers::Provider;

const std::string kZeros(40, '0');
const std::string kSecret = "0123456789abcdef-secret";

// A provider's push payload for `ref` from `before` to `after`, touching `files`.
std::string PushPayload(Provider provider, const std::string& ref, const std::string& before,
                        const std::string& after, const std::vector<std::string>& files = {},
                        bool deleted = false) {
  const char* fixture = provider == Provider::kGitHub   ? "github_push.json"
                        : provider == Provider::kGitLab ? "gitlab_push.json"
                                                        : "gitea_push.json";
  json doc = json::parse(ReadFixture(fixture));
  doc["ref"] = ref;
  doc["before"] = before;
  doc["after"] = deleted ? kZeros : after;
  json commit = doc["commits"][0];
  commit["id"] = after;
  commit["added"] = files;
  commit["modified"] = json::array();
  commit["removed"] = json::array();
  doc["commits"] = deleted ? json::array() : json::array({commit});
  switch (provider) {
    case Provider::kGitHub:
      doc["deleted"] = deleted;
      doc["created"] = before == kZeros;
      doc["head_commit"] = deleted ? json(nullptr) : commit;
      break;
    case Provider::kGitLab:
      doc["object_kind"] = ref.starts_with("refs/tags/") ? "tag_push" : "push";
      doc["checkout_sha"] = after;
      doc["total_commits_count"] = deleted ? 0 : 1;
      break;
    case Provider::kGitea:
      doc["total_commits"] = deleted ? 0 : 1;
      doc["head_commit"] = deleted ? json(nullptr) : commit;
      break;
  }
  return doc.dump();
}

http::Headers DeliveryHeaders(Provider provider, const std::string& body,
                              const std::string& delivery, const std::string& secret,
                              const std::string& event = "push") {
  http::Headers headers{{"Content-Type", "application/json"}};
  switch (provider) {
    case Provider::kGitHub:
      headers.Set("X-GitHub-Event", event);
      headers.Set("X-GitHub-Delivery", delivery);
      break;
    case Provider::kGitLab:
      headers.Set("X-Gitlab-Event", event == "push" ? "Push Hook" : event);
      headers.Set("X-Gitlab-Event-UUID", delivery);
      break;
    case Provider::kGitea:
      headers.Set("X-Gitea-Event", event);
      headers.Set("X-Gitea-Delivery", delivery);
      break;
  }
  if (!secret.empty()) {
    auto signature = triggers::SignWebhook(provider, secret, body);
    headers.Set(signature.name, signature.value);
  }
  return headers;
}

class HooksTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = MakeRepo();
    first_ = repo_->Git({"rev-parse", "HEAD"});
    repo_->Write("src/lib.c", "int f() { return 1; }\n");
    second_ = repo_->Commit("second");
    AddProject("hello", *repo_, kSecret);
  }

  Reply Deliver(Provider provider, const std::string& body, const std::string& delivery,
                const std::string& secret = kSecret, const std::string& event = "push") {
    const std::string path = "/hooks/" + std::string(triggers::ProviderName(provider)) + "/hello";
    return Call("POST", path, body, "", DeliveryHeaders(provider, body, delivery, secret, event));
  }

  std::unique_ptr<Repo> repo_;
  std::string first_, second_;
};

TEST_F(HooksTest, GitHubPushStartsExactlyOneRun) {
  const std::string body =
      PushPayload(Provider::kGitHub, "refs/heads/main", first_, second_, {"src/lib.c"});
  Reply reply = Deliver(Provider::kGitHub, body, "d-1");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.doc["status"], "started");
  const json& run = reply.doc["run"];
  EXPECT_EQ(run["project"], "hello");
  EXPECT_EQ(run["number"], 1);
  EXPECT_EQ(run["status"], "queued");
  EXPECT_EQ(run["trigger"], "webhook");
  EXPECT_EQ(run["event"], "push");
  EXPECT_EQ(run["ref"], "refs/heads/main");
  EXPECT_EQ(run["branch"], "main");
  EXPECT_EQ(run["commit"], second_);
  EXPECT_EQ(run["created_by"], "webhook:github");
  EXPECT_EQ(reply.Header("Location"), "http://slipway.example/api/v1/projects/hello/runs/1");

  auto runs = Runs("hello");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].delivery_id, "d-1");
  EXPECT_EQ(runs[0].pipeline_yaml, kPipeline);  // read at the pushed commit
  auto jobs = store_->ListJobs(runs[0].id);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), 2u);

  auto trail = AuditTrail();
  ASSERT_EQ(trail.size(), 2u);  // project.add, run.start
  EXPECT_EQ(trail[1].action, "run.start");
  EXPECT_EQ(trail[1].actor, "webhook:github");
  EXPECT_EQ(trail[1].target, "run/hello/1");
  EXPECT_EQ(trail[1].details_json.find(kSecret), std::string::npos);
}

TEST_F(HooksTest, ThePipelineIsReadAtThePushedCommit) {
  // The pipeline changes after the pushed commit: the run must use the pushed version.
  std::string later = kPipeline;
  later.replace(later.find("echo test"), 9, "echo LATER");
  repo_->Write(".slipway.yml", later);
  const std::string third = repo_->Commit("third");
  Reply reply = Deliver(Provider::kGitHub,
                        PushPayload(Provider::kGitHub, "refs/heads/main", first_, second_), "d-1");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(Runs("hello")[0].pipeline_yaml, kPipeline);
  Reply next = Deliver(Provider::kGitHub,
                       PushPayload(Provider::kGitHub, "refs/heads/main", second_, third), "d-2");
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_EQ(Runs("hello")[0].pipeline_yaml, later);
}

TEST_F(HooksTest, RepeatedDeliveryStartsNothing) {
  const std::string body = PushPayload(Provider::kGitHub, "refs/heads/main", first_, second_);
  ASSERT_EQ(Deliver(Provider::kGitHub, body, "same-id").status, 201);
  Reply again = Deliver(Provider::kGitHub, body, "same-id");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.doc["status"], "duplicate");
  EXPECT_EQ(Runs("hello").size(), 1u);
}

// Several copies of one delivery at once (a provider retrying while the first is handled):
// exactly one starts a run, the others are duplicates.
TEST_F(HooksTest, ConcurrentCopiesOfADeliveryStartOneRun) {
  const std::string body = PushPayload(Provider::kGitHub, "refs/heads/main", first_, second_);
  std::vector<std::future<Reply>> copies;
  for (int i = 0; i < 6; ++i) {
    copies.push_back(std::async(std::launch::async,
                                [&] { return Deliver(Provider::kGitHub, body, "same-id"); }));
  }
  int started = 0, duplicates = 0;
  for (auto& copy : copies) {
    Reply reply = copy.get();
    started += reply.status == 201;
    duplicates += reply.status == 200 && reply.doc.value("status", "") == "duplicate";
  }
  EXPECT_EQ(started, 1);
  EXPECT_EQ(duplicates, 5);
  EXPECT_EQ(Runs("hello").size(), 1u);
}

TEST_F(HooksTest, WrongOrMissingSignatureIs401AndStartsNothing) {
  const std::string body = PushPayload(Provider::kGitHub, "refs/heads/main", first_, second_);
  Reply wrong = Deliver(Provider::kGitHub, body, "d-1", "not-the-secret-at-all");
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_NE(wrong.ErrorMessage().find("X-Hub-Signature-256"), std::string::npos);
  Reply missing = Deliver(Provider::kGitHub, body, "d-1", "");
  EXPECT_EQ(missing.status, 401);
  for (Provider provider : {Provider::kGitLab, Provider::kGitea}) {
    const std::string other = PushPayload(provider, "refs/heads/main", first_, second_);
    EXPECT_EQ(Deliver(provider, other, "d-1", "not-the-secret-at-all").status, 401);
    EXPECT_EQ(Deliver(provider, other, "d-1", "").status, 401);
  }
  EXPECT_TRUE(Runs("hello").empty());
  // The refused deliveries were not recorded: the genuine one still starts its run.
  EXPECT_EQ(Deliver(Provider::kGitHub, body, "d-1").status, 201);
}

TEST_F(HooksTest, GitLabAndGiteaPushesStartRuns) {
  Reply gitlab = Deliver(Provider::kGitLab,
                         PushPayload(Provider::kGitLab, "refs/heads/main", first_, second_), "g-1");
  ASSERT_EQ(gitlab.status, 201) << gitlab.body;
  EXPECT_EQ(gitlab.doc["run"]["created_by"], "webhook:gitlab");
  Reply gitea = Deliver(Provider::kGitea,
                        PushPayload(Provider::kGitea, "refs/heads/main", first_, second_), "t-1");
  ASSERT_EQ(gitea.status, 201) << gitea.body;
  EXPECT_EQ(gitea.doc["run"]["created_by"], "webhook:gitea");
  EXPECT_EQ(Runs("hello").size(), 2u);
}

TEST_F(HooksTest, PushTheFiltersRejectIsFiltered) {
  repo_->Git({"checkout", "-q", "-b", "feature/x"});
  repo_->Write("feature.txt", "x\n");
  const std::string feature = repo_->Commit("feature");
  Reply reply = Deliver(
      Provider::kGitHub,
      PushPayload(Provider::kGitHub, "refs/heads/feature/x", kZeros, feature, {"feature.txt"}),
      "d-1");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["status"], "filtered");
  EXPECT_TRUE(Runs("hello").empty());
}

TEST_F(HooksTest, PathFiltersUseTheChangedFiles) {
  std::string pipeline = kPipeline;
  pipeline.replace(pipeline.find("    tags: ['v*']\n"), 17, "    paths: ['src/**']\n");
  repo_->Write(".slipway.yml", pipeline);
  const std::string docs_only = repo_->Commit("pipeline");
  Reply filtered = Deliver(
      Provider::kGitHub,
      PushPayload(Provider::kGitHub, "refs/heads/main", second_, docs_only, {"README.md"}), "d-1");
  EXPECT_EQ(filtered.doc["status"], "filtered") << filtered.body;
  repo_->Write("src/new.c", "\n");
  const std::string source = repo_->Commit("source");
  Reply started = Deliver(
      Provider::kGitHub,
      PushPayload(Provider::kGitHub, "refs/heads/main", docs_only, source, {"src/new.c"}), "d-2");
  EXPECT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(Runs("hello").size(), 1u);
}

TEST_F(HooksTest, DeletedBranchStartsNothing) {
  Reply reply =
      Deliver(Provider::kGitHub,
              PushPayload(Provider::kGitHub, "refs/heads/main", second_, "", {}, true), "d-1");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["status"], "ignored");
  EXPECT_NE(reply.doc["reason"].get<std::string>().find("deleted"), std::string::npos);
  EXPECT_TRUE(Runs("hello").empty());
}

TEST_F(HooksTest, TagPushStartsARunForTheTag) {
  repo_->Git({"tag", "v1.0"});
  Reply reply = Deliver(Provider::kGitHub,
                        PushPayload(Provider::kGitHub, "refs/tags/v1.0", kZeros, second_), "d-1");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.doc["run"]["ref"], "refs/tags/v1.0");
  EXPECT_EQ(reply.doc["run"]["branch"], "");
}

TEST_F(HooksTest, OtherEventsAreIgnored) {
  Reply ping = Deliver(Provider::kGitHub, ReadFixture("github_ping.json"), "p-1", kSecret, "ping");
  EXPECT_EQ(ping.status, 200) << ping.body;
  EXPECT_EQ(ping.doc["status"], "ignored");
  Reply issues = Deliver(Provider::kGitHub, R"({"action":"opened"})", "i-1", kSecret, "issues");
  EXPECT_EQ(issues.doc["status"], "ignored");
  EXPECT_TRUE(Runs("hello").empty());
}

TEST_F(HooksTest, InvalidPipelineMakesAFailedRunWithFileLineColumn) {
  repo_->Write(".slipway.yml", "on: push\njobs:\n  build:\n    stepz:\n      - run: make\n");
  const std::string bad = repo_->Commit("broken pipeline");
  Reply reply = Deliver(Provider::kGitHub,
                        PushPayload(Provider::kGitHub, "refs/heads/main", second_, bad), "d-1");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.doc["run"]["status"], "failure");
  Reply detail = Admin("GET", "/api/v1/projects/hello/runs/1");
  ASSERT_EQ(detail.status, 200);
  const std::string error = detail.doc["error"];
  EXPECT_NE(error.find(".slipway.yml:4:5"), std::string::npos) << error;
  EXPECT_NE(error.find("stepz"), std::string::npos) << error;
  EXPECT_TRUE(detail.doc["jobs"].empty());
}

TEST_F(HooksTest, MissingPipelineFileStartsNothing) {
  repo_->Git({"rm", "-q", ".slipway.yml"});
  const std::string without = repo_->Commit("no pipeline");
  Reply reply = Deliver(Provider::kGitHub,
                        PushPayload(Provider::kGitHub, "refs/heads/main", second_, without), "d-1");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.doc["status"], "ignored");
  EXPECT_TRUE(Runs("hello").empty());
}

TEST_F(HooksTest, BadDeliveriesAreRefusedAndStartNothing) {
  const std::string body = PushPayload(Provider::kGitHub, "refs/heads/main", first_, second_);
  // Unknown project and provider: 404 naming them.
  Reply project = Call("POST", "/hooks/github/nope", body, "",
                       DeliveryHeaders(Provider::kGitHub, body, "d-1", kSecret));
  EXPECT_EQ(project.status, 404);
  EXPECT_EQ(project.ErrorMessage(), "project 'nope' does not exist");
  Reply provider = Call("POST", "/hooks/bitbucket/hello", body, "",
                        DeliveryHeaders(Provider::kGitHub, body, "d-1", kSecret));
  EXPECT_EQ(provider.status, 404);
  EXPECT_NE(provider.ErrorMessage().find("bitbucket"), std::string::npos);
  // A signed payload that is not a push event: 400 naming the field.
  json no_ref = json::parse(body);
  no_ref.erase("ref");
  Reply malformed = Deliver(Provider::kGitHub, no_ref.dump(), "d-2");
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_NE(malformed.ErrorMessage().find("'ref'"), std::string::npos) << malformed.body;
  // A commit the project's repository does not have.
  Reply foreign = Deliver(
      Provider::kGitHub,
      PushPayload(Provider::kGitHub, "refs/heads/main", first_, std::string(40, 'a')), "d-3");
  EXPECT_EQ(foreign.status, 412) << foreign.body;
  // Over 5 MiB: 413 before the signature is even checked.
  std::string huge = body;
  huge.insert(1, "\"padding\":\"" + std::string(6 << 20, 'x') + "\",");
  Reply too_big = Deliver(Provider::kGitHub, huge, "d-4");
  EXPECT_EQ(too_big.status, 413);
  EXPECT_TRUE(Runs("hello").empty());
}

// The store refuses the run (a full disk): the delivery must not count as received, so the
// provider's redelivery starts the run and the push is not lost.
class HooksFaultTest : public WithFaultStore<HooksTest> {};

TEST_F(HooksFaultTest, ARedeliveryAfterTheRunCouldNotBeStoredStartsIt) {
  const std::string body = PushPayload(Provider::kGitHub, "refs/heads/main", first_, second_);
  faulty_->fail_create_run = true;
  Reply failed = Deliver(Provider::kGitHub, body, "d-1");
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_TRUE(Runs("hello").empty());
  faulty_->fail_create_run = false;
  Reply redelivered = Deliver(Provider::kGitHub, body, "d-1");
  EXPECT_EQ(redelivered.status, 201) << redelivered.body;
  ASSERT_EQ(Runs("hello").size(), 1u);
  EXPECT_EQ(Runs("hello")[0].delivery_id, "d-1");
  Reply again = Deliver(Provider::kGitHub, body, "d-1");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.doc["status"], "duplicate");
  EXPECT_EQ(Runs("hello").size(), 1u);
}

}  // namespace
}  // namespace slipway::api::testing
