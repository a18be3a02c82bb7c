// Job artifacts over HTTP with the real AgentService, ArtifactStore and Dispatcher: an agent
// uploads its attempt's archive under its lease, the dependent job's lease lists it, the
// dependent's agent and a viewer download it; bad uploads are refused and store nothing.
#include <cstring>
#include <fstream>

#include "api_fixture.h"
#include "runner/runner.h"
#include "util/tree_archive.h"

namespace slipway::api::testing {
namespace {

constexpr uint64_t kLimit = 64 * 1024;

const char* kArtifactsPipeline = R"(on: [manual]
jobs:
  build:
    artifacts: dist/**
    steps: [{run: 'true'}]
  plain:
    steps: [{run: 'true'}]
  test:
    needs: [build, plain]
    steps: [{run: 'true'}]
)";

class ArtifactsApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    server_.reset();
    artifacts_ = std::make_unique<engine::ArtifactStore>(
        engine::ArtifactStoreOptions{.root = dir_ / "data" / "artifacts", .max_bytes = kLimit});
    engine::AgentServiceOptions options;
    options.lease = 30s;
    options.finished = &dispatch_;
    options.artifacts = artifacts_.get();
    agents_ = std::make_unique<engine::AgentService>(store_.get(), &work_, options);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    repo_ = MakeRepo("repo", kArtifactsPipeline);
    AddProject("hello", *repo_);
    agent_ = RegisterAgent("a1");
    StartDispatcher();
  }

  ApiContext Context() override {
    ApiContext context = ApiTest::Context();
    context.artifacts = artifacts_.get();
    return context;
  }

  // Leases jobs until `instance` comes (finishing the others as successes); its assignment.
  json LeaseUntil(const std::string& instance) {
    for (int i = 0; i < 5; ++i) {
      Reply leased = Call("POST", "/api/v1/agent/lease", R"({"wait_ms": 10000})", agent_);
      EXPECT_EQ(leased.status, 200) << leased.body;
      if (leased.status != 200) return nullptr;
      if (leased.doc["instance_id"] == instance) return leased.doc;
      EXPECT_EQ(Finish(leased.doc, runner::Outcome::kSuccess).status, 200);
    }
    ADD_FAILURE() << "no lease for " << instance;
    return nullptr;
  }

  Reply Finish(const json& job, runner::Outcome outcome) {
    runner::AttemptReport report;
    report.attempt = job["attempt"];
    report.outcome = outcome;
    return Call("POST", AttemptPath(job, "finish"), runner::AttemptReportToJson(report), agent_,
                {{"X-Lease-Token", job["lease_token"].get<std::string>()}});
  }

  static std::string AttemptPath(const json& job, const std::string& what) {
    return "/api/v1/agent/attempts/" + std::to_string(job["attempt_id"].get<int64_t>()) + "/" +
           what;
  }

  // PUTs `bytes` as the attempt's artifacts (Content-Length, or chunked when `chunked`).
  Reply Upload(const json& job, const std::string& bytes, const std::string& token,
               std::optional<std::string> lease = std::nullopt, bool chunked = false) {
    auto client = Client(token);
    size_t offset = 0;
    http::Headers headers{{"Content-Type", "application/vnd.slipway.tree-archive"}};
    const std::string lease_token = lease.value_or(job["lease_token"].get<std::string>());
    if (!lease_token.empty()) headers.Set("X-Lease-Token", lease_token);
    auto response = client->Upload(
        "PUT", AttemptPath(job, "artifacts"),
        [&](char* data, size_t size) -> Result<size_t> {
          const size_t n = std::min(size, bytes.size() - offset);
          std::memcpy(data, bytes.data() + offset, n);
          offset += n;
          return n;
        },
        chunked ? std::nullopt : std::optional<uint64_t>(bytes.size()), headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    Reply reply;
    if (!response.ok()) return reply;
    reply.status = response->status;
    reply.body = response->body;
    reply.doc = json::parse(reply.body, nullptr, false);
    return reply;
  }

  // An archive of dist/app (`content`) and a symlink dist/current -> app.
  std::string Archive(const std::string& content) {
    const fs::path tree = dir_ / ("tree-" + std::to_string(++trees_));
    fs::create_directories(tree / "dist");
    std::ofstream(tree / "dist/app") << content;
    fs::create_symlink("app", tree / "dist/current");
    std::string bytes;
    tree_archive::Writer writer([&](std::string_view chunk) {
      bytes.append(chunk);
      return Status::Ok();
    });
    EXPECT_TRUE(writer.Add(tree, "dist").ok());
    EXPECT_TRUE(writer.Finish().ok());
    return bytes;
  }

  // Files below the artifact store's root (temp files included).
  size_t StoredFiles() {
    size_t count = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir_ / "data" / "artifacts", ec);
         it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_regular_file()) ++count;
    }
    return count;
  }

  std::unique_ptr<engine::ArtifactStore> artifacts_;
  std::unique_ptr<Repo> repo_;
  std::string agent_;
  int trees_ = 0;
};

TEST_F(ArtifactsApiTest, UploadedArtifactsReachTheDependentJobAndViewers) {
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  const json build = LeaseUntil("build");
  ASSERT_TRUE(build.is_object());
  EXPECT_EQ(build["artifacts"], json::array());
  const std::string archive = Archive("version 1");
  Reply uploaded = Upload(build, archive, agent_);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  EXPECT_EQ(uploaded.doc,
            json({{"files", 1}, {"directories", 1}, {"symlinks", 1}, {"file_bytes", 9}}));
  // A repeated upload (an agent retrying) replaces the first.
  const std::string second = Archive("version 2");
  ASSERT_EQ(Upload(build, second, agent_).status, 200);
  ASSERT_EQ(Finish(build, runner::Outcome::kSuccess).status, 200);
  EXPECT_EQ(Upload(build, second, agent_).status, 412);  // the lease ended with the result

  const json test = LeaseUntil("test");
  ASSERT_TRUE(test.is_object());
  ASSERT_EQ(test["artifacts"].size(), 1u) << test.dump();  // `plain` kept none
  EXPECT_EQ(test["artifacts"][0]["instance"], "build");
  EXPECT_EQ(test["artifacts"][0]["attempt_id"], build["attempt_id"]);
  EXPECT_EQ(test["artifacts"][0]["size"], second.size());
  auto assignment = engine::JobAssignment::FromJson(test.dump());
  ASSERT_TRUE(assignment.ok()) << assignment.status().ToString();
  ASSERT_EQ(assignment->artifacts.size(), 1u);

  const std::string source = std::to_string(build["attempt_id"].get<int64_t>());
  Reply fetched = Call("GET", AttemptPath(test, "artifacts/" + source), "", agent_,
                       {{"X-Lease-Token", test["lease_token"].get<std::string>()}});
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.body, second);
  EXPECT_EQ(Call("GET", AttemptPath(test, "artifacts/" + source), "", agent_).status, 400);

  Reply viewed = Admin("GET", "/api/v1/projects/hello/runs/1/jobs/build/artifacts");
  ASSERT_EQ(viewed.status, 200) << viewed.body;
  EXPECT_EQ(viewed.body, second);
  EXPECT_EQ(viewed.Header("Content-Type"), "application/vnd.slipway.tree-archive");
  EXPECT_EQ(viewed.Header("Content-Disposition"), "attachment; filename=\"hello-1-build.slwa\"");
  EXPECT_EQ(viewed.Header("X-Artifacts-Attempt"), "1");
  Reply head = Call("GET", "/api/v1/projects/hello/runs/1/jobs/build/artifacts", "", admin_,
                    {{"Range", "bytes=0-7"}});
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.body, std::string("SLWTREE\x01", 8));
}

TEST_F(ArtifactsApiTest, BadUploadsAreRefusedAndStoreNothing) {
  const std::string intruder = RegisterAgent("a2");
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  const json build = LeaseUntil("build");
  ASSERT_TRUE(build.is_object());
  const std::string archive = Archive("app");

  EXPECT_EQ(Upload(build, archive, agent_, "").status, 400);             // no lease token
  EXPECT_EQ(Upload(build, archive, agent_, "wrong-token").status, 412);  // not this lease
  EXPECT_EQ(Upload(build, archive, intruder).status, 403);               // another agent's
  EXPECT_EQ(Upload(build, archive, admin_).status, 403);                 // not an agent
  Reply truncated = Upload(build, archive.substr(0, archive.size() - 1), agent_);
  EXPECT_EQ(truncated.status, 400) << truncated.body;
  EXPECT_NE(truncated.ErrorMessage().find("malformed archive"), std::string::npos);
  Reply hostile = Upload(build, "SLWTREE\x01" + std::string("f\0\x0a../../evil", 13), agent_);
  EXPECT_EQ(hostile.status, 400) << hostile.body;
  const std::string big = Archive(std::string(kLimit, 'x'));  // valid, over the limit
  Reply declared = Upload(build, big, agent_);
  EXPECT_EQ(declared.status, 413) << declared.body;
  Reply chunked = Upload(build, big, agent_, std::nullopt, /*chunked=*/true);
  EXPECT_EQ(chunked.status, 413) << chunked.body;
  EXPECT_EQ(StoredFiles(), 0u);

  // Nothing stored: the dependent's lease lists no artifacts, viewers get 404.
  ASSERT_EQ(Finish(build, runner::Outcome::kSuccess).status, 200);
  const json test = LeaseUntil("test");
  ASSERT_TRUE(test.is_object());
  EXPECT_EQ(test["artifacts"], json::array());
  Reply none = Admin("GET", "/api/v1/projects/hello/runs/1/jobs/build/artifacts");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(none.ErrorMessage().find("kept no artifacts"), std::string::npos) << none.body;
}

TEST_F(ArtifactsApiTest, OnlyTheArtifactsOfASucceededAttemptAreHandedOn) {
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  const json build = LeaseUntil("build");
  ASSERT_TRUE(build.is_object());
  ASSERT_EQ(Upload(build, Archive("broken"), agent_).status, 200);
  ASSERT_EQ(Finish(build, runner::Outcome::kFailure).status, 200);  // no retry: test is skipped

  const std::string source = std::to_string(build["attempt_id"].get<int64_t>());
  Reply viewed = Admin("GET", "/api/v1/projects/hello/runs/1/jobs/build/artifacts");
  EXPECT_EQ(viewed.status, 404);
  EXPECT_NE(viewed.ErrorMessage().find("only a job that succeeded"), std::string::npos)
      << viewed.body;
  EXPECT_EQ(Admin("GET", "/api/v1/projects/hello/runs/1/jobs/nope/artifacts").status, 404);
  EXPECT_EQ(Admin("GET", "/api/v1/projects/hello/runs/9/jobs/build/artifacts").status, 404);

  // A second run: its agent may not read the first run's archive.
  ASSERT_EQ(Admin("POST", "/api/v1/projects/hello/runs", "{}").status, 201);
  const json other = LeaseUntil("build");
  ASSERT_TRUE(other.is_object());
  Reply foreign = Call("GET", AttemptPath(other, "artifacts/" + source), "", agent_,
                       {{"X-Lease-Token", other["lease_token"].get<std::string>()}});
  EXPECT_EQ(foreign.status, 404) << foreign.body;

  // Removing the project removes its archives.
  ASSERT_GT(StoredFiles(), 0u);
  ASSERT_EQ(Admin("DELETE", "/api/v1/projects/hello").status, 204);
  EXPECT_EQ(StoredFiles(), 0u);
}

}  // namespace
}  // namespace slipway::api::testing
